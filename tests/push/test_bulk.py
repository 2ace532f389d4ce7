"""A population's difference into the inbox (issue 15, item 6): compared in DuckDB,
streamed in batches, one message per key (a second run adds nothing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import func, select

from huiqi.push.bulk import diff_batches, enqueue
from huiqi.push.models import PushDelivery, PushMessage, PushSubscription
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


def test_bulk_deliveries_keep_quiet_hours_digests_and_topics(pushing: Platform,
                                                             two: tuple[int, int],
                                                             tmp_path: Path) -> None:
    """A population's deliveries are due when the single path's would be (the clock: 17:00
    in China)."""
    a, b = two
    ctx = pushing.system()
    subscribe(ctx, a, ["email"], quiet_from=16, quiet_until=8)   # 17:00 is quiet: 08:00
    subscribe(ctx, a, ["sms"], email=None, topics={"pack": ["other"]})  # another pack only
    subscribe(ctx, b, ["email"])
    with pushing.db.write() as s:  # (the fixture writes immediate; B wants a daily digest)
        for sub in s.scalars(select(PushSubscription).where(PushSubscription.entity_id == b)):
            sub.digest = "daily"
    old = _results(tmp_path / "old.parquet", [(CODE_A, "p/x", "not_eligible", None, 2, 0),
                                              (CODE_B, "p/x", "not_eligible", None, 2, 0)])
    new = _results(tmp_path / "new.parquet", [(CODE_A, "p/x", "eligible", 100, 0, 0),
                                              (CODE_B, "p/x", "eligible", 100, 0, 0)])
    enqueue(pushing, diff_batches(old, new), version="v2", pack="p")
    with pushing.db.read() as s:
        got = sorted((d.entity_id, d.channel, d.due_at, d.digest)
                     for d in s.scalars(select(PushDelivery)))
    assert got == sorted([
        (a, "email", dt.datetime(2025, 6, 2, 0, 0, tzinfo=dt.UTC), "morning"),  # 08:00 China
        (b, "email", dt.datetime(2025, 6, 2, 1, 0, tzinfo=dt.UTC), "daily")])   # 09:00 China
