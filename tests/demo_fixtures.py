"""One ``huiqi init-demo`` run shared by the tests that only look at what it made.

A demo takes tens of seconds (packs published, a park generated and matched, cases, push,
analytics, one argon2 hash per account), and the tests of its output, its files, its logins
and its database contents each ran it again. :func:`demo_run` runs it once per test run, as
``make demo`` does — a process of its own, umask 022, a new SQLite file and a logins file —
in whichever xdist process asks first (the other waits for it, the pattern pytest-xdist
documents), records what it printed and the mode of every file it made at once, and hands
each test a copy of the database (:meth:`DemoRun.database_copy`): some tests change it.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from service_fixtures import ROOT

#: the shared demo's size and date (the tests' packs: tests/packs)
DEMO_ENTERPRISES = 30
DEMO_AS_OF = "2026-03-01"
DEMO_ARGS = ("--enterprises", str(DEMO_ENTERPRISES), "--as-of", DEMO_AS_OF, "--policies",
             str(ROOT / "tests" / "packs"))


@dataclass(frozen=True)
class DemoRun:
    """What one ``huiqi init-demo`` made: its exit code and output, its folder (``var``, with
    ``demo.db`` and ``demo-logins.txt``) and the modes of the folder and of every file in it
    as the command left them (relative path → mode; the folder is ``.``)."""

    returncode: int
    output: str
    folder: Path
    modes: dict[str, int]

    @property
    def database(self) -> Path:
        return self.folder / "demo.db"

    @property
    def logins(self) -> Path:
        return self.folder / "demo-logins.txt"

    def database_copy(self, to: Path) -> str:
        """A copy of the demo's database in the folder ``to`` (the URL of the new file)."""
        to.mkdir(parents=True, exist_ok=True)
        path = to / "demo.db"
        source, copy = sqlite3.connect(self.database), sqlite3.connect(path)
        try:
            source.backup(copy)  # the whole database, whatever its write-ahead log still held
        finally:
            source.close()
            copy.close()
        return f"sqlite:///{path}"


def _init_demo(folder: Path) -> DemoRun:
    """``huiqi init-demo`` into ``folder`` (not yet there) as ``make demo`` runs it."""
    huiqi = str(Path(sys.executable).with_name("huiqi"))
    r = subprocess.run(
        ["sh", "-c", 'umask 022 && exec "$0" "$@"', huiqi, "init-demo", "--database",
         f"sqlite:///{folder / 'demo.db'}", "--logins", str(folder / "demo-logins.txt"),
         *DEMO_ARGS],
        check=False, capture_output=True, text=True, timeout=600,
        env={**os.environ, "HUIQI_ENV": "development", "HUIQI_LANG": "zh", "COLUMNS": "200"})
    modes = {}
    if folder.exists():
        modes = {str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode)
                 for p in [folder, *sorted(folder.rglob("*"))]}
    return DemoRun(r.returncode, r.stdout + r.stderr, folder, modes)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The test run's one ``huiqi init-demo`` (made by the first process to ask)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # the run's folder, above each worker's own
        shared = shared.parent
    about = shared / "demo-run.json"
    with open(shared / "demo-run.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not about.exists():
            run = _init_demo(shared / "demo-run" / "var")
            about.write_text(json.dumps({"returncode": run.returncode, "output": run.output,
                                         "folder": str(run.folder), "modes": run.modes}),
                             encoding="utf-8")
    made = json.loads(about.read_text(encoding="utf-8"))
    return DemoRun(made["returncode"], made["output"], Path(made["folder"]), made["modes"])
