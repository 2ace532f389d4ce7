"""The README's Commands section, run as written, in order, in a fresh folder (issue 16,
item 9): the block is extracted from README.md, so the README cannot drift from the
commands. A fresh folder holds what a clone has that the commands read (policies, the
YAML cases, the examples); ``huiqi serve``, the last line, is started, asked for a page
and its API documentation, and stopped. About two minutes on a 2-core machine."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.readme


def commands() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## 命令 / Commands", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "the Commands section has no ```sh block"
    out = []
    for written in block.group(1).splitlines():
        command = re.split(r"\s{2,}#", written, maxsplit=1)[0].strip()
        if command:
            out.append(command)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_commands_section_runs_as_written_in_a_fresh_folder(tmp_path: Path) -> None:
    lines = commands()
    assert lines[0].startswith("huiqi ") and lines[-1] == "huiqi serve"
    for folder in ("policies", "tests/cases", "examples"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIQI_")}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", HUIQI_PORT=str(port),
               COLUMNS="160", HUIQI_ENV="development")
    outputs: dict[str, str] = {}
    for line in lines[:-1]:
        args = shlex.split(line)
        r = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=600, check=False)
        assert r.returncode == 0, f"{line}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
        outputs[args[1]] = r.stdout
    assert "现行条款" in outputs["match-all"]
    assert "厦门安博自动化设备有限公司" in outputs["match"] or "安博" in outputs["match"]
    assert "xm-torch-voucher/voucher" in outputs["explain"]
    assert (tmp_path / "var" / "simulation" / "report.html").is_file()
    assert not (tmp_path / "docs").exists()  # nothing written into the tracked docs/
    assert (tmp_path / "var" / "huiqi.db").is_file()
    assert "哈希链全部验证通过" in outputs["audit"]
    proc = subprocess.Popen(shlex.split(lines[-1]), cwd=tmp_path, env=env,
                            start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/calculator", timeout=10) as r:
            assert "政策计算器" in r.read().decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/docs", timeout=10) as r:
            assert "/docs/static/swagger-ui-bundle.js" in r.read().decode()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out and "还没有账号" not in out
