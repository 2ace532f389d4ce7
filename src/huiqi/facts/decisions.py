"""Review decisions at park scale: a Parquet table of decisions, one row a decision (or one
part of a scored decision), read for ``huiqi match`` / ``match-all`` / ``near-miss`` /
``simulate``, so that an enterprise whose condition was reviewed gets the same status from
each of them.

=================  ===================================================================
``enterprise_id``  string, required: the enterprise (统一社会信用代码)
``condition``      string, required: ``policy/clause/condition``
``verdict``        bool: a yes/no review's verdict (a row without ``part``)
``part``           string: a scored review's part (``score`` for a review without parts)
``score``          decimal(20, 4): that part's score; null: reviewed, score not given
``pack_version``   string: the pack version decided under (``id@version+digest``); a row
                   of another pack is left out
``reviewer``       string: who decided
``decided_at``     timestamp: when; of two rows for the same enterprise, condition and
                   part, the later one counts
``evidence``       string: on what evidence
=================  ===================================================================

The platform records decisions in its database (:mod:`huiqi.service.decisions`) and
writes this table of its own when it matches a park.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from huiqi.errors import DataError, Problem
from huiqi.facts.columnar import SCORE
from huiqi.facts.enterprise import Decision, Enterprise
from huiqi.facts.io import score_of
from huiqi.messages import message
from huiqi.text import Text

SCHEMA = pa.schema([
    ("enterprise_id", pa.string()), ("condition", pa.string()), ("verdict", pa.bool_()),
    ("part", pa.string()), ("score", SCORE), ("pack_version", pa.string()),
    ("reviewer", pa.string()), ("decided_at", pa.timestamp("us")), ("evidence", pa.string()),
])
REQUIRED = ("enterprise_id", "condition")

#: enterprise id → condition key → decision
Decisions = dict[str, dict[str, Decision]]


@dataclass(frozen=True)
class Row:
    """One row of the table: a verdict (``part`` None) or one part of a scored decision."""

    enterprise_id: str
    condition: str
    verdict: bool | None = None
    part: str | None = None
    score: Decimal | None = None
    pack_version: str | None = None
    reviewer: str | None = None
    decided_at: dt.datetime | None = None
    evidence: str | None = None


def rows_of(decisions: Iterable[tuple[str, str, Decision]], **meta: Any) -> Iterator[Row]:
    """The rows of (enterprise, condition, decision) triples."""
    for eid, key, d in decisions:
        if isinstance(d, bool):
            yield Row(eid, key, verdict=d, **meta)
        else:
            for part, score in (d.items() or [("score", None)]):
                yield Row(eid, key, part=part, score=score, **meta)


def write(path: Path, rows: Sequence[Row]) -> None:
    """Write decisions as the table (for the platform's own, and for tests)."""
    cols = {f.name: [getattr(r, f.name) for r in rows] for f in SCHEMA}
    pq.write_table(pa.table(cols, schema=SCHEMA), path)


def _problem(path: Path, zh: str, en: str) -> DataError:
    return DataError([Problem(code="data.decisions", file=str(path), message=message(
        "data.decisions", detail_zh=zh, detail_en=en))], str(path))


def _belongs(version: str | None, pack_id: str | None) -> bool:
    return version is None or pack_id is None or version == pack_id or \
        version.startswith(pack_id + "@")


def read(path: Path, pack_id: str | None = None) -> Decisions:
    """The decisions of a table, by enterprise and condition (the later of two for the same
    enterprise, condition and part counts); rows of another pack than ``pack_id`` are left
    out. :class:`DataError` saying which column, if the table is not one."""
    try:
        table = pq.read_table(path)
    except FileNotFoundError:
        raise
    except (OSError, pa.ArrowException) as exc:
        raise _problem(path, f"不是可读的 Parquet 文件:{exc}", f"not a readable Parquet file: {exc}") \
            from None
    names = set(table.column_names)
    absent = [c for c in REQUIRED if c not in names]
    if absent or not names & {"verdict", "score"}:
        need = ", ".join(absent or ["verdict / score"])
        raise _problem(path, f"评审决定表缺少列:{need}", f"the decisions table lacks the column {need}")
    rows = table.to_pylist()
    if "decided_at" in names:  # the later decision counts: apply in time order
        rows.sort(key=lambda r: (r["decided_at"] is not None, r["decided_at"] or dt.datetime.min))
    out: Decisions = {}
    for n, r in enumerate(rows, start=1):
        eid, key = r.get("enterprise_id"), r.get("condition")
        if not eid or not key or not _belongs(r.get("pack_version"), pack_id):
            continue
        part = r.get("part")
        mine = out.setdefault(str(eid), {})
        if part is None:
            if r.get("verdict") is not None:
                mine[str(key)] = bool(r["verdict"])
            continue
        try:
            score = score_of(r.get("score"))
        except ValueError as exc:
            reason: Text = exc.args[0]
            raise _problem(path, f"第 {n} 行(企业 {eid},条件 {key}):{reason.zh}",
                           f"row {n} (enterprise {eid}, condition {key}): {reason.en}") from None
        scores = mine.get(str(key))
        if not isinstance(scores, dict):
            scores = mine[str(key)] = {}
        scores[str(part)] = score
    return {k: v for k, v in out.items() if v}


def merged(e: Enterprise, decisions: Decisions) -> Enterprise:
    """``e`` with the decisions of the table over those of its own file."""
    mine = decisions.get(e.id)
    if not mine:
        return e
    return Enterprise(id=e.id, name=e.name, facts=e.facts, years=e.years, choices=e.choices,
                      reviews={**e.reviews, **mine})


def columns(decisions: Decisions) -> list[tuple[str, pa.DataType, str, str | None]]:
    """The declaration columns the decisions need: (name, type, condition key, part)."""
    verdicts: set[str] = set()
    parts: dict[str, set[str]] = {}
    for mine in decisions.values():
        for key, d in mine.items():
            if isinstance(d, bool):
                verdicts.add(key)
            else:
                parts.setdefault(key, set()).update(d)
    out: list[tuple[str, pa.DataType, str, str | None]] = [
        (f"review:{k}", pa.bool_(), k, None) for k in sorted(verdicts)]
    for k in sorted(parts):
        out.append((f"scored:{k}", pa.bool_(), k, ""))
        out += [(f"score:{k}:{p}", SCORE, k, p) for p in sorted(parts[k])]
    return out


def with_decisions(table: pa.Table, decisions: Decisions,
                   cols: list[tuple[str, pa.DataType, str, str | None]]) -> pa.Table:
    """A batch of enterprises with the declaration columns of the decisions (replacing
    columns of the same names)."""
    ids = table.column("id").to_pylist()
    rows = [decisions.get(i) or {} for i in ids]
    for name, typ, key, part in cols:
        values: list[Any] = []
        for mine in rows:
            d = mine.get(key)
            if part is None:
                values.append(d if isinstance(d, bool) else None)
            elif part == "":
                values.append(True if isinstance(d, dict) else None)
            else:
                values.append(d.get(part) if isinstance(d, dict) else None)
        if name in table.column_names:
            table = table.drop_columns([name])
        table = table.append_column(pa.field(name, typ), pa.array(values, typ))
    return table


def population_with(source: Path, decisions: Decisions, out: Path,
                    batch_size: int = 100_000) -> Path:
    """Copy the enterprises of ``source`` (Parquet) to ``out`` with the declaration columns
    of the decisions, batch by batch; the schema's metadata is kept."""
    cols = columns(decisions)
    pf = pq.ParquetFile(source)
    schema = pf.schema_arrow
    for name, typ, _, _ in cols:
        if name in schema.names:
            schema = schema.remove(schema.get_field_index(name))
        schema = schema.append(pa.field(name, typ))
    with pq.ParquetWriter(out, schema) as writer:
        for batch in pf.iter_batches(batch_size=batch_size):
            t = with_decisions(pa.Table.from_batches([batch]), decisions, cols)
            writer.write_table(t.select(schema.names).cast(schema))
    return out
