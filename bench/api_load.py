"""Load benchmark of the one-enterprise match endpoint, with a real HTTP load generator.

    python -m bench.api_load [--enterprises 3000] [--connections 50] [--duration 20]
                             [--workers 2] [--append]
    python -m bench.api_load --in-process [--rounds 3] [--append]

1. makes (once) a demo database with ``huiqi init-demo`` under var/bench/;
2. adds a read-only (leadership) account with a random password;
3. starts ``huiqi serve`` on 127.0.0.1 with production settings (a random secret key);
4. runs ``wrk`` (Debian's package: ``apt-get install -y wrk``) against
   ``GET /enterprises/{code}/match``, each request for another enterprise, with and
   without explanations, after a warm-up;
5. stops the server it started and, with ``--append``, adds a section to bench/RESULTS.md.

Only loopback is used; every run is bounded in time.

``--in-process`` measures the application's own time per response without HTTP or wrk:
the service call behind ``GET /enterprises/{code}/match`` (``matching.match_one_json``) for
each enterprise in turn, computed (nothing remembered) with and without explanations, and
served from memory once computed; medians over the enterprises, best of ``--rounds``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.machine import describe, record

ROOT = Path(__file__).resolve().parent.parent
HUIQI = str(Path(sys.executable).with_name("huiqi"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_database(path: Path, n: int) -> str:
    url = f"sqlite:///{path}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([HUIQI, "init-demo", "--database", url, "--enterprises", str(n)],
                       check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return url


def bench_account(url: str) -> tuple[str, str]:
    from huiqi.service import accounts
    from huiqi.service.context import Platform
    from huiqi.service.permissions import Role
    from huiqi.settings import Settings
    from huiqi.store.database import Database

    db = Database.connect(url)
    ctx = Platform(db, Settings(database_url=url)).system()
    name = f"bench_{secrets.token_hex(3)}"
    password = "Bench-" + secrets.token_urlsafe(18) + "-9a"
    accounts.create(ctx, name, "压测", Role.LEADERSHIP, password)
    db.dispose()
    return name, password


def codes_of(path: Path, limit: int = 2000) -> list[str]:
    limit = int(os.environ.get("BENCH_CODES", limit))
    with sqlite3.connect(path) as con:
        return [r[0] for r in con.execute(
            "SELECT credit_code FROM entity WHERE kind = 'enterprise' ORDER BY id LIMIT ?",
            (limit,))]


def wait_up(base: str, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def login(base: str, user: str, password: str) -> str:
    req = urllib.request.Request(base + "/auth/login", method="POST",
                                 data=json.dumps({"username": user, "password": password}).encode(),
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return str(json.load(r)["access_token"])


# each wrk thread starts at its own place in the list (thread k of n at k/n of it), so that
# two threads do not ask for the same enterprise at the same moment (the second would be
# answered from memory)
LUA = """
codes = {}
for line in io.lines("%(codes)s") do codes[#codes + 1] = line end
local started = 0
function setup(thread)
  thread:set("first", started)
  started = started + 1
end
function init(args)
  counter = math.floor(first * #codes / %(threads)d)
end
request = function()
  counter = counter + 1
  local code = codes[(counter %% #codes) + 1]
  return wrk.format("GET", "/enterprises/" .. code .. "/match?explain=%(explain)s",
                    {["Authorization"] = "Bearer %(token)s"})
end
"""


def run_wrk(base: str, token: str, codes: list[str], explain: bool, connections: int,
            duration: int, threads: int) -> dict[str, object]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(codes) + "\n")
        listing = fh.name
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(LUA % {"codes": listing, "explain": str(explain).lower(), "token": token,
                        "threads": threads})
        script = fh.name
    try:
        out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s",
                              "--latency", "--timeout", "10s", "-s", script, base],
                             check=True, capture_output=True, text=True,
                             timeout=duration + 60).stdout
    finally:
        os.unlink(script)
        os.unlink(listing)
    return parse_wrk(out)


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    assert m, text
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(out: str) -> dict[str, object]:
    pct = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "requests": total, "p50": pct.get("50"), "p90": pct.get("90"),
            "p99": pct.get("99"), "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else "none", "raw": out}


def common_options(ap: argparse.ArgumentParser, settle: int) -> None:
    """The options of every load benchmark on the served platform."""
    ap.add_argument("--settle", type=int, default=settle,
                    help="seconds to let the server precompute before any load")
    ap.add_argument("--database", type=Path, default=ROOT / "var" / "bench" / "huiqi.db")
    ap.add_argument("--append", action="store_true", help="add the results to bench/RESULTS.md")


def prepare(args: argparse.Namespace) -> tuple[str, str, list[str]]:
    """Check that wrk is there, note the load average, make the database (once) and a
    leadership account; the account's name and password, and the enterprises to ask for."""
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install -y wrk", file=sys.stderr)
        raise SystemExit(2)
    args.load = os.getloadavg()[0]
    url = ensure_database(args.database, args.enterprises)
    user, password = bench_account(url)
    return user, password, codes_of(args.database)


@dataclass(frozen=True)
class Served:
    """A server started by :func:`serving`: its address, and its process group."""

    base: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server and its workers (user and system, every
        thread), read from /proc."""
        ticks = 0
        for d in Path("/proc").iterdir():
            if not d.name.isdigit():
                continue
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.pid:  # the process group
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def serving(database: Path, workers: int, settings: dict[str, str]) -> Iterator[Served]:
    """``huiqi serve`` on ``database`` with production settings (a random secret key) and
    ``settings``, on a free loopback port; yields it once it answers, and stops it (and its
    workers) at the end. The server's output goes to serve.log beside the database."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HUIQI_ENV": "production", "HUIQI_SECRET_KEY": secrets.token_urlsafe(48),
           "HUIQI_DATABASE_URL": f"sqlite:///{database}", **settings}
    with (database.parent / "serve.log").open("wb") as log:
        server = subprocess.Popen([HUIQI, "serve", "--port", str(port), "--workers",
                                   str(workers)], env=env, cwd=ROOT, start_new_session=True,
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_up(base)
            yield Served(base, server.pid)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


NGINX = ROOT / "deploy" / "nginx"


@contextmanager
def fronted(served: Served) -> Iterator[Served]:
    """nginx in front of ``served``, with the configuration huiqi ships (deploy/nginx: its
    rate limits, its proxy settings; only the upstream's port is this server's), on a free
    loopback port, one worker process; yields its address and process group (CPU: nginx's
    own), and stops it at the end."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        print("nginx is needed for --proxy nginx: apt-get install -y nginx-light", file=sys.stderr)
        raise SystemExit(2)
    port, upstream = _free_port(), served.base.rsplit(":", 1)[1]
    with tempfile.TemporaryDirectory(prefix="huiqi-nginx-") as tmp:
        folder = Path(tmp)
        for f in NGINX.glob("*.conf"):
            text = f.read_text(encoding="utf-8")
            (folder / f.name).write_text(text.replace("server 127.0.0.1:8000;",
                                                      f"server 127.0.0.1:{upstream};"),
                                         encoding="utf-8")
        temp = "".join(f"{k}_temp_path {folder / k};\n"
                       for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (folder / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"worker_processes 1;\npid {folder / 'nginx.pid'};\n"
            f"error_log {folder / 'error.log'} warn;\nevents {{ worker_connections 4096; }}\n"
            f"http {{\n{temp}access_log off;\ninclude huiqi-limits.conf;\n"
            f"server {{ listen 127.0.0.1:{port}; include huiqi-locations.conf; }}\n}}\n",
            encoding="utf-8")
        proxy = subprocess.Popen([nginx, "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                                 start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_up(base)
            yield Served(base, proxy.pid)
        finally:
            os.killpg(proxy.pid, signal.SIGTERM)
            proxy.wait(timeout=30)


def machine() -> str:
    return describe(load=False)


def in_process(url: str, codes: list[str], rounds: int) -> dict[str, float]:
    """Median µs per response of the match service call, in this process (see the module's
    docstring)."""
    import gc
    import statistics

    from huiqi.service import matching
    from huiqi.service.context import SYSTEM, Platform
    from huiqi.service.enterprises import today
    from huiqi.service.policies import warm
    from huiqi.settings import Settings
    from huiqi.store.database import Database

    db = Database.connect(url)
    out: dict[str, float] = {}
    try:
        for label, cache_mb, explain in (("computed, explain=false", 0, False),
                                         ("computed, explain=true", 0, True),
                                         ("remembered, explain=false", 64, False)):
            platform = Platform(db, Settings(database_url=url, match_cache_mb=cache_mb))
            ctx = platform.as_actor(SYSTEM)
            warm(ctx, today(ctx))
            if cache_mb:
                for code in codes:
                    matching.match_one_json(ctx, code, explain=explain)
            best = None
            for _ in range(rounds):
                times = []
                gc.collect()
                for code in codes:
                    t0 = time.perf_counter()
                    matching.match_one_json(ctx, code, explain=explain)
                    times.append((time.perf_counter() - t0) * 1e6)
                med = statistics.median(times)
                best = med if best is None else min(best, med)
            assert best is not None
            out[label] = best
            print(f"{label}: {best:,.0f} µs")
    finally:
        db.dispose()
    return out


def append_in_process(args: argparse.Namespace, n: int, results: dict[str, float]) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], check=False, capture_output=True,
                            text=True, cwd=ROOT).stdout.strip()
    lines = ["", f"## API match service in process ({dt.date.today().isoformat()}, {commit})", "",
             f"- machine: {machine()}; load average {args.load:.1f} before the run",
             f"- `python -m bench.api_load --in-process --rounds {args.rounds}`: "
             f"`matching.match_one_json` for each of {n:,} enterprises of the `huiqi init-demo` "
             "database in turn, no HTTP; median µs per response, best of the rounds", "",
             "| variant | median µs |", "|---|---:|"]
    lines += [f"| {k} | {v:,.0f} |" for k, v in results.items()]
    record("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=3000)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3, help="seconds of load before measuring")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cache-mb", type=int, default=64,
                    help="HUIQI_MATCH_CACHE_MB of the server (0: every request computed)")
    ap.add_argument("--precompute", action=argparse.BooleanOptionalAction, default=True,
                    help="HUIQI_MATCH_PRECOMPUTE: the server computes every match at start-up")
    common_options(ap, settle=0)
    ap.add_argument("--in-process", action="store_true",
                    help="time the match service call in this process (no server, no wrk)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of --in-process (best kept)")
    args = ap.parse_args(argv)
    if args.in_process:
        args.load = os.getloadavg()[0]
        url = ensure_database(args.database, args.enterprises)
        codes = codes_of(args.database, 500)
        results = in_process(url, codes, args.rounds)
        if args.append:
            append_in_process(args, len(codes), results)
        return 0
    user, password, codes = prepare(args)
    results: dict[str, dict[str, object]] = {}
    with serving(args.database, args.workers, {
            "HUIQI_MATCH_CACHE_MB": str(args.cache_mb),
            "HUIQI_MATCH_PRECOMPUTE": "true" if args.precompute else "false"}) as served:
        base = served.base
        time.sleep(args.settle)
        token = login(base, user, password)
        run_wrk(base, token, codes, False, args.connections, args.warmup, args.threads)
        for explain in (False, True):
            r = run_wrk(base, token, codes, explain, args.connections, args.duration,
                        args.threads)
            results["explain" if explain else "decision"] = r
            print(f"explain={explain}: {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, "
                  f"p90 {r['p90']:.1f} ms, p99 {r['p99']:.1f} ms, non-2xx {r['non_2xx']}")
    if args.append:
        append(args, results)
    return 0


def append(args: argparse.Namespace, results: dict[str, dict[str, object]]) -> None:
    with sqlite3.connect(args.database) as con:
        entities = con.execute("SELECT count(*) FROM entity").fetchone()[0]
        facts = con.execute("SELECT count(*) FROM fact_value").fetchone()[0]
        packs = [r[0] for r in con.execute(
            "SELECT version_key FROM pack_version WHERE status = 'published'")]
    lines = [
        "", f"## API load: one-enterprise match ({dt.date.today().isoformat()})", "",
        f"- machine: {machine()}; load average {args.load:.1f} before the run",
        f"- data: `huiqi init-demo` database (SQLite, WAL), {entities:,} entities, "
        f"{facts:,} fact values; packs {', '.join(packs)}",
        f"- server: `huiqi serve --workers {args.workers}` (uvicorn with httptools and uvloop, "
        f"HUIQI_ENV=production, HUIQI_MATCH_CACHE_MB={args.cache_mb}"
        + (": every request computed" if args.cache_mb == 0 else
           ": responses kept per entity revision, so repeated enterprises are served from "
           "memory")
        + (f"; HUIQI_MATCH_PRECOMPUTE=true: every match computed into that memory at start-up, "
           f"{args.settle} s allowed before the load" if args.precompute and args.cache_mb else "")
        + "), on 127.0.0.1, same 2 cores as the load generator",
        f"- load: `wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency`, "
        "each request `GET /enterprises/{code}/match` for the next of "
        f"{len(codes_of(args.database)):,} enterprises in turn (each wrk thread from its own "
        "place in the list), signed in (bearer token, "
        f"leadership role); {args.warmup} s warm-up first",
        "", "| variant | req/s | p50 ms | p90 ms | p99 ms | non-2xx |", "|---|---|---|---|---|---|"]
    for name, label in (("decision", "`?explain=false` (statuses, amounts, gaps)"),
                        ("explain", "`?explain=true` (every clause explained)")):
        r = results[name]
        lines.append(f"| {label} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p90']:.1f} | "
                     f"{r['p99']:.1f} | {r['non_2xx']} |")
    record("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
