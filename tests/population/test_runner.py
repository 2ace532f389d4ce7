"""Population runs in batches: results keyed by enterprise, pack version and date; the same
whatever the batch size; equal to the one-enterprise engine; summaries that add up. Each in
both forms of the results file: compact (the default) and long; the long form derived from
the compact one is the long file, exactly; a failed run leaves the results as they were."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from huiqi.engine.matcher import Matcher
from huiqi.facts.catalogue import default_catalogue
from huiqi.facts.columnar import table_to_enterprises
from huiqi.generator import table as generate
from huiqi.population.compare import differences, engine_rows, table_rows
from huiqi.population.nearmiss import counts_by_failures, near_misses
from huiqi.population.results import RESULT_SCHEMA, is_compact, read
from huiqi.population.runner import Runner
from huiqi.rules.loader import load_pack
from huiqi.rules.model import Pack

ROOT = Path(__file__).parents[2]
AS_OF = dt.date(2025, 6, 1)
N = 400


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(ROOT / "policies" / "seed")


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("park") / "park.parquet"
    pq.write_table(generate(N, 5, AS_OF), path)
    return path


@pytest.fixture(scope="module", params=["compact", "long"])
def results(request: pytest.FixtureRequest, pack: Pack, park: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("results") / "results.parquet"
    Runner(pack, AS_OF).run(park, out, batch_size=128, form=request.param)
    assert is_compact(out) == (request.param == "compact")
    return out


def test_results_are_keyed_and_complete(pack: Pack, results: Path) -> None:
    table = read(results)
    assert table.schema.equals(RESULT_SCHEMA)
    in_force = [c for c in pack.clauses() if pack.policy(c.policy).in_force(AS_OF)]  # type: ignore[union-attr]
    assert table.num_rows == N * len(in_force)
    assert set(table.column("pack_version").to_pylist()) == {pack.version_id}
    assert set(table.column("as_of").to_pylist()) == {AS_OF}
    pairs = set(zip(table.column("enterprise_id").to_pylist(), table.column("clause").to_pylist(),
                    strict=True))
    assert len(pairs) == table.num_rows


def test_batch_size_does_not_change_results(pack: Pack, park: Path, results: Path,
                                            tmp_path: Path) -> None:
    other = tmp_path / "other.parquet"
    Runner(pack, AS_OF).run(park, other, batch_size=1000)
    a = table_rows(read(results).to_pylist())
    b = table_rows(read(other).to_pylist())
    assert differences(a, b) == []


def test_equal_to_the_one_enterprise_engine(pack: Pack, park: Path, results: Path) -> None:
    firms = table_to_enterprises(pq.read_table(park), default_catalogue())
    m = Matcher(pack, AS_OF)
    expected: dict = {}
    for e in firms:
        expected.update(engine_rows(m.match(e)))
    assert differences(expected, table_rows(read(results).to_pylist())) == []


def test_summaries_add_up(pack: Pack, park: Path) -> None:
    stats = Runner(pack, AS_OF).run(park, None, batch_size=150)
    assert stats.enterprises == N and stats.batches == 3
    for row in stats.summary.by_clause().values():
        assert row.total == N
    by_industry = stats.summary.by("industry")
    by_clause = stats.summary.by_clause()
    for clause, row in by_clause.items():
        parts = [r for (c, _v), r in by_industry.items() if c == clause]
        assert sum(r.counts["eligible"] for r in parts) == row.counts["eligible"]
        assert sum(r.amount for r in parts) == row.amount
        assert sum(r.potential for r in parts) == row.potential


def test_failed_run_leaves_no_file(pack: Pack, tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    with pytest.raises(FileNotFoundError):
        Runner(pack, AS_OF).run(tmp_path / "absent.parquet", out)
    assert not out.exists() and not (tmp_path / "out.parquet.partial").exists()


def test_near_misses_are_closest_first(pack: Pack, results: Path) -> None:
    clause = "xm-torch-voucher/voucher"
    rows = near_misses(results, clause, k=1, limit=500)
    dist = counts_by_failures(results, clause)
    assert len(rows) == dist.get(1, 0)
    assert all(len(r.failed) == 1 for r in rows)
    with_gap = [r for r in rows if r.gaps]
    # those with a measurable gap come first, smaller gaps before larger for one condition
    assert rows[:len(with_gap)] == with_gap
    by_condition: dict[str, list] = {}
    for r in with_gap:
        by_condition.setdefault(r.failed[0], []).append(r.gaps[r.failed[0]])
    for shortfalls in by_condition.values():
        assert shortfalls == sorted(shortfalls)


def test_near_misses_that_can_act_come_first(pack: Pack, results: Path) -> None:
    """A firm whose only failing condition is where it is registered cannot act on it:
    those come after every firm that can (issue 16, item 3)."""
    from huiqi.rules.fixed import fixed_paths

    clause = "xm-torch-voucher/voucher"
    spec = pack.clause(clause)
    assert spec is not None and spec.key == clause
    fixed = fixed_paths(spec)
    assert fixed, "the voucher asks where the firm is registered"
    rows = near_misses(results, clause, k=1, limit=500, fixed=fixed)
    can_act = [not set(r.failed) & fixed for r in rows]
    assert can_act == sorted(can_act, reverse=True)  # those that can act first
    assert any(can_act) and not all(can_act)


def test_a_kept_runner_matches_each_file_as_a_new_one_would(pack: Pack, park: Path,
                                                             tmp_path: Path) -> None:
    """A runner keeps each chunk's view and the relation over it: a second file with the
    same columns (one of them wider) gets the results a new runner gives it, and the first
    file's again after it."""
    import pyarrow as pa

    t = generate(N // 2, 11, AS_OF)
    i = t.schema.get_field_index("revenue@2024")
    other = tmp_path / "other.parquet"
    pq.write_table(t.set_column(i, pa.field("revenue@2024", pa.decimal128(30, 2)),
                                t.column(i).cast(pa.decimal128(30, 2))), other)
    kept = Runner(pack, AS_OF)
    got = []
    for n, source in enumerate((park, other, park)):
        out = tmp_path / f"kept-{n}.parquet"
        kept.run(source, out, batch_size=128, form="long")
        got.append(pq.read_table(out))
    fresh = tmp_path / "fresh.parquet"
    Runner(pack, AS_OF).run(other, fresh, batch_size=128, form="long")
    assert got[1].equals(pq.read_table(fresh))
    assert got[2].equals(got[0]) and got[0].num_rows % N == 0 and got[0].num_rows > 0
    assert len(kept._relations) == len(kept._views) >= 1


def test_the_compact_rows_streamed_are_the_ones_written(pack: Pack, park: Path,
                                                        tmp_path: Path) -> None:
    """``Runner.compact`` streams what a run writes: with every output the same rows; with
    statuses and amounts only, the same statuses."""
    import pyarrow as pa

    from huiqi.population.query import WideClause
    from huiqi.population.wide import to_long

    runner = Runner(pack, AS_OF)
    out = tmp_path / "results.parquet"
    runner.run(out=out, source=park, batch_size=128, summarize=False)
    written = read(out).to_pylist()
    full = [(b, layout) for b, layout in runner.compact(park, batch_size=128)]
    lean = [(b, layout) for b, layout in runner.compact(park, "status", batch_size=128)]

    def long(streamed: list[tuple[pa.RecordBatch, list[WideClause]]]) -> list[dict[str, Any]]:
        # a chunk's batches share its layout: one table per chunk, as to_long takes them
        chunks: dict[int, tuple[list[pa.RecordBatch], list[WideClause]]] = {}
        for b, layout in streamed:
            chunks.setdefault(id(layout), ([], layout))[0].append(b)
        assert all(sum(b.num_rows for b in bs) == N for bs, _ in chunks.values())
        return list(to_long([(pa.Table.from_batches(bs), layout)
                             for bs, layout in chunks.values()]).to_pylist())

    longs = long(full)
    assert len(written) == len(longs) and len(written) % N == 0
    statuses = {(r["enterprise_id"], r["clause"]): r["status"] for r in written}
    assert longs == [{k: v for k, v in r.items() if k not in ("pack_version", "as_of")}
                     for r in written]
    assert statuses == {(r["enterprise_id"], r["clause"]): r["status"] for r in long(lean)}


def test_a_file_written_again_is_read_again(pack: Pack, tmp_path: Path) -> None:
    """The runner keeps Parquet footers (DuckDB's metadata cache): a file written again
    under the same name at once, with other enterprises, is matched as it now is."""
    path = tmp_path / "park.parquet"
    kept = Runner(pack, AS_OF)
    got = []
    for seed, n in ((1, 60), (2, 90)):
        pq.write_table(generate(n, seed, AS_OF), path)
        out = tmp_path / f"out-{seed}.parquet"
        kept.run(path, out, form="long")
        fresh = tmp_path / f"fresh-{seed}.parquet"
        Runner(pack, AS_OF).run(path, fresh, form="long")
        assert pq.read_table(out).equals(pq.read_table(fresh))
        got.append(pq.read_table(out))
    ids = [set(t.column("enterprise_id").to_pylist()) for t in got]
    assert len(ids[0]) == 60 and len(ids[1]) == 90 and ids[0] != ids[1]


def test_chunks_matched_at_once_write_what_one_after_another_writes(pack: Pack, park: Path,
                                                                     tmp_path: Path) -> None:
    """With several chunks of clauses, a runner with two threads matches two chunks at once
    (each on a cursor and a thread of its own): the folder it writes is the one a runner on
    one thread writes chunk after chunk — the same files, rows in the same order, the layout
    listing the chunks in the pack's order — and so is a kept runner's second file; the
    streamed rows are the same, chunk by chunk."""
    import json
    from unittest import mock

    from huiqi.population import runner as runner_module
    from huiqi.population.results import LAYOUT

    with mock.patch.object(runner_module, "CHUNK", 3):
        one = Runner(pack, AS_OF, threads=1)
        two = Runner(pack, AS_OF, threads=2)
        assert one._workers(runner_module.chunks(pack, None, 3)) == 1
        assert two._workers(runner_module.chunks(pack, None, 3)) == 2
        outs = {}
        for name, runner in (("one", one), ("two", two), ("again", two)):
            out = outs[name] = tmp_path / f"{name}.parquet"
            stats = runner.run(park, out, batch_size=64)
            assert stats.enterprises == N and stats.batches == -(-N // 64)
        streamed = {name: runner.compact(park, batch_size=64) for name, runner in
                    (("one", one), ("two", two))}
        by_chunk: dict[str, dict[str, list[Any]]] = {}
        for name, stream in streamed.items():
            for batch, layout in stream:
                by_chunk.setdefault(name, {}).setdefault(layout[0].key, []).extend(
                    batch.to_pylist())
    layouts = {n: json.loads((p / LAYOUT).read_text(encoding="utf-8")) for n, p in outs.items()}
    assert len(layouts["one"]["chunks"]) >= 8
    assert layouts["one"] == layouts["two"] == layouts["again"]
    for chunk in layouts["one"]["chunks"]:
        want = pq.read_table(outs["one"] / chunk["file"])
        for name in ("two", "again"):
            assert pq.read_table(outs[name] / chunk["file"]).equals(want)
    assert by_chunk["one"] == by_chunk["two"]
    # the runner's DuckDB is back on its two threads after the run
    assert two.con.execute("SELECT current_setting('threads')").fetchone()[0] == 2
