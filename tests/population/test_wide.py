"""A pack matched in chunks of clauses (one compact query each) gives the same results
whatever the chunk size, equal to the one-enterprise engine; stacking groups stay whole."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from huiqi.engine.matcher import Matcher
from huiqi.facts.catalogue import default_catalogue
from huiqi.facts.columnar import table_to_enterprises
from huiqi.generator import table as generate
from huiqi.population.compare import differences, engine_rows, table_rows
from huiqi.population.duck import wide_sql
from huiqi.population.wide import chunks, to_long
from huiqi.rules.loader import load_pack
from huiqi.rules.model import Pack

ROOT = Path(__file__).parents[2]
AS_OF = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(ROOT / "policies" / "seed")


@pytest.mark.parametrize("size", [1, 4, 25, 1000])
def test_chunks_keep_every_clause_in_order_and_groups_whole(pack: Pack, size: int) -> None:
    parts = chunks(pack, None, size)
    flat = [c.key for part in parts for c in part]
    assert sorted(flat) == sorted(c.key for c in pack.clauses())
    assert len(flat) == len(set(flat))
    where = {c.key: i for i, part in enumerate(parts) for c in part}
    grouped = [g for g in pack.groups if len(g.clauses) > 1]
    assert grouped, "the seed pack has stacking groups to keep whole"
    for g in grouped:
        assert len({where[k] for k in g.clauses if k in where}) == 1, g.clauses
    for part in parts:   # a chunk is over size only to keep a group whole
        if len(part) > size:
            assert any(len({c.key for c in part} & set(g.clauses)) > 1 for g in grouped)


@pytest.mark.parametrize("size", [1, 3, 7])
def test_any_chunk_size_gives_the_engine_results(pack: Pack, size: int) -> None:
    table = generate(150, 21, AS_OF)
    con = duckdb.connect()
    con.register("firms", table)
    parts = []
    for chunk in chunks(pack, None, size):
        sql, layout = wide_sql(pack, AS_OF, con, "firms", chunk)
        if layout:
            parts.append((con.sql(sql).to_arrow_table(), layout))
    got = table_rows(to_long(parts).to_pylist())
    m = Matcher(pack, AS_OF)
    want: dict = {}
    for e in table_to_enterprises(table, default_catalogue()):
        want.update(engine_rows(m.match(e)))
    assert len(got) == len(want)
    assert differences(want, got) == []
