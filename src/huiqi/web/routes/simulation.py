"""Simulation in the staff console: choose a draft version or a sample reform, or write a
reform; see what it would cost against the published version, who gains and who loses,
by industry and district, with charts. Nothing is changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import Form, Response

from huiqi.errors import Conflict, InputError, PackError, UsageError
from huiqi.service import policies, simulation
from huiqi.service.permissions import Permission
from huiqi.text import Text

from ..pages import Page, PageDep, Pages

router = Pages()
RUN = Permission.SIMULATION_RUN
SAMPLES = Path("examples") / "reforms"


def samples() -> dict[str, str]:
    """The sample reforms (examples/reforms/*.yaml, here or in the checkout), by file name."""
    from huiqi.settings import shipped

    folder = shipped(SAMPLES)
    if not folder.is_dir():
        return {}
    return {f.name: f.read_text(encoding="utf-8") for f in sorted(folder.glob("*.yaml"))}


def _form(p: Page, status: int = 200, **values: Any) -> Response:
    packs = [pk for pk in policies.list_packs(p.ctx) if pk.current is not None]
    values.setdefault("result", None)
    values.setdefault("problems", None)
    values.setdefault("error", None)
    values.setdefault("chosen", {})
    choices = {pk.key: simulation.form_choices(p.ctx, pk.key) for pk in packs}
    return p.render("simulation.html", status=status, packs=packs, samples=samples(),
                    choices=choices, today=p.platform.today(), **values)


@router.page("GET", "/staff/simulation", RUN)
def form(p: PageDep) -> Response:
    return _form(p)


@router.page("POST", "/staff/simulation", RUN)
def run(p: PageDep, pack: Annotated[str, Form(max_length=64)],
        source: Annotated[str, Form(pattern="^(form|reform|draft)$")] = "reform",
        reform: Annotated[str, Form(max_length=200_000)] = "",
        number: Annotated[int | None, Form(ge=1, le=1_000_000_000)] = None,
        kind: Annotated[str, Form(pattern="^(parameter|switch_off|cap)$")] = "parameter",
        parameter: Annotated[str, Form(max_length=200)] = "",
        clause: Annotated[str, Form(max_length=200)] = "",
        capped: Annotated[str, Form(max_length=200)] = "",
        value: Annotated[str, Form(max_length=100)] = "",
        start: Annotated[dt.date | None, Form()] = None) -> Response:
    chosen: dict[str, Any] = {"pack": pack, "source": source, "reform": reform,
                              "number": number, "kind": kind, "parameter": parameter,
                              "clause": clause, "capped": capped, "value": value,
                              "start": start}
    try:
        if source == "draft":
            if number is None:
                raise InputError(Text("请选择要模拟的草稿版本", "Choose the draft to simulate"))
            result = simulation.compare(p.ctx, pack, number=number)
        else:
            if source == "form":
                target = {"parameter": parameter, "switch_off": clause, "cap": capped}[kind]
                reform = simulation.form_reform(p.ctx, pack, simulation.FormChange(
                    kind, target, value, start))
                chosen["reform"] = reform
            result = simulation.compare(p.ctx, pack, reform=reform)
    except PackError as exc:
        return _form(p, status=422, problems=[pr.as_dict() for pr in exc.problems],
                     chosen=chosen)
    except (InputError, UsageError, Conflict) as exc:
        return _form(p, status=422, error=exc, chosen=chosen)
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
