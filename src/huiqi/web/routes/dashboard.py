"""The leadership dashboard: what the published policies would pay (stored results of the
latest run), by policy, industry and district; eligible against undetermined; charts drawn
by Apache ECharts shipped with the package, each with its table beside it."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from huiqi.facts.catalogue import default_catalogue
from huiqi.service import policies, reports
from huiqi.service.permissions import Permission

from ..pages import Page, PageDep, Pages

router = Pages()


def policy_titles(p: Page, keys: list[str]) -> dict[str, str]:
    """``pack/policy`` → the policy's title."""
    out: dict[str, str] = {}
    packs: dict[str, Any] = {}
    for k in keys:
        pack, _, pol = k.partition("/")
        if pack not in packs:
            packs[pack] = policies.pack_of(p.ctx, pack)
        spec = packs[pack].policy(pol)
        out[k] = p.text(spec.title) if spec else k
    return out


@router.page("GET", "/dashboard", Permission.RESULT_READ)
def dashboard(p: PageDep) -> Response:
    o = reports.overview(p.ctx)
    titles = policy_titles(p, [t.key for t in o.by_policy])
    industry = default_catalogue().enums["industry"].values
    industries = {t.key: p.text(industry[t.key]) if t.key in industry else t.key
                  for t in o.by_industry}

    def series(rows: list[reports.Tally], names: dict[str, str]) -> dict[str, Any]:
        return {"labels": [names.get(t.key, t.key) for t in rows],
                "amount": [str(t.amount) for t in rows],
                "potential": [str(t.potential) for t in rows],
                "eligible": [t.counts["eligible"] for t in rows],
                "undetermined": [t.counts["undetermined"] + t.counts["needs_review"]
                                 for t in rows]}

    charts = {"policy": series(o.by_policy, titles),
              "industry": series(o.by_industry[:12], industries),
              "district": series(o.by_district, {})}
    from huiqi.vouchers.competitions import latest_counts

    contest = latest_counts(p.platform.db)
    if contest is not None:
        top = contest.universities[:15]
        charts["universities"] = {"labels": [u["university"] for u in top],
                                  "entrants": [u["entrants"] for u in top]}
    return p.render("dashboard.html", o=o, titles=titles, industries=industries,
                    charts=charts, contest=contest)
