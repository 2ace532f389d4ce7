"""Telling a whole population (issue 15, item 6): the population engine's results before and
after a change, compared in DuckDB (:data:`DIFF_SQL`), streamed in Arrow batches into the
inbox with bounded memory — never the whole difference in memory, one transaction per batch,
one message per idempotency key (a batch written twice adds nothing:
``INSERT … ON CONFLICT DO NOTHING`` on both SQLite and PostgreSQL).

Deliveries for the subscriptions of the enterprises told (the enterprise's and its users')
are added per batch, only for enterprises with an active subscription, as the single path
makes them: topics filtered, quiet hours holding a delivery until the morning, daily and
weekly digests (:func:`huiqi.push.outbox.when`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from huiqi.service.context import Platform
from huiqi.store.models import Entity

from .channels import configured
from .models import PushDelivery, PushMessage, PushSubscription
from .outbox import KIND_TEXT, _yuan, addresses, wants, when

#: one row per enterprise × clause whose result calls for a message (see huiqi.push.who)
DIFF_SQL = """
WITH o AS (SELECT * FROM {old}), n AS (SELECT * FROM {new}),
j AS (
  SELECT coalesce(n.enterprise_id, o.enterprise_id) AS enterprise_id,
         coalesce(n.clause, o.clause) AS clause,
         o.status AS s0, n.status AS s1, o.amount AS a0, n.amount AS a1,
         coalesce(len(n.failed), 0) AS f1, coalesce(len(n.gaps), 0) AS g1,
         coalesce(len(o.failed), 0) AS f0, coalesce(len(o.gaps), 0) AS g0
  FROM o FULL OUTER JOIN n ON o.enterprise_id = n.enterprise_id AND o.clause = n.clause)
SELECT enterprise_id, clause, kind, a1 AS amount, a0 AS before FROM (
  SELECT *, CASE
    WHEN s1 = 'eligible' AND s0 IS DISTINCT FROM 'eligible' THEN 'eligible.new'
    WHEN s0 = 'eligible' AND s1 IS DISTINCT FROM 'eligible' THEN 'eligible.lost'
    WHEN s0 = 'eligible' AND s1 = 'eligible' AND a0 IS DISTINCT FROM a1 THEN 'amount.changed'
    WHEN s1 IS NOT NULL AND s1 <> 'eligible' AND f1 = 1 AND g1 > 0
         AND NOT (s0 IS NOT NULL AND s0 <> 'eligible' AND f0 = 1 AND g0 > 0)
      THEN 'eligible.near'
  END AS kind FROM j) WHERE kind IS NOT NULL
"""


def diff_batches(old: Path, new: Path, batch: int = 20_000, con: Any = None,
                 memory_limit: str = "1GB") -> Iterator[Any]:
    """The difference as Arrow record batches (DuckDB streams them; nothing held whole; the
    join's hash table beyond ``memory_limit`` spills to DuckDB's temporary files). ``old``
    and ``new`` are results files of either form (:mod:`huiqi.population.results`: the
    long rows of a compact folder are derived as they are read)."""
    from huiqi.population.duck import connect
    from huiqi.population.results import relation

    con = con or connect(memory_limit=memory_limit)
    sql = DIFF_SQL.format(old=relation(con, old, "push_old"), new=relation(con, new, "push_new"))
    reader = con.sql(sql).to_arrow_reader(batch)
    yield from reader


@dataclass
class Enqueued:
    rows: int = 0
    messages: int = 0
    deliveries: int = 0
    batches: int = 0


def _insert(dialect: str, table: Any) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def enqueue(platform: Platform, batches: Iterable[Any], *, version: str, pack: str,
            base_url: str | None = None) -> Enqueued:
    """Write the messages (and deliveries) of a difference, batch by batch. Rows name the
    enterprise by credit code (``enterprise_id``), as the population engine does."""
    out = Enqueued()
    base = (base_url or platform.settings.push_base_url).rstrip("/")
    have = configured(platform.settings)
    for rb in batches:
        cols = rb.to_pydict()
        codes = cols["enterprise_id"]
        if not codes:
            continue
        with platform.db.write() as s:
            dialect = s.get_bind().dialect.name
            ids = {c: i for c, i in s.execute(select(Entity.credit_code, Entity.id).where(
                Entity.credit_code.in_(set(codes))))}
            now = platform.now()
            rows = []
            for code, clause, kind, amount, before in zip(
                    codes, cols["clause"], cols["kind"], cols["amount"], cols["before"],
                    strict=True):
                eid = ids.get(code)
                if eid is None:
                    continue
                zh, en = KIND_TEXT.get(kind, (kind, kind))
                policy, _, cid = clause.partition("/")
                body = f"{zh} — {clause}"
                if amount is not None or before is not None:
                    body += f"\n金额:{_yuan(before) + ' → ' if kind == 'amount.changed' else ''}" \
                            f"{_yuan(amount)}"
                rows.append({"key": f"{eid}:{clause}:{version}:{kind}"[:200], "entity_id": eid,
                             "kind": kind, "title": f"【{zh}】{clause}"[:200], "body": body,
                             "title_en": f"[{en}] {clause}"[:200], "body_en": f"{en} — {clause}",
                             "link": f"{base}/library/{pack}/{policy}#clause-{cid}",
                             "detail": {"clause": clause, "version": version,
                                        "amount": None if amount is None else str(amount)},
                             "created_at": now})
            if rows:
                r = s.execute(_insert(dialect, PushMessage.__table__), rows)
                out.messages += max(int(getattr(r, "rowcount", 0) or 0), 0)  # PG: -1
                if have:
                    out.deliveries += _deliveries(s, [r["key"] for r in rows], have, now,
                                                  dialect, {"pack": pack})
            out.rows += len(codes)
            out.batches += 1
    return out


def _deliveries(s: Any, keys: list[str], have: list[str], now: dt.datetime,
                dialect: str, topics: Mapping[str, str]) -> int:
    """The deliveries of the messages of ``keys``, as :func:`~huiqi.push.outbox.notify`
    makes them: the subscriptions' topics, quiet hours and digests respected."""
    subs = s.execute(select(PushMessage.id, PushMessage.entity_id, PushSubscription).join(
        PushSubscription, PushSubscription.entity_id == PushMessage.entity_id).where(
        PushMessage.key.in_(keys), PushSubscription.active.is_(True))
        .order_by(PushMessage.id, PushSubscription.id))
    rows = []
    seen: set[tuple[int, str, str]] = set()
    for mid, eid, sub in subs:
        if not wants(sub, topics):
            continue
        due, digest = when(sub, now)
        for channel, address in addresses(sub, have):
            if (mid, channel, address) in seen:
                continue
            seen.add((mid, channel, address))
            rows.append({"message_id": mid, "entity_id": eid, "channel": channel,
                         "address": address, "state": "pending", "due_at": due,
                         "digest": digest, "attempts": 0})
    if not rows:
        return 0
    r = s.execute(_insert(dialect, PushDelivery.__table__), rows)
    return max(int(getattr(r, "rowcount", 0) or 0), 0)


__all__ = ["DIFF_SQL", "Enqueued", "diff_batches", "enqueue"]
