"""Spark in local mode with the DuckDB kernel (``match_parquet(kernel="duckdb")``): each
task matches a slice of the input's rows with DuckDB and writes its part of every chunk, and
what is written reads back as DuckDB's runner's results exactly — one chunk of clauses and several (row *i*
of every chunk the same enterprise). The standalone cluster's tests
(tests/population/test_standalone.py) run both kernels on two Workers."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from huiqi.generator import table as generate
from huiqi.population import spark as S
from huiqi.population.compare import differences, table_rows
from huiqi.population.dialect import DUCKDB
from huiqi.population.query import MatchQuery
from huiqi.population.results import COMPACT_WRITE, ID, chunk_files, columns, open_compact, read
from huiqi.population.runner import Runner
from huiqi.population.wide import chunks
from huiqi.rules.loader import load_pack

ROOT = Path(__file__).parents[2]
AS_OF = dt.date(2025, 6, 1)
N = 300


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A park in one row group (one partition as read, spread over the cores), and DuckDB's
    results for it (every seed clause)."""
    folder = tmp_path_factory.mktemp("park")
    park = folder / "park.parquet"
    pq.write_table(generate(N, 5, AS_OF), park, row_group_size=N)
    Runner(load_pack(ROOT / "policies" / "seed"), AS_OF).run(park, folder / "duck.parquet",
                                                             summarize=False)
    return park, folder / "duck.parquet"


@pytest.mark.parametrize("size", [1000, 5])
def test_duckdb_kernel_gives_the_runners_results(spark: Any, park: tuple[Path, Path],
                                                 tmp_path: Path, size: int) -> None:
    source, duck_out = park
    pack = load_pack(ROOT / "policies" / "seed")
    out = tmp_path / "spark"
    S.match_parquet(spark, pack, AS_OF, source, out, size=size, kernel="duckdb")
    folder = open_compact(out)
    assert folder.enterprises == N
    assert (len(folder.chunks) == 1) == (size == 1000)
    if S.cores(spark) > 1:   # each chunk written by the tasks of every partition
        assert all(len(chunk_files(c.path)) >= 2 for c in folder.chunks)
    # DuckDB's layout (bit masks shared by the clauses of a chunk), not Spark SQL's
    assert any(wc.failed and wc.failed[0][0].startswith("__fw") for c in folder.chunks
               for wc in c.clauses)
    want = table_rows(read(duck_out).to_pylist())
    got = table_rows(read(out).to_pylist())
    assert len(got) == len(want) == N * len(folder.clauses()) >= N * 20
    assert len({r["status"] for r in got.values()}) >= 3
    assert differences(want, got) == []


def test_an_unknown_kernel_is_refused(spark: Any, park: tuple[Path, Path],
                                      tmp_path: Path) -> None:
    pack = load_pack(ROOT / "policies" / "seed")
    with pytest.raises(ValueError, match="kernel"):
        S.match_parquet(spark, pack, AS_OF, park[0], tmp_path / "out", kernel="numpy")
    assert not list(tmp_path.iterdir())


def test_the_tasks_need_duckdb_and_pyarrow_only(tmp_path: Path) -> None:
    """What the executors run is pickled whole (cloudpickle, as Spark does) and runs in a
    Python where huiqi cannot be imported: the task over slices of a Parquet file writes the
    runner's compact rows, the task over Arrow batches gives them in Spark's types."""
    cloudpickle = pytest.importorskip("pyspark.cloudpickle")
    pack = load_pack(ROOT / "policies" / "seed")
    table = generate(120, 3, AS_OF)
    (chunk,) = chunks(pack, None)
    select, layout = S._duckdb_select(
        MatchQuery(pack, AS_OF, DUCKDB, table.column_names, chunk), "huiqi_input")
    source = tmp_path / "in.parquet"
    pq.write_table(table, source, row_group_size=50)
    runner = Runner(pack, AS_OF)
    runner.run(source, tmp_path / "duck", summarize=False)
    want = pq.read_table(tmp_path / "duck" / "chunk-0000.parquet")
    rows = pa.Table.from_batches([b for b, _ in runner.compact(source, batch_size=50)])
    names = list(dict.fromkeys(["id", *(c for wc in layout for c in columns(wc))]))
    schema = pa.schema([f.with_type(pa.int16()) if f.type == pa.uint8() else f
                        for f in rows.select(names).schema])
    folder = tmp_path / "chunk"
    folder.mkdir()
    slices = S._slices([str(source)], [120], 3)
    assert [sum(b - a for _, a, b in s) for s in slices] == [40, 40, 40]
    (tmp_path / "tasks.pickle").write_bytes(cloudpickle.dumps(
        (S._file_task([(select, str(folder))], "huiqi_input", ID, COMPACT_WRITE), list(enumerate(slices)),
         S._duckdb_task(select, "huiqi_input", schema))))
    with pa.ipc.new_file(str(tmp_path / "in.arrow"), table.schema) as writer:
        for batch in table.to_batches(40):   # several batches, as Spark sends them
            writer.write_batch(batch)
    script = (
        "import pickle, sys\n"
        "sys.modules['huiqi'] = None   # import huiqi fails\n"
        "import pyarrow as pa\n"
        f"by_file, items, by_batch = pickle.loads(open({str(tmp_path / 'tasks.pickle')!r}, 'rb').read())\n"
        "assert [by_file(item) for item in items] == [40, 40, 40]\n"
        f"src = pa.ipc.open_file({str(tmp_path / 'in.arrow')!r})\n"
        "out = list(by_batch(src.get_batch(i) for i in range(src.num_record_batches)))\n"
        f"with pa.ipc.new_file({str(tmp_path / 'out.arrow')!r}, out[0].schema) as w:\n"
        "    for b in out:\n"
        "        w.write_batch(b)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    parts = chunk_files(folder)
    assert [f.name for f in parts] == [f"part-{i:05d}.parquet" for i in range(3)]
    written = pa.concat_tables([pq.read_table(f) for f in parts])
    assert written.schema == want.schema and written.equals(want)
    got = pa.ipc.open_file(str(tmp_path / "out.arrow")).read_all()
    assert got.schema == schema and got.num_rows == 120
    assert got.equals(rows.select(names).cast(schema))


def test_slices_cut_across_files() -> None:
    assert S._slices(["a", "b"], [3, 5], 2) == [[("a", 0, 3), ("b", 0, 1)], [("b", 1, 5)]]
    assert S._slices(["a", "b"], [0, 2], 2) == [[("b", 0, 1)], [("b", 1, 2)]]
    assert S._slices(["a"], [0], 2) == [[("a", 0, 0)]]
