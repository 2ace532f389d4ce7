"""Server time of each page on the demo database (a benchmark, not a timed test).

    python -m bench.pages [--enterprises 3000] [-n 30] [--append]

1. makes (once) the demo database with ``huiqi init-demo`` under var/bench/ (as
   ``make demo`` does), and adds a bench account per role with a random password;
2. builds the application (API and pages) in this process, compiled as at start-up, and
   asks each page through the ASGI interface (Starlette's TestClient: no network), so the
   time is the server's: routing, rights, the service calls, the database, the templates;
3. per page: the first request (cold: caches empty), then ``n`` more; median and p95;
4. with ``--append``, adds a section to bench/RESULTS.md. The target is ≤ 300 ms per page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.api_load import ensure_database
from bench.machine import describe, record

ROOT = Path(__file__).resolve().parent.parent
HUIQI = str(Path(sys.executable).with_name("huiqi"))
TARGET_MS = 300.0



def accounts(url: str) -> tuple[dict[str, str], str, str]:
    """A bench account per role (random password), the enterprise user's code, a clause."""
    from sqlalchemy import func, select

    from huiqi.service import accounts as A
    from huiqi.service.context import Platform
    from huiqi.service.permissions import Role
    from huiqi.settings import Settings
    from huiqi.store.database import Database
    from huiqi.store.models import Entity, MatchResult

    db = Database.connect(url)
    ctx = Platform(db, Settings(database_url=url)).system()
    with db.read() as s:
        code, clause = s.execute(
            select(Entity.credit_code, func.max(MatchResult.clause_key))
            .join(MatchResult, MatchResult.entity_id == Entity.id)
            .where(MatchResult.status == "eligible").group_by(Entity.credit_code)
            .order_by(func.sum(MatchResult.amount).desc()).limit(1)).one()
    tag = secrets.token_hex(3)
    out = {}
    for role in (Role.ENTERPRISE, Role.POLICY_OFFICER, Role.LEADERSHIP, Role.ADMIN):
        name = f"bench_{role.value}_{tag}"[:64]
        password = "Bench-" + secrets.token_urlsafe(18) + "-9a"
        A.create(ctx, name, "压测", role, password, code if role is Role.ENTERPRISE else None)
        out[role.value] = f"{name}\t{password}"
    db.dispose()
    return out, code, clause


def pages(code: str, clause: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(role, method, path, request arguments) of each page measured."""
    reform = (ROOT / "examples" / "reforms" / "xm-voucher-raise.yaml").read_text("utf-8")
    answers = {"a:park": "厦门火炬高新区", "a:revenue@2025": "20000000", "q": "awards",
               "value": "none", "action": "answer"}
    return [
        ("", "GET", "/", {}),
        ("", "GET", "/calculator", {}),
        ("", "POST", "/calculator", {"data": answers}),
        ("enterprise", "GET", f"/match/{code}", {}),
        ("enterprise", "GET", f"/match/{code}/{clause}", {}),
        ("enterprise", "GET", f"/match/{code}/calendar", {}),
        ("enterprise", "GET", f"/match/{code}/summary.pdf", {}),
        ("enterprise", "GET", f"/match/{code}/summary.xlsx", {}),
        ("policy_officer", "GET", "/staff/policies", {}),
        ("policy_officer", "GET", "/staff/policies/seed/1", {}),
        ("policy_officer", "GET", "/staff/policies/seed/1/text/nbgx-ip", {}),
        ("policy_officer", "GET", "/staff/policies/seed/1/files/nbgx-ip.yaml", {}),
        ("policy_officer", "GET", "/staff/enterprises?q=科技", {}),
        ("policy_officer", "GET", f"/staff/enterprises/{code}", {}),
        ("policy_officer", "GET", "/staff/results", {}),
        ("policy_officer", "GET", f"/staff/results/seed/{clause}", {}),
        ("policy_officer", "GET", "/staff/simulation", {}),
        ("policy_officer", "POST", "/staff/simulation",
         {"data": {"pack": "seed", "source": "reform", "reform": reform}}),
        ("policy_officer", "GET", "/staff/imports", {}),
        ("admin", "GET", "/staff/audit", {}),
        ("leadership", "GET", "/dashboard", {}),
        ("leadership", "GET", "/staff/evaluation", {}),  # the analytics pages (issue 17)
        ("leadership", "GET", "/staff/chains/battery", {}),
        ("enterprise", "GET", "/staff/market", {}),
    ]


def measure(url: str, n: int) -> tuple[list[tuple[str, str, float, float, float, int]], str]:
    from fastapi.testclient import TestClient

    from huiqi.settings import Settings
    from huiqi.web import create_app
    from huiqi.web.pages import SESSION_COOKIE, csrf_token

    logins, code, clause = accounts(url)
    settings = Settings(database_url=url)
    app = create_app(settings, warm=True)
    rows = []
    with TestClient(app) as client:
        for thread in threading.enumerate():   # steady state: the start-up precompute done
            if thread.name == "huiqi-precompute":
                thread.join()
        cookies: dict[str, str] = {}
        for role, cred in logins.items():
            user, password = cred.split("\t")
            r = client.post("/login", data={"username": user, "password": password},
                            follow_redirects=False)
            cookies[role] = r.cookies[SESSION_COOKIE]
        client.cookies.clear()
        platform_ = app.state.platform
        for role, method, path, request in pages(code, clause):
            headers = {}
            kwargs = dict(request)
            if role:
                headers["cookie"] = f"{SESSION_COOKIE}={cookies[role]}"
            if method == "POST" and role:
                kwargs["data"] = {**kwargs.get("data", {}),
                                  "csrf": csrf_token(platform_, cookies[role])}
            times = []
            status = 0
            for _ in range(n + 1):
                t0 = time.perf_counter()
                r = client.request(method, path, headers=headers, follow_redirects=False,
                                   **kwargs)
                times.append((time.perf_counter() - t0) * 1000)
                status = r.status_code
            warm = sorted(times[1:])
            p95 = warm[min(len(warm) - 1, round(0.95 * (len(warm) - 1)))]
            rows.append((method, re.sub(r"9[0-9A-Z]{17}", "{code}", path), times[0],
                         statistics.median(warm), p95, status))
    return rows, code


def machine() -> str:
    return describe(load=False)


def report(rows: list[tuple[str, str, float, float, float, int]], n: int, entities: int) -> str:
    worst = max(r[4] for r in rows)
    lines = [f"## Pages: server time per page (`python -m bench.pages -n {n}`) — "
             f"{dt.date.today().isoformat()}", "",
             f"- machine: {machine()}",
             f"- data: `huiqi init-demo` database (SQLite, WAL), {entities:,} entities; the "
             "published packs compiled at start-up (as `huiqi serve` does)",
             "- method: each page asked in-process through the ASGI interface (Starlette's "
             "TestClient, no network), signed in with the role that opens it, once the "
             "start-up precompute of every match has finished; the first "
             f"request (cold), then N = {n} more: median and p95 of those",
             f"- target ≤ {TARGET_MS:.0f} ms per page: "
             + ("met by every page (p95)" if worst <= TARGET_MS else
                f"p95 above it on {sum(1 for r in rows if r[4] > TARGET_MS)} page(s)"), "",
             "| page | status | first (cold) ms | median ms | p95 ms |",
             "|---|---|---:|---:|---:|"]
    lines += [f"| `{m} {p}` | {s} | {c:.1f} | {med:.1f} | {p95:.1f} |"
              for m, p, c, med, p95, s in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=3000)
    ap.add_argument("-n", type=int, default=30)
    ap.add_argument("--append", action="store_true", help="add the section to bench/RESULTS.md")
    args = ap.parse_args()
    url = ensure_database(ROOT / "var" / "bench" / f"pages-{args.enterprises}.db", args.enterprises)
    rows, _code = measure(url, args.n)
    text = report(rows, args.n, args.enterprises)
    sys.stdout.write(text)
    if args.append:
        record("\n" + text)


if __name__ == "__main__":
    main()
