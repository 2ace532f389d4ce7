"""init-demo shows push: the demo enterprise's inbox (unread, read, archived), its
subscription, deliveries sent, waiting and dead, others' digests and an unsubscribed one;
the seed's programmes and cases told to their enterprises."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import select, text

from demo_fixtures import DemoRun
from huiqi.push.models import PushDelivery, PushMessage, PushSubscription
from huiqi.store.database import Database


def test_init_demo_shows_push_in_every_state(demo_run: DemoRun, tmp_path: Path) -> None:
    assert demo_run.returncode == 0, demo_run.output
    assert "推送 / push" in demo_run.output
    url = demo_run.database_copy(tmp_path)
    db = Database.connect(url)
    try:
        with db.read() as s:
            msgs = list(s.scalars(select(PushMessage)))
            kinds = Counter(m.kind for m in msgs)
            assert {"eligible.new", "amount.changed", "eligible.near"} <= set(kinds)
            windows = s.scalar(text("SELECT count(*) FROM programme WHERE mode <> 'automatic'"))
            if windows:  # (a park this small may have too few enterprises for one)
                assert {"window.open", "window.closing"} <= set(kinds)
            assert any(k.startswith("application.") or k == "case.update" for k in kinds), kinds
            assert any(m.read_at is None for m in msgs) and any(m.archived_at for m in msgs)
            states = {d.state for d in s.scalars(select(PushDelivery))}
            assert {"sent", "pending", "dead"} <= states
            subs = list(s.scalars(select(PushSubscription)))
            assert {x.digest for x in subs} >= {"immediate", "daily", "weekly"}
            assert any(not x.active for x in subs)
            assert any(x.account_id is not None for x in subs)  # a user's own
    finally:
        db.dispose()
