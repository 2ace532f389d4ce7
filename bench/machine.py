"""The machine a benchmark ran on, as one line for bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def describe(load: bool = True) -> str:
    """CPU, cores, memory, OS, Python and (with ``load``) the load average now."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    line = (f"{cpu}, {os.cpu_count()} cores, {mem:.1f} GiB, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")
    return line + (f", load average {os.getloadavg()[0]:.2f}" if load else "")
