"""A population's difference into the inbox (issue 15, item 6): compared in DuckDB,
streamed in batches, one message per key (a second run adds nothing)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import func, select

from huiqi.push.bulk import diff_batches, enqueue
from huiqi.push.models import PushDelivery, PushMessage
from huiqi.service.context import Platform
from service_fixtures import CODE_A, CODE_B

from .conftest import subscribe


def _results(path: Path, rows: list[tuple[str, str, str, int | None, int, int]]) -> Path:
    gap = pa.struct([("condition", pa.string())])
    pq.write_table(pa.table({
        "enterprise_id": [r[0] for r in rows], "clause": [r[1] for r in rows],
        "status": [r[2] for r in rows],
        "amount": pa.array([None if r[3] is None else Decimal(r[3]) for r in rows],
                           pa.decimal128(18, 2)),
        "failed": [["c"] * r[4] for r in rows],
        "gaps": pa.array([[{"condition": "c"}] * r[5] for r in rows], pa.list_(gap)),
    }), path)
    return path


def test_the_difference_is_streamed_into_the_inbox_once(pushing: Platform, two: tuple[int, int],
                                                        tmp_path: Path) -> None:
    a, _b = two
    subscribe(pushing.system(), a, ["email"])
    old = _results(tmp_path / "old.parquet", [
        (CODE_A, "p/x", "not_eligible", None, 2, 0), (CODE_B, "p/x", "eligible", 100, 0, 0),
        (CODE_A, "p/y", "eligible", 50, 0, 0), (CODE_B, "p/y", "eligible", 50, 0, 0)])
    new = _results(tmp_path / "new.parquet", [
        (CODE_A, "p/x", "eligible", 100, 0, 0), (CODE_B, "p/x", "not_eligible", None, 1, 1),
        (CODE_A, "p/y", "eligible", 80, 0, 0), (CODE_B, "p/y", "eligible", 50, 0, 0),
        ("000000000000000000", "p/y", "eligible", 80, 0, 0)])  # not in the registry
    kinds = sorted((r["enterprise_id"], r["clause"], r["kind"])
                   for rb in diff_batches(old, new, batch=2) for r in rb.to_pylist())
    assert kinds == sorted([(CODE_A, "p/x", "eligible.new"), (CODE_B, "p/x", "eligible.lost"),
                            (CODE_A, "p/y", "amount.changed"),
                            ("000000000000000000", "p/y", "eligible.new")])
    for _ in range(2):
        done = enqueue(pushing, diff_batches(old, new, batch=2), version="v2", pack="p")
    with pushing.db.read() as s:
        assert s.scalar(select(func.count()).select_from(PushMessage)) == 3
        assert s.scalar(select(func.count()).select_from(PushDelivery)) == 2  # A's two
    assert done.messages == 0  # the second run added nothing (PostgreSQL does not say: 0)
