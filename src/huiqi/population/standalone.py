"""A Spark standalone cluster on this machine — a Master and Workers on loopback, started
from the PySpark installation — to try ``match-all --engine spark --master spark://…``
without a cluster, and for the tests and benchmarks that need a real one.

    with Standalone(workers=2, cores=1) as cluster:
        spark = session(cluster.master, conf=cluster.conf)

Each process is Spark's own (``spark-class org.apache.spark.deploy.master.Master`` …); they
are stopped when the block ends. Java 17 must be installed (``java`` on PATH or
``JAVA_HOME``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from huiqi.errors import UsageError

from .spark import missing

LOOPBACK = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def _spark_home() -> Path:
    from pyspark.find_spark_home import _find_spark_home

    return Path(_find_spark_home())


@dataclass
class Standalone:
    """A Master and ``workers`` Workers of ``cores`` cores and ``memory`` each, on loopback."""

    workers: int = 2
    cores: int = 1
    memory: str = "1g"
    executor_memory: str = "768m"
    timeout_s: float = 90.0
    master: str = ""
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="huiqi-spark-")))
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _logs: list[Path] = field(default_factory=list)

    @property
    def conf(self) -> dict[str, str]:
        """What a driver on this machine needs to use the cluster's executors."""
        return {"spark.driver.host": LOOPBACK, "spark.driver.bindAddress": LOOPBACK,
                "spark.executor.memory": self.executor_memory,
                "spark.executor.cores": str(self.cores),
                "spark.cores.max": str(self.cores * self.workers)}

    def __enter__(self) -> Standalone:
        why = missing()
        if why is not None:
            raise UsageError(why)
        port = _free_port()
        self.master = f"spark://{LOOPBACK}:{port}"
        try:
            self._start("master", "org.apache.spark.deploy.master.Master", "--host", LOOPBACK,
                        "--port", str(port), "--webui-port", str(_free_port()))
            self._wait(self._logs[0], "I have been elected leader")
            for i in range(self.workers):
                work = self.folder / f"work-{i}"
                work.mkdir()
                self._start(f"worker-{i}", "org.apache.spark.deploy.worker.Worker",
                            "--host", LOOPBACK, "--cores", str(self.cores), "--memory",
                            self.memory, "--webui-port", str(_free_port()), "--work-dir",
                            str(work), self.master)
            for log in self._logs[1:]:
                self._wait(log, "Successfully registered with master")
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _start(self, name: str, cls: str, *args: str) -> None:
        home = _spark_home()
        log = self.folder / f"{name}.log"
        env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": LOOPBACK,
               "SPARK_NO_DAEMONIZE": "1", "SPARK_LOG_DIR": str(self.folder)}
        with open(log, "wb") as out:
            self._procs.append(subprocess.Popen(
                [str(home / "bin" / "spark-class"), cls, *args], stdout=out,
                stderr=subprocess.STDOUT, env=env, start_new_session=True))
        self._logs.append(log)

    def _wait(self, log: Path, line: str) -> None:
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            if line in log.read_text(errors="replace"):
                return
            if any(p.poll() is not None for p in self._procs):
                break
            time.sleep(0.2)
        raise RuntimeError(f"the Spark standalone cluster did not start ({log.name}):\n"
                           + log.read_text(errors="replace")[-2000:])

    def stop(self) -> None:
        for p in reversed(self._procs):
            if p.poll() is None:
                p.terminate()
        for p in self._procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self._procs.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


def stop_sessions() -> None:
    """Stop the Spark session of this process, if any (a new one may then use another
    master: ``getOrCreate`` would otherwise return the old one)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()
