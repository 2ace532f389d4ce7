"""The match response built two ways in one process, interleaved (so that the machine's load
falls on both alike): before the typed public shape (``PackMatch`` with ``list[dict]``
fields, validated, then dumped) and now (plain dicts of the shape of
:mod:`huiqi.engine.public`, dumped by pydantic-core at once); and a page reading it back
(``json.loads`` into dicts before, ``MatchPublic.model_validate_json`` into the typed
models now). Checks first that both give byte-for-byte equal JSON.

    python -m bench.match_shape [--enterprises 200] [--rounds 15] [--append]

Needs the ``huiqi init-demo`` database of ``bench.api_load`` (var/bench/huiqi.db).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_json

from bench.machine import describe, record

ROOT = Path(__file__).resolve().parent.parent


class _OldPackMatch(BaseModel):
    pack: str
    pack_version: str
    as_of: dt.date
    total_eligible_amount: str
    clauses: list[dict[str, Any]]
    explanations: list[dict[str, Any]] | None = None
    not_in_force: list[str]


class _OldMatchPublic(BaseModel):
    enterprise: str
    name: str
    as_of: dt.date
    packs: list[_OldPackMatch]


def main(argv: list[str] | None = None) -> int:
    from sqlalchemy import select

    from huiqi.engine.serialize import full_match_dict, match_dict, pack_match_dict
    from huiqi.facts.catalogue import default_catalogue
    from huiqi.packs import versions as PV
    from huiqi.registry.profile import enterprise_of
    from huiqi.service import policies
    from huiqi.service.context import SYSTEM, Platform
    from huiqi.service.enterprises import today
    from huiqi.service.schemas import MatchPublic
    from huiqi.settings import Settings
    from huiqi.store.database import Database
    from huiqi.store.models import Entity

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--database", type=Path, default=ROOT / "var" / "bench" / "huiqi.db")
    ap.add_argument("--append", action="store_true")
    args = ap.parse_args(argv)
    url = f"sqlite:///{args.database}"
    db = Database.connect(url)
    ctx = Platform(db, Settings(database_url=url, match_cache_mb=0)).as_actor(SYSTEM)
    day = today(ctx)
    with db.read() as s:
        versions = PV.all_published(s)
        ents = list(s.scalars(select(Entity).order_by(Entity.id).limit(args.enterprises)))
        inputs = [(e, enterprise_of(s, default_catalogue(), e, day)) for e in ents]
    ms = [(k, policies.matcher(ctx, k, v, day)) for k, v in versions]
    results = [(e, [(k, m, m.match(ent)) for k, m in ms]) for e, ent in inputs]

    def before(explain: bool) -> list[bytes]:
        out = []
        for e, rs in results:
            packs = []
            for k, m, res in rs:
                d = full_match_dict(m, res, "zh") if explain else match_dict(res)
                packs.append(_OldPackMatch(
                    pack=k, pack_version=d["pack_version"], as_of=day,
                    total_eligible_amount=d["total_eligible_amount"], clauses=d["clauses"],
                    explanations=d.get("explanations"), not_in_force=d["not_in_force"]))
            out.append(_OldMatchPublic(enterprise=e.credit_code, name=e.name, as_of=day,
                                       packs=packs).model_dump_json().encode())
        return out

    def now(explain: bool) -> list[bytes]:
        return [to_json({"enterprise": e.credit_code, "name": e.name, "as_of": day.isoformat(),
                         "packs": [pack_match_dict(res, k, m if explain else None, "zh")
                                   for k, m, res in rs]}) for e, rs in results]

    rows = []
    for explain in (False, True):
        a, b = before(explain), now(explain)
        assert a == b, "the two ways give different JSON"
        best: dict[str, float] = {}
        steps = {"build, before": lambda x=explain: before(x),
                 "build, now": lambda x=explain: now(x),
                 "read back, before (dicts)": lambda a=a: [json.loads(x) for x in a],
                 "read back, now (typed)": lambda b=b: [MatchPublic.model_validate_json(x)
                                                        for x in b]}
        for i in range(args.rounds):  # the order alternates, so neither way always goes first
            for name, fn in (list(steps.items()) if i % 2 == 0 else
                             list(reversed(steps.items()))):
                gc.collect()
                t0 = time.perf_counter()
                fn()
                us = (time.perf_counter() - t0) / len(results) * 1e6
                best[name] = min(best.get(name, us), us)
        rows.append((explain, best))
        print(f"explain={explain}: " + ", ".join(f"{k} {v:,.0f} µs" for k, v in best.items()))
    db.dispose()
    if args.append:
        lines = ["", f"## Match response, before and after its typed shape ({dt.date.today()})", "",
                 f"- machine: {describe()}",
                 f"- `python -m bench.match_shape --enterprises {args.enterprises} --rounds "
                 f"{args.rounds}`: {len(results)} enterprises of the init-demo database, every "
                 "published pack; both ways in one process, interleaved (the order alternating), best round; the JSON "
                 "checked byte for byte equal first", "",
                 "| per enterprise, µs | build, before | build, now | read back, before (dicts) "
                 "| read back, now (typed) |", "|---|---:|---:|---:|---:|"]
        for explain, best in rows:
            lines.append(f"| `explain={str(explain).lower()}` | " + " | ".join(
                f"{best[k]:,.0f}" for k in steps) + " |")
        record("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
