"""Stored match results in the staff console: per clause the count by status and the
money; one clause's results (filtered by status), its near-misses, and exports."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from huiqi.api.routes.params import IdPath, Offset, PackPath
from huiqi.errors import Conflict
from huiqi.service import matching, policies, reports
from huiqi.service.permissions import Permission

from .. import exports, sheets
from ..pages import PageDep, Pages
from .matches import XLSX, _download

router = Pages()
READ = Permission.RESULT_READ
PAGE = 25
EXPORT_MAX = 500
Status = Annotated[str | None, Query(pattern="^(eligible|not_eligible|undetermined|needs_review)$")]


@router.page("GET", "/staff/results", READ)
def overview(p: PageDep) -> Response:
    totals = []
    for pk in policies.list_packs(p.ctx):
        if pk.current is None:
            continue
        try:
            totals.append((pk, reports.pack_totals(p.ctx, pk.key),
                           policies.pack_of(p.ctx, pk.key)))
        except Conflict:
            continue
    return p.render("results.html", totals=totals)


@router.page("GET", "/staff/results/{pack}/{policy}/{clause}", READ)
def clause(p: PageDep, pack: PackPath, policy: IdPath, clause: IdPath, status: Status = None,
           offset: Offset = 0) -> Response:
    key = f"{policy}/{clause}"
    totals = reports.pack_totals(p.ctx, pack)
    tally = next((t for t in totals.clauses if t.key == key), None)
    page = matching.clause_results(p.ctx, pack, key, status=status, offset=offset, limit=PAGE)
    near_total, near = reports.near_misses(p.ctx, pack, key, as_of=totals.as_of, limit=20)
    spec = policies.pack_of(p.ctx, pack).clause(key)
    labels = {c.path: c.label for c in spec.all_conditions()} if spec else {}
    return p.render("clause_results.html", pack=pack, key=key, spec=spec, totals=totals,
                    tally=tally, page=page, near=near, near_total=near_total, chosen=status, labels=labels,
                    size=PAGE)


def _export(p: PageDep, pack: str, key: str) -> tuple[list[list[object]], str]:
    page = matching.clause_results(p.ctx, pack, key, limit=EXPORT_MAX)
    rows = exports.result_rows(page.items)
    offset = EXPORT_MAX
    while offset < page.total:
        more = matching.clause_results(p.ctx, pack, key, offset=offset, limit=EXPORT_MAX)
        rows += exports.result_rows(more.items)
        offset += EXPORT_MAX
    day = page.items[0].as_of.isoformat() if page.items else "none"
    return rows, f"huiqi-{pack}-{key.replace('/', '-')}-{day}"


@router.page("GET", "/staff/results/{pack}/{policy}/{clause}/export.csv", READ)
def export_csv(p: PageDep, pack: PackPath, policy: IdPath, clause: IdPath) -> Response:
    rows, stem = _export(p, pack, f"{policy}/{clause}")
    return _download(sheets.csv_bytes(exports.RESULT_HEADER, rows), "text/csv; charset=utf-8",
                     f"{stem}.csv")


@router.page("GET", "/staff/results/{pack}/{policy}/{clause}/export.xlsx", READ)
def export_xlsx(p: PageDep, pack: PackPath, policy: IdPath, clause: IdPath) -> Response:
    rows, stem = _export(p, pack, f"{policy}/{clause}")
    return _download(sheets.xlsx(f"{policy}-{clause}", exports.RESULT_HEADER, rows,
                                 widths=[22, 34, 12, 18, 14, 16, 16, 30, 30, 12, 30]),
                     XLSX, f"{stem}.xlsx")
