"""Anonymous load beside signed-in users: what 50 anonymous clients cost the audit log and
the signed-in match endpoint (issue 10, item 7).

    python -m bench.anonymous_load [--rounds 3] [--duration 20] [--clients 50]
                                   [--anon-delay-ms 100] [--redis redis://127.0.0.1:6379/3]
                                   [--append]

1. makes (once) the demo database of bench/api_load.py and a leadership account;
2. starts ``huiqi serve --workers 2`` with production settings, the rate limits counted
   in Redis (shared by both workers), and lets it precompute the matches;
3. runs, ``--rounds`` times in turn: the signed-in load alone (``wrk``, ``GET
   /enterprises/{code}/match`` with a bearer token, each connection pausing
   ``--signed-delay-ms`` between requests), then the same load while ``--clients``
   anonymous clients send, for as long, requests without a valid sign-in (the match
   endpoint without a token, with a forged token, a wrong password, the calculator);
4. counts the audit entries (rows, and the events their counts stand for) the anonymous
   clients added, and verifies the audit chain after;
5. stops the server it started and, with ``--append``, adds a section to bench/RESULTS.md.

Only loopback is used; every run is bounded in time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from bench.api_load import (
    HUIQI,
    LUA,
    Served,
    common_options,
    fronted,
    login,
    parse_wrk,
    prepare,
    serving,
)
from bench.machine import describe, record

#: The anonymous clients' requests, in turn: (method, path, headers, body).
ANONYMOUS = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  counts = {}
  reqs = {
    wrk.format("GET", "/enterprises/%(code)s/match"),
    wrk.format("GET", "/enterprises/%(code)s/match", {["Authorization"] = "Bearer forged"}),
    wrk.format("POST", "/auth/login", {["Content-Type"] = "application/json"},
               '{"username": "demo_admin", "password": "not-the-password-1A"}'),
    wrk.format("POST", "/calculator", {["Content-Type"] = "application/x-www-form-urlencoded"},
               "q=park&value=x&action=answer"),
  }
  n = 0
end
function request()
  n = n + 1
  return reqs[(n %% #reqs) + 1]
end
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
%(delay)s
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("status %%d %%d\\n", k, v)) end
end
"""


def _delay(ms: int) -> str:
    return f"function delay() return {ms} end" if ms > 0 else ""


def _script(text: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(text)
        return fh.name


def signed_in(base: str, token: str, codes: list[str], args: argparse.Namespace
              ) -> subprocess.Popen[str]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(codes) + "\n")
        listing = fh.name
    script = _script(LUA % {"codes": listing, "explain": "false", "token": token, "threads": 1}
                     + _delay(args.signed_delay_ms) + "\n")
    return subprocess.Popen(["wrk", "-t1", f"-c{args.signed_clients}", f"-d{args.duration}s",
                             "--latency", "--timeout", "10s", "-s", script, base],
                            stdout=subprocess.PIPE, text=True)


def anonymous(base: str, code: str, args: argparse.Namespace) -> subprocess.Popen[str]:
    script = _script(ANONYMOUS % {"code": code, "delay": _delay(args.anon_delay_ms)})
    return subprocess.Popen(["wrk", "-t1", f"-c{args.clients}", f"-d{args.duration}s",
                             "--timeout", "10s", "-s", script, base],
                            stdout=subprocess.PIPE, text=True)


class _Together:
    """The CPU of huiqi's server and, in front of it, nginx's, counted together."""

    def __init__(self, servers: list[Served]) -> None:
        self.servers = servers

    def cpu_seconds(self) -> float:
        return sum(s.cpu_seconds() for s in self.servers)


def audit_counts(path: Path) -> tuple[int, int]:
    """Rows of the audit log, and the events they stand for (the sum of their counts)."""
    with sqlite3.connect(path) as con:
        rows, events = con.execute("SELECT count(*), coalesce(sum(count), 0) FROM audit_log"
                                   ).fetchone()
    return int(rows), int(events)


def statuses(out: str) -> dict[int, int]:
    return {int(k): int(v) for k, v in re.findall(r"^status (\d+) (\d+)$", out, re.M)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--clients", type=int, default=50, help="anonymous clients")
    ap.add_argument("--anon-delay-ms", type=int, default=100,
                    help="pause of each anonymous client between requests (0: none)")
    ap.add_argument("--signed-clients", type=int, default=10)
    ap.add_argument("--signed-delay-ms", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/3",
                    help="HUIQI_RATE_LIMIT_STORAGE of the server ('memory://': per worker)")
    ap.add_argument("--limits", action=argparse.BooleanOptionalAction, default=True,
                    help="the default rate limits (--no-limits: every limit 0)")
    ap.add_argument("--proxy", choices=("none", "nginx"), default="none",
                    help="nginx in front, configured as deploy/nginx (its own rate limits)")
    common_options(ap, settle=30)
    args = ap.parse_args(argv)
    user, password, codes = prepare(args)
    url = f"sqlite:///{args.database}"
    settings = {"HUIQI_RATE_LIMIT_STORAGE": args.redis}
    if not args.limits:
        for rule in ("ANONYMOUS", "CALCULATOR", "LOGIN", "LOGIN_ACCOUNT"):
            settings[f"HUIQI_RATE_LIMIT_{rule}_PER_MINUTE"] = "0"
    rounds: list[dict[str, object]] = []
    with serving(args.database, args.workers, settings) as huiqi, ExitStack() as stack:
        servers: list[Served] = [huiqi]
        if args.proxy == "nginx":
            servers.append(stack.enter_context(fronted(huiqi)))
        served = _Together(servers)
        base = servers[-1].base
        time.sleep(args.settle)
        token = login(base, user, password)
        parse_wrk(signed_in(base, token, codes, args).communicate()[0])  # warm-up
        for i in range(args.rounds):
            cpu = served.cpu_seconds()
            alone = parse_wrk(signed_in(base, token, codes, args).communicate()[0])
            cpu_signed = served.cpu_seconds() - cpu
            before = audit_counts(args.database)
            cpu = served.cpu_seconds()
            only = statuses(anonymous(base, codes[0], args).communicate()[0])
            cpu_anonymous = served.cpu_seconds() - cpu
            anon = anonymous(base, codes[0], args)
            loaded = parse_wrk(signed_in(base, token, codes, args).communicate()[0])
            seen = statuses(anon.communicate()[0])
            # the counts of a minute are written once it is over
            time.sleep(60 - time.time() % 60 + 5)
            after = audit_counts(args.database)
            r = {"alone": alone, "loaded": loaded, "anonymous": seen, "only": only,
                 "rows": after[0] - before[0], "events": after[1] - before[1],
                 "cpu_signed_ms": 1000 * cpu_signed / max(1, int(alone["requests"])),  # type: ignore[call-overload]
                 "cpu_anonymous_ms": 1000 * cpu_anonymous / max(1, sum(only.values()))}
            rounds.append(r)
            print(f"round {i + 1}: signed-in p99 alone {alone['p99']:.1f} ms, beside anonymous "
                  f"{loaded['p99']:.1f} ms; anonymous {sum(seen.values())} requests "
                  f"{dict(sorted(seen.items()))} (+{sum(only.values())} alone); audit "
                  f"+{r['rows']} rows for {r['events']} refusals; server CPU per request: "
                  f"signed-in {r['cpu_signed_ms']:.2f} ms, anonymous "
                  f"{r['cpu_anonymous_ms']:.2f} ms")
    verify = subprocess.run([HUIQI, "audit", "verify", "--database", url, "--lang", "en"],
                            check=False, capture_output=True, text=True)
    chain = " ".join((verify.stdout + verify.stderr).split())
    print(chain)
    if args.append:
        append(args, rounds, chain)
    return 0


def _median(rounds: list[dict[str, object]], phase: str, key: str) -> float:
    return statistics.median(float(r[phase][key]) for r in rounds)  # type: ignore[index]


def append(args: argparse.Namespace, rounds: list[dict[str, object]], chain: str) -> None:
    limits = ("the default limits (anonymous 120/min, calculator 60/min, sign-in 10/min per "
              "address; 10 failures/min per account)" if args.limits else "every limit off")
    lines = [
        "", f"## Anonymous load beside signed-in users ({dt.date.today().isoformat()})", "",
        f"- command: `python -m bench.anonymous_load --rounds {args.rounds} --duration "
        f"{args.duration} --clients {args.clients} --anon-delay-ms {args.anon_delay_ms}"
        f"{'' if args.limits else ' --no-limits'}"
        f"{' --proxy nginx' if args.proxy == 'nginx' else ''}`",
        f"- machine: {describe(load=False)}; load average {args.load:.1f} before the run "
        "(other engineers' tests share the 2 cores)",
        f"- server: `huiqi serve --workers {args.workers}`, HUIQI_ENV=production, the "
        f"bench database of `bench/api_load.py` (SQLite, WAL), rate limits in "
        f"`{args.redis}` with {limits}; matches precomputed ({args.settle} s allowed)"
        + ("; **nginx in front** (one worker process), configured with deploy/nginx as "
           "shipped (its own limits per address: anonymous 120/min, sign-in 10/min, "
           "calculator 60/min; signed-in requests not limited there), both clients "
           "talking to nginx; the CPU per request is huiqi's and nginx's together"
           if args.proxy == "nginx" else ""),
        f"- signed-in load: `wrk -t1 -c{args.signed_clients} -d{args.duration}s`, each "
        f"connection pausing {args.signed_delay_ms} ms between requests, `GET "
        "/enterprises/{code}/match?explain=false` for the next of 2,000 enterprises, "
        "leadership token",
        f"- anonymous load, run at the same time: `wrk -t1 -c{args.clients}`, each client "
        + (f"pausing {args.anon_delay_ms} ms between requests" if args.anon_delay_ms
           else "without pause")
        + ", in turn: the match endpoint without a token, with a forged token, a wrong "
        "password at `/auth/login`, an answer to the calculator; all from 127.0.0.1",
        "- each round: the signed-in load alone; the anonymous load alone; both at once. "
        "Server CPU (user + system of the server and its workers, from /proc) per request "
        "is measured in the phases alone: unlike latency, it does not depend on what else "
        "the machine runs",
        "- audit entries: rows the two anonymous runs of a round (2 × "
        f"{args.duration} s) added, counted once the server had written the counts of "
        "their last minute, and the refusals those rows stand for",
        "",
        "| round | signed-in p50 / p99 ms, alone | beside anonymous | anonymous requests "
        "beside (by status) | audit rows added | refusals they count | server CPU per "
        "request: signed-in / anonymous |",
        "|---|---|---|---|---|---|---|"]
    for i, r in enumerate(rounds, 1):
        a, b = r["alone"], r["loaded"]
        seen: dict[int, int] = r["anonymous"]  # type: ignore[assignment]
        by = ", ".join(f"{k}: {v:,}" for k, v in sorted(seen.items()))
        lines.append(f"| {i} | {a['p50']:.1f} / {a['p99']:.1f} | "  # type: ignore[index]
                     f"{b['p50']:.1f} / {b['p99']:.1f} | "  # type: ignore[index]
                     f"{sum(seen.values()):,} ({by}) | {r['rows']} | {r['events']:,} | "
                     f"{r['cpu_signed_ms']:.2f} / {r['cpu_anonymous_ms']:.2f} ms |")
    alone, loaded = _median(rounds, "alone", "p99"), _median(rounds, "loaded", "p99")
    lines += ["", f"Median p99 of the signed-in requests: {alone:.1f} ms alone, {loaded:.1f} ms "
              f"beside the anonymous clients: **{loaded / alone:.2f}×** (target ≤ 1.20×). "
              f"At most {max(int(str(r['rows'])) for r in rounds)} audit rows per round "
              f"(2 × {args.duration} s of anonymous load). After the run: {chain}"]
    record("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
