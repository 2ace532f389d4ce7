"""A generated park: enterprises drawn block by block, streamed as Arrow batches.

Enterprises are drawn in blocks of ``BLOCK`` (10,000), each from random streams
seeded by (seed, block, concern) — see :mod:`~huiqi.generator.streams`. Batches of
any size are cut from the blocks, so the same seed and evaluation date give the
same enterprises in the same order whatever the batch size, and the first k of N
are the first k of any larger N. Memory holds one batch and one block.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from huiqi.errors import UsageError
from huiqi.facts.catalogue import Catalogue, default_catalogue
from huiqi.facts.columnar import arrow_schema, column_name
from huiqi.facts.enterprise import Enterprise
from huiqi.generator import arrays as A
from huiqi.generator import codes, declared, finances, firms, honours, missing, names, patents, profile, records
from huiqi.generator import dates as D
from huiqi.generator.parks import CITY_SHARE, DISTRICTS, PARKS
from huiqi.generator.streams import seed_words, stream
from huiqi.text import Text

BLOCK = 10_000
BATCH = 50_000
YEARS = 5


def fiscal_years(as_of: dt.date) -> tuple[int, ...]:
    """The five fiscal years ending the year before ``as_of``."""
    return tuple(range(as_of.year - YEARS, as_of.year))


@dataclass(frozen=True)
class Plan:
    """What to generate: the seed and the evaluation date fix everything else."""

    seed: int
    as_of: dt.date
    catalogue: Catalogue = field(default_factory=default_catalogue)

    @property
    def years(self) -> tuple[int, ...]:
        return fiscal_years(self.as_of)

    def schema(self) -> Any:
        return arrow_schema(self.catalogue, self.years)


def check(n: int, seed: int, batch_size: int = BATCH) -> None:
    """Refuse arguments that cannot work, with a message for the person who gave them."""
    if n < 0 or n > codes.MAX_ENTERPRISES:
        raise UsageError(Text(f"企业数须在 0 到 {codes.MAX_ENTERPRISES:,} 之间,而不是 {n:,}",
                              f"the number of enterprises must be 0 to {codes.MAX_ENTERPRISES:,}, "
                              f"not {n:,}"))
    if seed < 0:
        raise UsageError(Text(f"种子须为非负整数,而不是 {seed}", f"the seed must be 0 or more, not {seed}"))
    if batch_size < 1:
        raise UsageError(Text(f"批大小须为正整数,而不是 {batch_size}",
                              f"the batch size must be positive, not {batch_size}"))


def block(plan: Plan, b: int, schema: Any | None = None) -> Any:
    """Block ``b`` (enterprises b·BLOCK … b·BLOCK + BLOCK − 1) as a record batch."""
    schema = schema if schema is not None else plan.schema()
    seed, as_of = plan.seed, D.day(plan.as_of)
    f = firms.draw(stream(seed, b, "firms"), b * BLOCK, BLOCK, as_of)
    fig = finances.draw(stream(seed, b, "finances"), f, plan.years)
    patents.draw(stream(seed, b, "patents"), f, fig)
    rec_type = {name: schema.field(name).type for name in
                ("honours", "awards", "standards", "rd_institutions", "equity_financing", "violations")}
    hon = honours.draw(stream(seed, b, "honours"), f, fig, rec_type["honours"])
    rng = stream(seed, b, "records")
    viol_col, viol = records.violations(rng, f, rec_type["violations"])
    cols: dict[str, Any] = {
        "honours": hon.column, "violations": viol_col,
        "awards": records.awards(rng, f, rec_type["awards"]),
        "standards": records.standards(rng, f, rec_type["standards"]),
        "rd_institutions": records.rd_institutions(rng, f, rec_type["rd_institutions"]),
        "equity_financing": records.equity_financing(rng, f, rec_type["equity_financing"]),
    }
    cols.update(profile.columns(stream(seed, b, "profile"), f, fig, hon, viol))
    cols["id"] = A.strings(_codes(plan, f))
    cols["name"] = A.strings(names.names(stream(seed, b, "names"), f.park, f.district, f.industry,
                                         f.individual, fig.annual[:, -1]))
    cols.update(declared.columns(seed, b, BLOCK, plan.as_of, plan.years, plan.catalogue, schema))
    keep = missing.masks(stream(seed, b, "missing"), schema.names, BLOCK)
    for fact, values in fig.values.items():
        valid = fig.valid(fact)
        money = fact in finances.MONEY_FACTS or fact in patents.MONEY_FACTS
        for t, year in enumerate(plan.years):
            name = column_name(fact, year)
            v, ok = values[:, t], valid[:, t] & keep.pop(name, True)
            cols[name] = A.money(v, ok) if money else A.ints(v, ok)
    for name, kept in keep.items():
        if name in cols:
            cols[name] = missing.blank(cols[name], kept)
    arrays = [cols[fl.name] if fl.name in cols else pa.nulls(BLOCK, fl.type) for fl in schema]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _codes(plan: Plan, f: firms.Firms) -> list[str]:
    rng = stream(plan.seed, int(f.index[0]) // BLOCK, "codes")
    city = ~f.individual & (rng.random(f.n) < CITY_SHARE)
    division = [PARKS[p].city_code if c else DISTRICTS[d][1].code
                for p, d, c in zip(f.park.tolist(), f.district.tolist(), city.tolist(), strict=True)]
    kind = np.where(f.individual, 2, 1)
    modern = f.registered >= codes.UNIFIED_SINCE
    return codes.codes(f.index, kind, division, modern, seed_words(plan.seed, "codes", 8))


def batches(n: int, seed: int, as_of: dt.date, batch_size: int = BATCH,
            catalogue: Catalogue | None = None) -> Iterator[Any]:
    """``n`` enterprises as record batches of ``batch_size`` rows (the last may be shorter)."""
    for t in tables(n, seed, as_of, batch_size, catalogue):
        out = t.combine_chunks().to_batches()
        yield out[0] if out else pa.RecordBatch.from_pylist([], schema=t.schema)


def tables(n: int, seed: int, as_of: dt.date, batch_size: int = BATCH,
           catalogue: Catalogue | None = None) -> Iterator[Any]:
    """The same as :func:`batches`, each batch a table of the blocks' chunks (no copy)."""
    check(n, seed, batch_size)
    plan = Plan(seed, as_of, catalogue or default_catalogue())
    schema = plan.schema()
    pending: list[Any] = []
    held = 0
    for b in range(-(-n // BLOCK)):
        batch = block(plan, b, schema)
        rows = min(BLOCK, n - b * BLOCK)
        pending.append(batch.slice(0, rows) if rows < BLOCK else batch)
        held += rows
        while held >= batch_size:
            table = pa.Table.from_batches(pending, schema=schema)
            yield table.slice(0, batch_size)
            rest = table.slice(batch_size)
            pending, held = (rest.to_batches() if rest.num_rows else []), rest.num_rows
    if held:
        yield pa.Table.from_batches(pending, schema=schema)


def table(n: int, seed: int, as_of: dt.date, catalogue: Catalogue | None = None) -> Any:
    """``n`` enterprises as one Arrow table (for tests and small populations)."""
    cat = catalogue or default_catalogue()
    schema = Plan(seed, as_of, cat).schema()
    return pa.Table.from_batches(list(batches(n, seed, as_of, catalogue=cat)), schema=schema)


def enterprises(n: int, seed: int, as_of: dt.date, catalogue: Catalogue | None = None) -> list[Enterprise]:
    """``n`` enterprises as :class:`Enterprise` objects."""
    from huiqi.facts.columnar import table_to_enterprises

    cat = catalogue or default_catalogue()
    return table_to_enterprises(table(n, seed, as_of, cat), cat)
