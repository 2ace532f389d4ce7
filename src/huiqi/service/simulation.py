"""Simulations over the stored entities: what a reform (a reform file, as
:mod:`huiqi.population.reform` reads it, or a draft version of the pack) would cost
against the published version, and who gains and who loses. Changes nothing.

Only the clauses the reform touches are matched on both sides (by the population engine,
DuckDB); per entity the change is the reform's payable total over those clauses minus
the published version's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from huiqi.errors import PackError, UsageError
from huiqi.packs import versions as PV
from huiqi.packs.files import materialised
from huiqi.population.comparison import (
    ZERO,
    Change,
    Comparison,
    in_order,
    largest,
    ranked,
    transitions,
)
from huiqi.rules.model import Pack
from huiqi.text import Text

from .context import Context, requires
from .enterprises import today
from .permissions import Permission
from .policies import loaded

REFORM_FILE = "reform.yaml"


@requires(Permission.SIMULATION_RUN)
def compare(ctx: Context, pack: str, *, reform: str | None = None, number: int | None = None,
            as_of: dt.date | None = None) -> Comparison:
    """The published version of ``pack`` against a reform file's text, or against version
    ``number`` (a draft). A reform that fails checking raises :class:`PackError` with its
    problems located in ``reform.yaml``."""
    day = as_of or today(ctx)
    with ctx.db.read() as s:
        v = PV.published(s, pack)
        base_files = PV.files_of(s, v.id)
        other = PV.get_version(s, pack, number) if number is not None else None
        other_files = PV.files_of(s, other.id) if other is not None else None
    base = loaded(ctx, pack, v)
    if reform is not None:
        title, new, keys = _reform(pack, base_files, reform)
        reform_version = new.version_id
    else:
        if other_files is None or other is None:
            raise UsageError(Text("请选择草稿版本或填写改革方案", "choose a draft or write a reform"))
        new = PV.load(pack, other_files)
        keys = sorted({c.key for c in base.clauses()} | {c.key for c in new.clauses()})
        title = Text(f"{pack} 第 {other.number} 版", f"{pack} version {other.number}")
        reform_version = new.version_id
    from .population import _rows, _table

    table, names = _table(ctx, day)
    dims = _dimensions(table)
    before = _baseline(ctx, base, day, table, [k for k in keys if base.clause(k)])
    after = _by_entity(_rows(new, day, table, [k for k in keys if new.clause(k)]))
    out = Comparison(reform=pack, title=title, as_of=day, baseline_version=base.version_id,
                     reform_version=reform_version, entities=len(names), clauses=keys)
    groups: dict[str, dict[str, Change]] = {"industry": {}, "district": {}, "clause": {}}
    moves: Counter[tuple[str, str, str]] = Counter()
    changes = []
    for eid in sorted(set(before) | set(after)):
        b, a = before.get(eid, {}), after.get(eid, {})
        total_b = sum((x[1] for x in b.values()), ZERO)
        total_a = sum((x[1] for x in a.values()), ZERO)
        out.cost_before += total_b
        out.cost_after += total_a
        qual_b = any(x[0] == "eligible" for x in b.values())
        qual_a = any(x[0] == "eligible" for x in a.values())
        out.gainers += total_a > total_b
        out.losers += total_a < total_b
        out.newly_qualify += qual_a and not qual_b
        out.drop_out += qual_b and not qual_a
        industry, district = dims.get(eid, ("unknown", "unknown"))
        for dim, value in (("industry", industry), ("district", district)):
            g = groups[dim].setdefault(value, Change(value))
            g.before += total_b
            g.after += total_a
            g.gainers += total_a > total_b
            g.losers += total_a < total_b
        for clause in set(b) | set(a):
            sb, mb = b.get(clause, ("absent", ZERO))
            sa, ma = a.get(clause, ("absent", ZERO))
            g = groups["clause"].setdefault(clause, Change(clause))
            g.before += mb
            g.after += ma
            g.gainers += ma > mb
            g.losers += ma < mb
            g.eligible_before += sb == "eligible"
            g.eligible_after += sa == "eligible"
            moves[(clause, sb, sa)] += 1
        if total_a != total_b:
            changes.append((eid, names.get(eid, ""), total_b, total_a))
    out.by = {dim: ranked(groups[dim].values()) for dim in ("industry", "district")}
    out.by_clause = in_order(groups["clause"].values(), keys)
    out.transitions = transitions(moves)
    out.largest = largest(changes)
    return out


# ------------------------------------------------------------ the common reforms, as a form

@dataclass(frozen=True)
class Choice:
    """Something the form may change: a parameter (with its value now), a clause, or a
    clause's cap."""

    key: str            # policy/parameter or policy/clause
    label: Text
    now: str = ""       # the value in force today, as written (parameters and caps)


@dataclass(frozen=True)
class Choices:
    parameters: list[Choice]
    clauses: list[Choice]
    caps: list[Choice]


@dataclass(frozen=True)
class FormChange:
    """One common reform: ``parameter`` (a new value from a date), ``switch_off`` (a clause
    no longer applies), ``cap`` (a clause's cap changed from a date)."""

    kind: str
    target: str
    value: str = ""
    start: dt.date | None = None


@requires(Permission.SIMULATION_RUN)
def form_choices(ctx: Context, pack: str) -> Choices:
    """What the form offers for the published version of ``pack``."""
    from huiqi.engine.format import fmt_value

    with ctx.db.read() as s:
        v = PV.published(s, pack)
    base = loaded(ctx, pack, v)
    day = today(ctx)
    params, clauses, caps = [], [], []
    for pol in base.policies:
        for name, prm in pol.params.items():
            current = [val for start, val in prm.values if start <= day] or \
                [val for _start, val in prm.values]
            now = fmt_value(current[-1], prm.type) if current else ""
            params.append(Choice(f"{pol.id}/{name}", prm.label, now))
        for c in pol.clauses:
            clauses.append(Choice(f"{pol.id}/{c.id}", c.title))
            if c.benefit is not None and c.benefit.cap_text:
                caps.append(Choice(f"{pol.id}/{c.id}", c.title, c.benefit.cap_text))
    return Choices(params, clauses, caps)


@requires(Permission.SIMULATION_RUN)
def form_reform(ctx: Context, pack: str, change: FormChange) -> str:
    """The reform file (YAML) for one common reform: what the form runs, shown beside it so
    that it can be taken further by hand. Refuses, in Chinese and English, what it cannot
    build."""
    import yaml

    from huiqi.errors import InputError

    choices = form_choices(ctx, pack)
    start = change.start or today(ctx)
    value = change.value.strip()
    title: dict[str, str]
    if change.kind == "switch_off":
        c = _one(choices.clauses, change.target, Text("条款", "clause"))
        title = {"zh": f"停止执行:{c.label.zh}", "en": f"Switched off: {c.label.en}"}
        changes: list[dict[str, Any]] = [{"clause": c.key, "remove": True}]
    elif change.kind in ("parameter", "cap"):
        if not value:
            raise InputError(Text("请填写新的数值(如 30万元、15%、500000)",
                                  "Give the new value (e.g. 30万元, 15%, 500000)"))
        if change.kind == "parameter":
            prm = _one(choices.parameters, change.target, Text("参数", "parameter"))
            title = {"zh": f"{prm.label.zh}自 {start} 起改为 {value}",
                     "en": f"{prm.label.en}: {value} from {start}"}
            changes = [_parameter(pack, ctx, prm.key, value, start)]
        else:
            c = _one(choices.caps, change.target, Text("有上限的条款", "clause with a cap"))
            title = {"zh": f"{c.label.zh}的上限自 {start} 起改为 {value}",
                     "en": f"{c.label.en}: cap {value} from {start}"}
            policy = c.key.split("/")[0]
            names = {p.key.split("/")[1] for p in choices.parameters if p.key.startswith(
                policy + "/")}
            if c.now in names:  # the cap is a parameter: change its values from the date
                changes = [_parameter(pack, ctx, f"{policy}/{c.now}", value, start)]
            else:
                changes = [{"clause": c.key, "replace": _clause_with_cap(ctx, pack, c.key,
                                                                         value)}]
    else:
        raise InputError(Text("请选择一种改革", "Choose a kind of reform"))
    doc = {"id": f"form-{change.kind}", "title": title, "changes": changes}
    return str(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def _one(items: list[Choice], key: str, what: Text) -> Choice:
    from huiqi.errors import InputError

    found = next((c for c in items if c.key == key), None)
    if found is None:
        raise InputError(Text(f"请选择{what.zh}", f"Choose a {what.en}"))
    return found


def _parameter(pack: str, ctx: Context, key: str, value: str, start: dt.date
               ) -> dict[str, Any]:
    """A parameter's values: those before ``start`` kept, ``value`` from ``start`` on."""
    with ctx.db.read() as s:
        base = loaded(ctx, pack, PV.published(s, pack))
    policy, name = key.split("/", 1)
    pol = base.policy(policy)
    assert pol is not None
    kept = {d: _written(v) for d, v in pol.params[name].values if d < start}
    return {"parameter": key, "values": {**kept, start: value}}


def _written(v: Any) -> Any:
    """A parameter's value as a reform file writes it (exact: decimals as text)."""
    from decimal import Decimal

    return str(v) if isinstance(v, Decimal) else v


def _clause_with_cap(ctx: Context, pack: str, key: str, value: str) -> dict[str, Any]:
    """The clause as its policy file writes it, with ``benefit.cap`` set to ``value``."""
    import yaml

    with ctx.db.read() as s:
        v = PV.published(s, pack)
        files = dict(PV.files_of(s, v.id))
    base = loaded(ctx, pack, v)
    policy, cid = key.split("/", 1)
    pol = base.policy(policy)
    assert pol is not None
    stored = next(k for k in files if pol.file == k or pol.file.endswith("/" + k))
    raw = yaml.safe_load(files[stored])
    clause = next(c for c in raw.get("clauses", []) if c.get("id") == cid)
    clause["benefit"]["cap"] = value
    return dict(clause)


def _reform(key: str, files: list[tuple[str, bytes]], text: str
            ) -> tuple[Text, Pack, list[str]]:
    from huiqi.population.reform import load_reform
    from huiqi.rules.loader import load_pack

    with materialised(key, files) as root:
        baseline = load_pack(root)
        path = root.parent / REFORM_FILE
        path.write_text(text, encoding="utf-8")
        try:
            ref = load_reform(path, baseline)
        except PackError as exc:
            where = str(path)
            problems = [dataclasses.replace(p, file=REFORM_FILE) if p.file in (where, None)
                        else p for p in exc.problems]
            raise PackError(problems, REFORM_FILE) from None
    return ref.title, ref.pack, sorted(set(ref.affected) | set(ref.removed))


def _baseline(ctx: Context, base: Pack, day: dt.date, table: Any, keys: list[str]
              ) -> dict[str, dict[str, tuple[str, Decimal]]]:
    """The published version's results over the park, kept while the park's data are:
    simulating several reforms of the same version computes its side once."""
    from .population import _kept, _rows

    return _kept(ctx, table, ("baseline", base.version_id, day, tuple(keys)), len(keys),
                 lambda: _by_entity(_rows(base, day, table, keys)))


def _by_entity(rows: list[dict[str, Any]]) -> dict[str, dict[str, tuple[str, Decimal]]]:
    """entity → clause → (status, amount payable)."""
    out: dict[str, dict[str, tuple[str, Decimal]]] = defaultdict(dict)
    for r in rows:
        amount = Decimal(r["amount"]) if r["amount"] is not None else ZERO
        out[r["enterprise_id"]][r["clause"]] = (r["status"], amount)
    return out


def _dimensions(table: Any) -> dict[str, tuple[str, str]]:
    cols = table.column_names
    ids = table.column("id").to_pylist()
    ind = table.column("industry").to_pylist() if "industry" in cols else [None] * len(ids)
    dis = table.column("district").to_pylist() if "district" in cols else [None] * len(ids)
    return {i: (a or "unknown", b or "unknown") for i, a, b in zip(ids, ind, dis, strict=True)}


__all__ = ["Change", "Choice", "Choices", "Comparison", "FormChange", "compare", "form_choices",
           "form_reform"]
