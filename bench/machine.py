"""The machine a benchmark ran on, as one line, and the file every benchmark records its
results in: bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def memory_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = """# Benchmark results / 基准测试结果

Each benchmark appends a section here when it runs: the machine, the command, and
what was measured. Numbers are from real runs; nothing here is edited by hand.
"""


def record(text: str) -> None:
    """Append ``text`` to bench/RESULTS.md (created with its header if absent)."""
    if not RESULTS.exists():
        RESULTS.write_text(HEADER, encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(text)


def describe(load: bool = True) -> str:
    """CPU, cores, memory, OS, Python and (with ``load``) the load average now."""
    line = (f"{cpu_model()}, {os.cpu_count()} cores, {memory_gib():.1f} GiB, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")
    return line + (f", load average {os.getloadavg()[0]:.2f}" if load else "")
