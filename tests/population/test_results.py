"""The compact results folder (issue 18): one file per chunk of clauses with its layout; the
long form derived from it equals the long file exactly — over random packs and on the seed
pack in several chunks; only the rows asked for; every reader gives on it what it gives on the
long file; a failed run leaves the results as they were."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from huiqi.cli.app import app
from huiqi.generator import table as generate
from huiqi.population import duck
from huiqi.population import runner as runner_module
from huiqi.population.results import (
    LAYOUT,
    RESULT_SCHEMA,
    is_compact,
    open_compact,
    read,
    read_long,
)
from huiqi.population.runner import Runner, to_duckdb_table
from huiqi.population.summary import Summary
from huiqi.rules.loader import load_pack
from huiqi.rules.model import Pack
from properties import examples

from . import randpack as R
from .harness import drawn, table_of

ROOT = Path(__file__).parents[2]
AS_OF = dt.date(2025, 6, 1)
N = 300
KEY = [("enterprise_id", "ascending"), ("clause_index", "ascending")]


def both(pack: Pack, park: Path, folder: Path, chunk: int, as_of: dt.date = AS_OF,
         batch_size: int = 128) -> tuple[Path, Path]:
    """The same run written compact and long, clauses in chunks of ``chunk``."""
    compact, long = folder / "compact.parquet", folder / "long.parquet"
    with mock.patch.object(runner_module, "CHUNK", chunk):
        Runner(pack, as_of).run(park, compact, batch_size=batch_size)
        Runner(pack, as_of).run(park, long, batch_size=batch_size, form="long")
    return compact, long


def in_order(table: pa.Table) -> pa.Table:
    return table.sort_by(KEY)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(ROOT / "policies" / "seed")


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("park") / "park.parquet"
    pq.write_table(generate(N, 11, AS_OF), path)
    return path


@pytest.fixture(scope="module")
def runs(pack: Pack, park: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return both(pack, park, tmp_path_factory.mktemp("runs"), chunk=4)


@settings(max_examples=examples(25), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_the_long_form_of_a_compact_file_is_the_long_file(data: st.DataObject) -> None:
    text, pack, es = drawn(data)
    chunk = data.draw(st.integers(1, 4), "chunk")
    with tempfile.TemporaryDirectory() as tmp:
        park = Path(tmp) / "park.parquet"
        pq.write_table(table_of(es, R.AS_OF), park)
        compact, long = both(pack, park, Path(tmp), chunk, R.AS_OF, batch_size=5)
        got = read(compact)
        want = pq.read_table(long)
        assert got.schema.equals(RESULT_SCHEMA) and want.schema.equals(RESULT_SCHEMA)
        assert in_order(got).equals(in_order(want)), text
        # and the rows come enterprise by enterprise, clauses in pack order, as in memory
        assert got.select(["enterprise_id", "clause"]).equals(
            duck.match_arrow(pack, R.AS_OF, table_of(es, R.AS_OF)).select(
                ["enterprise_id", "clause"])), text


def test_a_compact_file_is_one_file_per_chunk_with_its_layout(pack: Pack, runs: tuple[Path, Path]
                                                             ) -> None:
    compact, _ = runs
    c = open_compact(compact)
    layout = json.loads((compact / LAYOUT).read_text(encoding="utf-8"))
    assert (c.pack_id, c.pack_version, c.as_of, c.enterprises) == (
        pack.id, pack.version_id, AS_OF, N)
    assert layout["pack_version"] == pack.version_id and layout["as_of"] == AS_OF.isoformat()
    assert len(c.chunks) > 1   # chunks of 4 clauses
    assert sorted(p.name for p in compact.iterdir()) == sorted(
        [LAYOUT, *(ch.path.name for ch in c.chunks)])
    in_force = [x.key for x in pack.clauses() if pack.policy(x.policy).in_force(AS_OF)]  # type: ignore[union-attr]
    assert [wc.key for wc in c.clauses()] == in_force
    first = pq.read_table(c.chunks[0].path).column("enterprise_id")
    for ch in c.chunks:
        t = pq.read_table(ch.path)
        assert t.num_rows == N and t.column("enterprise_id").equals(first)
        assert t.column_names[0] == "enterprise_id" and len(t.column_names) > 1


def test_the_seed_pack_in_chunks_round_trips(runs: tuple[Path, Path]) -> None:
    compact, long = runs
    got = read(compact)
    assert got.num_rows == pq.read_metadata(long).num_rows
    assert in_order(got).equals(in_order(pq.read_table(long)))
    statuses = set(got.column("status").to_pylist())
    assert {"eligible", "not_eligible"} <= statuses
    assert any(got.column("gaps").to_pylist()) and any(got.column("failed").to_pylist())


def test_only_the_rows_asked_for(runs: tuple[Path, Path]) -> None:
    compact, long = runs
    full = pq.read_table(long)
    ids = sorted(set(full.column("enterprise_id").to_pylist()))[::37]
    clauses = ["xm-torch-voucher/voucher", full.column("clause")[-1].as_py()]
    for path in runs:
        got = read(path, clauses=clauses, enterprises=ids)
        want = full.filter(pc.and_(pc.is_in(full.column("clause"), pa.array(clauses)),
                                   pc.is_in(full.column("enterprise_id"), pa.array(ids))))
        assert want.num_rows == len(ids) * 2
        assert in_order(got).equals(in_order(want))
    one = read(compact, enterprises=[ids[0]])
    assert set(one.column("enterprise_id").to_pylist()) == {ids[0]}
    assert one.column("clause_index").to_pylist() == sorted(one.column("clause_index").to_pylist())
    assert read(compact, enterprises=[]).num_rows == 0
    # batches of any size give the same rows
    assert pa.concat_tables(list(read_long(compact, batch_size=7))).equals(read(compact))


def test_the_summary_from_compact_rows_is_the_long_files_count(pack: Pack, park: Path,
                                                                runs: tuple[Path, Path]) -> None:
    _, long = runs
    with mock.patch.object(runner_module, "CHUNK", 4):
        stats = Runner(pack, AS_OF).run(park, None, batch_size=128)
    con = duckdb.connect()
    con.execute(f"CREATE VIEW enterprises AS SELECT * FROM read_parquet('{park.as_posix()}')")
    con.execute(f"CREATE VIEW results AS SELECT * FROM read_parquet('{long.as_posix()}')")
    want = Summary()
    want.count(con, [r[0] for r in con.execute("DESCRIBE enterprises").fetchall()], AS_OF)
    assert stats.summary.rows() == want.rows()
    assert sum(r["count"] for r in want.rows()) == pq.read_metadata(long).num_rows


def test_duckdb_table_and_push_diff_read_the_compact_form(pack: Pack, park: Path, tmp_path: Path,
                                                         runs: tuple[Path, Path]) -> None:
    from huiqi.population.nearmiss import counts_by_failures, near_misses
    from huiqi.push.bulk import diff_batches

    compact, long = runs
    loaded = {}
    for name, path in (("c", compact), ("l", long)):
        db = tmp_path / f"{name}.duckdb"
        to_duckdb_table(path, db)
        to_duckdb_table(path, db)   # the same pack and date replaced, not doubled
        con = duckdb.connect(str(db))
        loaded[name] = in_order(con.sql("SELECT * FROM match_results").to_arrow_table())
        con.close()
    assert loaded["c"].equals(loaded["l"]) and loaded["c"].num_rows == read(long).num_rows
    later = both(pack, park, tmp_path, chunk=4, as_of=AS_OF + dt.timedelta(days=400))

    def diff(old: Path, new: Path) -> list[dict[str, Any]]:
        rows = [r for b in diff_batches(old, new) for r in b.to_pylist()]
        return sorted(rows, key=lambda r: (r["enterprise_id"], r["clause"]))

    want = diff(long, later[1])
    assert want and diff(compact, later[0]) == want
    clause = "xm-torch-voucher/voucher"
    assert near_misses(compact, clause, 1, 500) == near_misses(long, clause, 1, 500)
    assert counts_by_failures(compact, clause) == counts_by_failures(long, clause)


def test_a_failed_run_leaves_the_results_as_they_were(pack: Pack, park: Path, tmp_path: Path
                                                      ) -> None:
    out = tmp_path / "r.parquet"
    Runner(pack, AS_OF).run(park, out, batch_size=100)
    before = read(out)

    def stop(_: int) -> None:
        if next(calls) == 2:
            raise RuntimeError("interrupted")

    calls = iter(range(1000))
    with pytest.raises(RuntimeError, match="interrupted"), \
            mock.patch.object(runner_module, "CHUNK", 4):
        Runner(pack, AS_OF + dt.timedelta(days=400)).run(park, out, batch_size=100, progress=stop)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.parquet"]   # no .partial left
    assert read(out).equals(before) and open_compact(out).as_of == AS_OF
    # a long file is replaced by a compact folder only once the folder is whole
    long = tmp_path / "l.parquet"
    Runner(pack, AS_OF).run(park, long, batch_size=100, form="long")
    Runner(pack, AS_OF).run(park, long, batch_size=100)
    assert is_compact(long) and in_order(read(long)).equals(in_order(before))


def test_results_long_writes_the_long_file(runs: tuple[Path, Path], tmp_path: Path) -> None:
    compact, long = runs
    out = tmp_path / "out" / "long.parquet"
    r = CliRunner().invoke(app, ["results", "long", str(compact), str(out)])
    assert r.exit_code == 0, r.output
    assert f"{pq.read_metadata(long).num_rows:,}" in r.output
    assert pq.read_table(out).equals(read(compact))
    assert pq.read_table(out).schema.equals(RESULT_SCHEMA)
    missing = CliRunner().invoke(app, ["results", "long", str(tmp_path / "none"), str(out)])
    assert missing.exit_code == 2 and "none" in missing.output
