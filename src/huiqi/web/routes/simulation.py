"""Simulation in the staff console: choose a draft version or a sample reform, or write a
reform; see what it would cost against the published version, who gains and who loses,
by industry and district, with charts. Nothing is changed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Form, Response

from huiqi.errors import PackError
from huiqi.service import policies, simulation
from huiqi.service.permissions import Permission

from ..pages import Page, PageDep, Pages

router = Pages()
RUN = Permission.SIMULATION_RUN
SAMPLES = Path("examples") / "reforms"


def samples() -> dict[str, str]:
    """The sample reforms beside the policies (examples/reforms/*.yaml), by file name."""
    if not SAMPLES.is_dir():
        return {}
    return {f.name: f.read_text(encoding="utf-8") for f in sorted(SAMPLES.glob("*.yaml"))}


def _form(p: Page, status: int = 200, **values: Any) -> Response:
    packs = [pk for pk in policies.list_packs(p.ctx) if pk.current is not None]
    values.setdefault("result", None)
    values.setdefault("problems", None)
    values.setdefault("chosen", {})
    return p.render("simulation.html", status=status, packs=packs, samples=samples(), **values)


@router.page("GET", "/staff/simulation", RUN)
def form(p: PageDep) -> Response:
    return _form(p)


@router.page("POST", "/staff/simulation", RUN)
def run(p: PageDep, pack: Annotated[str, Form(max_length=64)],
        source: Annotated[str, Form(pattern="^(reform|draft)$")] = "reform",
        reform: Annotated[str, Form(max_length=200_000)] = "",
        number: Annotated[int | None, Form(ge=1, le=1_000_000_000)] = None) -> Response:
    chosen = {"pack": pack, "source": source, "reform": reform, "number": number}
    try:
        if source == "draft":
            result = simulation.compare(p.ctx, pack, number=number)
        else:
            result = simulation.compare(p.ctx, pack, reform=reform)
    except PackError as exc:
        return _form(p, status=422, problems=[pr.as_dict() for pr in exc.problems],
                     chosen=chosen)
    return _form(p, result=result, chosen=chosen, charts=charts(p, result),
                 industries=_industries(p))


def _industries(p: Page) -> dict[str, str]:
    from huiqi.facts.catalogue import default_catalogue

    return {k: p.text(v) for k, v in default_catalogue().enums["industry"].values.items()}


def charts(p: Page, r: simulation.Comparison) -> dict[str, Any]:
    """What the charts draw (the tables beside them hold the same numbers, exact)."""
    before, after = p.t("改革前", "Before"), p.t("改革后", "After")
    names = _industries(p)
    top = r.by_industry[:12]
    return {
        "industry": {"type": "bar", "unit": p.t("元", "yuan"),
                     "labels": [names.get(c.key, c.key) for c in top],
                     "series": [{"name": before, "values": [str(c.before) for c in top]},
                                {"name": after, "values": [str(c.after) for c in top]}]},
        "district": {"type": "bar", "stack": True, "unit": p.t("家", "firms"),
                     "labels": [c.key for c in r.by_district],
                     "series": [{"name": p.t("受益", "Gain"),
                                 "values": [c.gainers for c in r.by_district]},
                                {"name": p.t("受损", "Lose"),
                                 "values": [c.losers for c in r.by_district]}]},
        "who": {"type": "pie", "labels": [p.t("受益", "Gain"), p.t("受损", "Lose"),
                                          p.t("新符合", "Newly qualify"),
                                          p.t("不再符合", "Drop out")],
                "series": [{"name": p.t("企业数", "Enterprises"),
                            "values": [r.gainers, r.losers, r.newly_qualify, r.drop_out]}]},
    }
