"""Spark on a real standalone cluster (a Master and two Workers on 127.0.0.1): the same
results as DuckDB's, the input spread over every executor core, the results written by the
executors; Spark's own configuration honoured where huiqi's exactness does not need it.

What these tests prove is the cluster's part — partitions, executors, the command line's
own driver — not the SQL (the differential tests and the cases prove Spark's answers on
every construct): so they match a few of the seed pack's clauses, and the command line a
pack of one clause and two reported values, which its executors write too."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from huiqi.generator import table as generate
from huiqi.population import spark as S
from huiqi.population.compare import differences, table_rows
from huiqi.population.results import chunk_files, count, is_compact, open_compact, read
from huiqi.population.runner import Runner, values_path
from huiqi.population.wide import chunks
from huiqi.rules.loader import load_pack
from huiqi.rules.model import ClauseSpec, Pack

ROOT = Path(__file__).parents[2]
AS_OF = dt.date(2025, 6, 1)
N = 200
REPORTED = ROOT / "tests" / "packs" / "reported"

pytestmark = pytest.mark.skipif(S.missing() is not None,
                                reason=str(S.missing() and S.missing().en))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def standalone() -> Iterator[Any]:
    from huiqi.population.standalone import Standalone

    with Standalone(workers=2, cores=1) as c:
        yield c


@pytest.fixture
def cluster(standalone: Any) -> Iterator[Any]:
    """A session of this process on the cluster, stopped after its test: while it lives, it
    holds every executor core, and another application (the command line's) would wait."""
    from huiqi.population.standalone import stop_sessions

    stop_sessions()  # a local session of another module would be returned by getOrCreate
    spark = S.session(standalone.master, app="huiqi-test-standalone", conf=standalone.conf)
    try:
        yield spark
    finally:
        spark.stop()


def _few(pack: Pack) -> list[ClauseSpec]:
    """The first clauses of the pack in force on the day (stacking groups kept whole)."""
    in_force = [c for c in pack.clauses() if any(p.id == c.policy and p.in_force(AS_OF)
                                                 for p in pack.policies)]
    return chunks(pack, in_force, 4)[0]


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A park written in one row group, and DuckDB's results for it (a few seed clauses)."""
    folder = tmp_path_factory.mktemp("park")
    park = folder / "park.parquet"
    pq.write_table(generate(N, 7, AS_OF), park, row_group_size=N)
    duck_out = folder / "duck.parquet"
    pack = load_pack(ROOT / "policies" / "seed")
    Runner(pack, AS_OF, clauses=_few(pack)).run(park, duck_out, batch_size=64)
    return park, duck_out


def test_results_equal_duckdb_on_either_kernel(cluster: Any, park: tuple[Path, Path],
                                              tmp_path: Path) -> None:
    """Either kernel (DuckDB in each task, or Spark SQL) gives DuckDB's results: the compact
    form in several chunks of clauses, each written by both executors (row i of every chunk
    is the same enterprise, so the long form read back, every row or a few enterprises, is
    DuckDB's), and the long form Spark writes itself. Both kernels in one application: a
    second would only start the same executors again."""
    pack = load_pack(ROOT / "policies" / "seed")
    park, duck_out = park
    want = table_rows(read(duck_out).to_pylist())
    assert cluster.sparkContext.master.startswith("spark://127.0.0.1:")
    assert S.cores(cluster) == 2
    # one row group is one partition as read; spread over both executors' cores
    assert cluster.read.parquet(str(park)).rdd.getNumPartitions() == 1
    assert S.spread(cluster, cluster.read.parquet(str(park))).rdd.getNumPartitions() == 2
    for kernel in S.KERNELS:
        _kernel_gives_duckdbs_results(cluster, pack, park, want, tmp_path / kernel, kernel)
    for key, value in S.EXACT.items():  # exactness needs them, whatever else is configured
        assert cluster.conf.get(key) == value
    # unset in the configuration: the executors' JIT compiles the generated code's large methods
    assert cluster.conf.get("spark.executor.extraJavaOptions") == S.HUGE_METHODS


def _kernel_gives_duckdbs_results(cluster: Any, pack: Pack, park: Path,
                                  want: dict[Any, Any], out: Path, kernel: str) -> None:
    """The compact form and the long form of ``kernel`` on the cluster are ``want``."""
    spark_out = out / "compact"
    S.match_parquet(cluster, pack, AS_OF, park, spark_out, _few(pack), size=1, kernel=kernel)
    # the compact form, as DuckDB writes it: each chunk a folder of the executors' part files
    folder = open_compact(spark_out)
    assert len(folder.chunks) >= 2 and folder.enterprises == N, kernel
    assert all(len(chunk_files(chunk.path)) >= 2 for chunk in folder.chunks), kernel
    got = table_rows(read(spark_out).to_pylist())
    assert len(got) == len(want) == N * len(_few(pack)) > 0, kernel
    assert len({s for s in (r["status"] for r in got.values())}) >= 2, kernel
    assert count(spark_out) == len(want), kernel
    assert differences(want, got) == [], kernel
    some = sorted({key[0] for key in want})[::37]
    assert differences({k: v for k, v in want.items() if k[0] in some},
                       table_rows(read(spark_out, enterprises=some).to_pylist())) == [], kernel
    long_out = out / "long"
    S.match_parquet(cluster, pack, AS_OF, park, long_out, _few(pack), form="long", size=1,
                    kernel=kernel)
    assert not is_compact(long_out), kernel
    assert differences(want, table_rows(pq.read_table(long_out).to_pylist())) == [], kernel


def test_configuration_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "spark-defaults.conf").write_text(
        "# a comment\nspark.master  spark://10.0.0.1:7077\nspark.sql.shuffle.partitions=64\n"
        "spark.executor.extraJavaOptions -Da=b\n", encoding="utf-8")
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", "--conf spark.driver.memory=6g pyspark-shell")
    got = S.configured()
    assert got["spark.master"] == "spark://10.0.0.1:7077"
    assert got["spark.sql.shuffle.partitions"] == "64"
    assert got["spark.executor.extraJavaOptions"] == "-Da=b"
    assert got["spark.driver.memory"] == "6g"


def test_match_all_on_the_cluster(standalone: Any, park: tuple[Path, Path],
                                  tmp_path: Path) -> None:
    """The command line, in a process of its own (its own driver), on the cluster: the
    results and the reported values as DuckDB's."""
    source, _ = park
    got = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / engine / "r.parquet"
        spark = ["--master", standalone.master,
                 *(x for k, v in standalone.conf.items() for x in ("--spark-conf", f"{k}={v}"))]
        done = subprocess.run(
            [str(Path(sys.executable).parent / "huiqi"), "match-all", "-p", str(REPORTED),
             "-d", str(source), "--as-of", AS_OF.isoformat(), "-o", str(out), "--engine", engine,
             *(spark if engine == "spark" else [])],
            capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        values = {r["enterprise_id"]: r for r in pq.read_table(values_path(out)).to_pylist()}
        got[engine] = (table_rows(read(out).to_pylist()), values)
    assert len(got["duckdb"][0]) == len(got["duckdb"][1]) == N
    assert differences(got["duckdb"][0], got["spark"][0]) == []
    assert got["spark"][1] == got["duckdb"][1]


def test_spark_options_need_spark(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from huiqi.cli.app import app

    r = CliRunner().invoke(app, ["match-all", "-p", str(ROOT / "policies" / "seed"),
                                 "--master", "spark://127.0.0.1:7077"])
    assert r.exit_code != 0 and "--engine spark" in r.output
    r = CliRunner().invoke(app, ["match-all", "-p", str(ROOT / "policies" / "seed"),
                                 "--engine", "spark", "--spark-conf", "novalue"])
    assert r.exit_code != 0 and "key=value" in r.output
    r = CliRunner().invoke(app, ["match-all", "-p", str(ROOT / "policies" / "seed"),
                                 "--kernel", "sql"])
    assert r.exit_code != 0 and "--engine spark" in r.output
    r = CliRunner().invoke(app, ["match-all", "-p", str(ROOT / "policies" / "seed"),
                                 "--engine", "spark", "--kernel", "numpy"])
    assert r.exit_code != 0 and "duckdb" in r.output and "numpy" in r.output
