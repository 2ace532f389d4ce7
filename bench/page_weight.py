"""Bytes on the wire per page, compressed (issue 16, item 8) — a measurement, not a test.

    python -m bench.page_weight [--enterprises 3000] [--append]

The pages of ``bench/pages.py`` on the same demo database, asked in-process (Starlette's
TestClient) with ``Accept-Encoding: gzip`` as a browser does. Per page: the HTML as sent
(compressed) and unpacked; the static files it loads (style sheet, scripts, and ECharts
where a chart is drawn), as sent; the first visit (page + files) and a later visit (the
files, under hashed names, are kept by the browser for a year: the page only).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys

from bench.api_load import ensure_database
from bench.machine import describe, record
from bench.pages import ROOT, accounts, pages

_ASSET = re.compile(r'(?:src|href|data-echarts)="(/static/[^"]+)"')


def wire(client: object, method: str, path: str, **kwargs: object) -> tuple[int, int, str, int]:
    """(bytes as sent, bytes unpacked, text, status) of one request."""
    with client.stream(method, path, headers=kwargs.pop("headers", {}),  # type: ignore[attr-defined]
                       follow_redirects=False, **kwargs) as r:
        body = r.read()
        sent = r.num_bytes_downloaded
        return sent, len(body), body.decode("utf-8", "replace"), r.status_code


def more_pages(code: str) -> list[tuple[str, str, str, dict[str, object]]]:
    """The pages issue 16 added, measured here besides ``bench/pages.py``'s."""
    return [
        ("", "GET", "/library", {}),
        ("", "GET", "/library/seed/xm-torch-voucher", {}),
        ("enterprise", "GET", f"/match/{code}/facts", {}),
        ("enterprise", "GET", "/inbox", {}),
        ("enterprise", "GET", "/my/requests", {}),
        ("policy_officer", "GET", "/staff", {}),
        ("policy_officer", "GET", "/staff/policies/seed/1/diff", {}),
        ("admin", "GET", "/staff/accounts", {}),
        ("admin", "GET", "/staff/claims", {}),
        ("admin", "GET", "/staff/audit?kind=account", {}),
    ]


def measure(url: str) -> list[tuple[str, int, int, int, int, int]]:
    from fastapi.testclient import TestClient

    from huiqi.settings import Settings
    from huiqi.web import create_app
    from huiqi.web.pages import SESSION_COOKIE, csrf_token

    logins, code, clause = accounts(url)
    app = create_app(Settings(database_url=url, match_precompute=False))
    rows = []
    gzip = {"accept-encoding": "gzip, deflate, br"}
    with TestClient(app) as client:
        cookies = {}
        for role, cred in logins.items():
            user, password = cred.split("\t")
            r = client.post("/login", data={"username": user, "password": password},
                            follow_redirects=False)
            cookies[role] = r.cookies[SESSION_COOKIE]
        client.cookies.clear()
        sizes: dict[str, int] = {}
        for role, method, path, request in [*pages(code, clause), *more_pages(code)]:
            if path.endswith((".pdf", ".xlsx")):
                continue
            headers = dict(gzip)
            kwargs = dict(request)
            if role:
                headers["cookie"] = f"{SESSION_COOKIE}={cookies[role]}"
            if method == "POST" and role:
                kwargs["data"] = {**kwargs.get("data", {}),
                                  "csrf": csrf_token(app.state.platform, cookies[role])}
            sent, unpacked, text, status = wire(client, method, path, headers=headers, **kwargs)
            files = set(_ASSET.findall(text))
            if 'data-chart="' not in text:  # named for later, loaded only with a chart
                files -= {f for f in files if "echarts" in f and f'data-echarts="{f}"' in text}
            assets = 0
            for f in sorted(files):
                if f not in sizes:
                    sizes[f] = wire(client, "GET", f, headers=dict(gzip))[0]
                assets += sizes[f]
            rows.append((f"{method} {re.sub(r'9[0-9A-Z]{17}', '{code}', path)}", status,
                         sent, unpacked, assets, sent + assets))
    return rows


def report(rows: list[tuple[str, int, int, int, int, int]], entities: int) -> str:
    lines = [f"## Page weight: bytes on the wire per page (`python -m bench.page_weight`) — "
             f"{dt.date.today().isoformat()}", "",
             f"- machine: {describe(load=True)} (at the end of the run)",
             f"- data: `huiqi init-demo` database (SQLite), {entities:,} entities",
             "- method: each page asked in-process with `Accept-Encoding: gzip` (GZipMiddleware, "
             "responses ≥ 500 bytes); ECharts only on pages that draw a chart, under its hashed "
             "name (`Cache-Control: immutable`, a year); the base template's style sheet and "
             "scripts, while it names them plainly, are revalidated on a later visit (`no-cache`: "
             "a 304 without a body), so a later visit costs the page and a few 304s", "",
             "| page | status | HTML sent (B) | HTML unpacked (B) | static files sent (B) | "
             "first visit (B) | later visit (B) |",
             "|---|---|---:|---:|---:|---:|---:|"]
    lines += [f"| `{p}` | {s} | {sent:,} | {raw:,} | {assets:,} | {first:,} | {sent:,} |"
              for p, s, sent, raw, assets, first in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=3000)
    ap.add_argument("--append", action="store_true", help="add the section to bench/RESULTS.md")
    args = ap.parse_args()
    url = ensure_database(ROOT / "var" / "bench" / f"pages-{args.enterprises}.db", args.enterprises)
    text = report(measure(url), args.enterprises)
    sys.stdout.write(text)
    if args.append:
        record("\n" + text)


if __name__ == "__main__":
    main()
