"""Read enterprises from YAML, JSON or CSV files, checked against the fact catalogue.

YAML / JSON: a list of enterprises (or ``{enterprises: [...]}``)::

    - id: 91330201MA2GQ1XK38          # 统一社会信用代码
      name: 宁波某某科技有限公司
      facts: {registration_date: 2019-05-01, park: 宁波高新区, honours: [...]}
      years: {2025: {revenue: 12000000, rd_expense: 900000}}
      choices: {"tsme:rd_measure": sales}   # an option of the policy's choice
      reviews: {"lang/incubation/core_tech": true,       # a yes/no review's verdict
                "lang/incubation/panel": {tech: 32, market: 25}}   # a scored review's scores

CSV: one row per enterprise; columns ``id``, ``name``, static facts by name,
yearly facts as ``name@year`` (``revenue@2025``), record lists as JSON text,
``choice:policy:choice``, ``review:policy/clause/condition`` (a verdict) and
``score:policy/clause/condition:part`` (a scored review's score; ``part`` is ``score``
for a review without parts).

Every problem in the file is reported (file, line, column, value, reason) and
nothing is returned unless the whole file is good. Given the options of the packs' choices
(``choices``, "policy:choice" → options), a declared value that is not one of them is such
a problem too.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from huiqi.errors import DataError, Problem
from huiqi.facts.catalogue import Catalogue, default_catalogue
from huiqi.facts.credit_code import validate as validate_code
from huiqi.facts.enterprise import Decision, Enterprise
from huiqi.messages import message
from huiqi.text import Text
from huiqi.yamldoc import Document, YamlProblems, load, load_file

_KEYS = ("id", "name", "facts", "years", "choices", "reviews")
Choices = Mapping[str, Sequence[str]]  # "policy:choice" → its options


def load_enterprises(path: Path | str, catalogue: Catalogue | None = None,
                     check_codes: bool = True, choices: Choices | None = None) -> list[Enterprise]:
    """All enterprises of a file, or :class:`DataError` with every problem in it."""
    path = Path(path)
    cat = catalogue or default_catalogue()
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        try:
            doc = load_file(path)
        except YamlProblems as exc:
            raise DataError(exc.problems, str(path)) from None
        return enterprises_from_doc(doc, cat, check_codes, choices)
    if suffix == ".csv":
        return _from_csv(path, cat, check_codes, choices)
    raise DataError([Problem(code="file.format", message=message(
        "file.format", suffix=suffix or "-", allowed=".yaml .json .csv"), file=str(path))],
        str(path))


def enterprises_from_text(text: str, name: str = "<input>", catalogue: Catalogue | None = None,
                          check_codes: bool = True, choices: Choices | None = None
                          ) -> list[Enterprise]:
    try:
        doc = load(text, name)
    except YamlProblems as exc:
        raise DataError(exc.problems, name) from None
    return enterprises_from_doc(doc, catalogue or default_catalogue(), check_codes, choices)


def enterprises_from_doc(doc: Document, cat: Catalogue, check_codes: bool = True,
                         choices: Choices | None = None) -> list[Enterprise]:
    data = doc.data
    base: tuple[str | int, ...] = ()
    if isinstance(data, dict) and "enterprises" in data:
        data, base = data["enterprises"], ("enterprises",)
    if not isinstance(data, list):
        raise DataError([doc.problem("data.bad_shape", base)], doc.file)
    problems: list[Problem] = []
    out: list[Enterprise] = []
    seen: set[str] = set()
    for i, raw in enumerate(data):
        def where(code: str, p: tuple[Any, ...], _path: tuple[Any, ...] = (*base, i),
                  **kw: Any) -> Problem:
            return doc.problem(code, (*_path, *p), **kw)

        e = enterprise_from_mapping(raw, cat, problems, where, i + 1, check_codes, choices)
        if e is None:
            continue
        if e.id in seen:
            problems.append(doc.problem("data.duplicate_id", (*base, i, "id"), id=e.id))
        seen.add(e.id)
        out.append(e)
    if problems:
        raise DataError(problems, doc.file)
    return out


def enterprise_from_mapping(raw: Any, cat: Catalogue, problems: list[Problem], where: Any,
                            n: int = 1, check_codes: bool = True,
                            options: Choices | None = None) -> Enterprise | None:
    """Check one enterprise given as a mapping; add problems through ``where(code, path)``."""
    before = len(problems)
    if not isinstance(raw, dict):
        problems.append(where("data.bad_shape", ()))
        return None
    for key in raw:
        if key not in _KEYS:
            problems.append(where("data.bad_field", (key,), name=key))
    eid = _mapping_id(raw, problems, where, n, check_codes)
    facts: dict[str, Any] = {}
    for name, value in (raw.get("facts") or {}).items():
        _put(cat, name, value, facts, problems, where, ("facts", name), yearly=False)
    years = _mapping_years(raw, cat, problems, where)
    choices = _mapping_choices(raw, problems, where, options)
    reviews = _mapping_reviews(raw, problems, where)
    if len(problems) > before:
        return None
    return Enterprise(id=eid, name=str(raw.get("name") or ""), facts=facts, years=years,
                      choices=choices, reviews=reviews)


def _mapping_id(raw: dict[str, Any], problems: list[Problem], where: Any, n: int,
                check_codes: bool) -> str:
    """The enterprise's id (``#n`` when missing, said), checked as a credit code if asked."""
    eid = raw.get("id")
    if eid is None or str(eid).strip() == "":
        problems.append(where("data.no_id", (), n=n))
        eid = f"#{n}"
    eid = str(eid).strip()
    if check_codes:
        from huiqi.errors import CreditCodeError

        try:
            eid = validate_code(eid)
        except CreditCodeError as exc:
            problems.append(where("data.bad_value", ("id",), name="id",
                                  reason_zh=exc.message("zh"), reason_en=exc.message("en")))
    return str(eid)


def _mapping_years(raw: dict[str, Any], cat: Catalogue, problems: list[Problem], where: Any
                   ) -> dict[int, dict[str, Any]]:
    """The yearly facts by fiscal year (1900–2200)."""
    years: dict[int, dict[str, Any]] = {}
    for year, row in (raw.get("years") or {}).items():
        try:
            y = int(year)
            if not 1900 <= y <= 2200:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(where("data.bad_year", ("years", year), year=year))
            continue
        vals: dict[str, Any] = {}
        for name, value in (row or {}).items():
            _put(cat, name, value, vals, problems, where, ("years", year, name), yearly=True)
        years[y] = vals
    return years


def _mapping_choices(raw: dict[str, Any], problems: list[Problem], where: Any,
                     options: Choices | None) -> dict[str, str]:
    """The enterprise's choices, each among its options where the pack declares them."""
    choices = {str(k): str(v) for k, v in (raw.get("choices") or {}).items() if v is not None}
    for k, v in choices.items():
        allowed = (options or {}).get(k)
        if allowed is not None and v not in allowed:
            problems.append(where("data.bad_choice", ("choices", k), name=k, value=v,
                                  options=", ".join(allowed)))
    return choices


def _mapping_reviews(raw: dict[str, Any], problems: list[Problem], where: Any
                     ) -> dict[str, Decision]:
    """Human review decisions given: a verdict, a score or the scores of the parts each
    (blank: not reviewed)."""
    reviews: dict[str, Decision] = {}
    for k, v in (raw.get("reviews") or {}).items():
        if v is None:
            continue
        try:
            reviews[str(k)] = decision_of(v)
        except ValueError as exc:
            reason: Text = exc.args[0]
            problems.append(where("data.bad_value", ("reviews", k), name=str(k),
                                  reason_zh=reason.zh, reason_en=reason.en))
    return reviews


_BAD_DECISION = Text("须为 true、false,一个分数,或各分项的分数(如 {tech: 30, market: 25})",
                     "must be true, false, a score, or the scores of the parts "
                     "(e.g. {tech: 30, market: 25})")
SCORE_PLACES = 4


def score_of(v: Any) -> Decimal | None:
    """A score as given (a number, or its text); None if not given. ValueError if not one."""
    if v is None or (isinstance(v, str) and v.strip() == ""):
        return None
    if isinstance(v, bool) or not isinstance(v, int | float | Decimal | str):
        raise ValueError(_BAD_DECISION)
    try:
        d = Decimal(str(v).strip())
    except InvalidOperation:
        raise ValueError(_BAD_DECISION) from None
    exp = d.as_tuple().exponent
    if not d.is_finite() or (isinstance(exp, int) and -exp > SCORE_PLACES) or abs(d) >= 10**15:
        raise ValueError(Text(f"分数“{v}”无效(至多 {SCORE_PLACES} 位小数)",
                              f"the score “{v}” is not valid (at most {SCORE_PLACES} decimals)"))
    return d


def decision_of(v: Any) -> Decision:
    """A recorded review decision: a verdict (true/false), one score (a review without
    parts: its part ``score``), or the scores of the parts (a part left empty: not given)."""
    if isinstance(v, bool):
        return v
    if isinstance(v, Mapping):
        return {str(part): score_of(x) for part, x in v.items()}
    return {"score": score_of(v)}


def _put(cat: Catalogue, name: str, value: Any, into: dict[str, Any], problems: list[Problem],
         where: Any, path: tuple[Any, ...], yearly: bool) -> None:
    f = cat.facts.get(name)
    if f is None:
        sugg = difflib.get_close_matches(name, list(cat.facts), n=3)
        problems.append(where("data.unknown_fact", path, name=name,
                              suggestions=", ".join(sugg) or "-"))
        return
    if f.yearly != yearly:
        problems.append(where("data.yearly_as_static" if f.yearly else "data.static_as_yearly",
                              path, name=name))
        return
    try:
        v = cat.coerce(f, value)
    except ValueError as exc:
        reason: Text = exc.args[0]
        problems.append(where("data.bad_value", path, name=name, reason_zh=reason.zh,
                              reason_en=reason.en))
        return
    if v is not None:
        into[name] = v


_YEAR_FIRST = re.compile(r"^(\d{4})年(.+)$")
_SPECIAL = {"统一社会信用代码": "id", "名称": "name", "企业名称": "name"}


def _csv_targets(header: Sequence[str], cat: Catalogue, name: str) -> dict[str, str]:
    """What each column of a CSV file holds, as ``fact`` or ``fact@year``: a fact's id or its
    Chinese label (``专家组评级``), a yearly one with its year (``revenue@2025``,
    ``营业收入@2025``, ``2025年营业收入``); :class:`DataError` naming the columns that are none."""
    by_label = {f.label.zh: fid for fid, f in cat.facts.items()}
    out: dict[str, str] = {}
    problems: list[Problem] = []
    for i, col in enumerate(header):
        if col in ("id", "name") or col.startswith(("choice:", "review:", "score:")):
            out[col] = col
            continue
        if col in _SPECIAL:
            out[col] = _SPECIAL[col]
            continue
        base, sep, year = col.partition("@")
        m = _YEAR_FIRST.match(col) if not sep else None
        if m is not None:
            base, sep, year = m.group(2), "@", m.group(1)
        fid = base if base in cat.facts else by_label.get(base)
        if fid is None:
            problems.append(Problem(code="data.bad_column", message=message(
                "data.bad_column", name=col), hint=message("data.bad_column.hint"),
                file=name, line=1, column=i + 1))
            continue
        out[col] = f"{fid}{sep}{year}"
    if problems:
        raise DataError(problems, name)
    return out


def _from_csv(path: Path, cat: Catalogue, check_codes: bool, choices: Choices | None = None
              ) -> list[Enterprise]:
    problems: list[Problem] = []
    out: list[Enterprise] = []
    name = str(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        targets = _csv_targets(header, cat, name)
        columns = [targets[c] for c in header]
        for row_no, written in enumerate(reader, start=2):
            row = {targets[k]: v for k, v in written.items() if k in targets}
            raw = _csv_mapping(row, columns, cat, problems, name, row_no)
            where = _csv_where(name, columns, row_no, row)
            e = enterprise_from_mapping(raw, cat, problems, where, row_no - 1, check_codes,
                                        choices)
            if e is not None:
                out.append(e)
    if problems:
        raise DataError(problems, name)
    return out


def _csv_mapping(row: dict[str, Any], columns: Sequence[str], cat: Catalogue,
                 problems: list[Problem], name: str, row_no: int) -> dict[str, Any]:
    """One CSV row as the mapping :func:`enterprise_from_mapping` checks (records given as
    JSON; a cell that is not is a problem at its line and column)."""
    raw: dict[str, Any] = {"id": row.get("id"), "name": row.get("name"), "facts": {},
                           "years": {}, "choices": {}, "reviews": {}}
    for col, cell in row.items():
        if col in ("id", "name") or cell is None or cell.strip() == "":
            continue
        value: Any = cell.strip()
        if col.startswith("choice:"):
            raw["choices"][col[7:]] = value
            continue
        if col.startswith("review:"):
            raw["reviews"][col[7:]] = value.lower() in ("true", "1", "是", "yes")
            continue
        if col.startswith("score:"):  # score:<policy/clause/condition>:<part>
            key, _, part = col[6:].rpartition(":")
            scores = raw["reviews"].setdefault(key, {})
            if isinstance(scores, dict):
                scores[part] = value
            continue
        fact, _, year = col.partition("@")
        f = cat.facts.get(fact)
        if f is not None and f.kind == "records":
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                problems.append(Problem(code="data.bad_value", message=message(
                    "data.bad_value", name=col, reason_zh=f"不是有效的 JSON:{exc.msg}",
                    reason_en=f"not valid JSON: {exc.msg}"), file=name, line=row_no,
                    column=columns.index(col) + 1, snippet=cell))
                continue
        if year:
            raw["years"].setdefault(year, {})[fact] = value
        else:
            raw["facts"][fact] = value
    return raw


def _csv_where(name: str, columns: Sequence[str], row_no: int, cells: dict[str, Any]
               ) -> Callable[..., Problem]:
    """The problem maker of one CSV row: a path in the mapping becomes its column."""
    from huiqi.messages import MESSAGES

    def where(code: str, p: tuple[Any, ...], **kw: Any) -> Problem:
        col = "@".join(str(x) for x in p[1:][::-1]) if p[:1] == ("years",) else \
            (str(p[-1]) if p else None)
        if p[:1] == ("years",) and len(p) == 3:
            col = f"{p[2]}@{p[1]}"
        if p[:1] == ("choices",) and len(p) == 2:
            col = f"choice:{p[1]}"
        hint = message(code + ".hint", **kw)
        return Problem(code=code, message=message(code, **kw),
                       hint=hint if code + ".hint" in MESSAGES else None, file=name,
                       line=row_no, column=(columns.index(col) + 1) if col in columns
                       else None, snippet=cells.get(col) if col else None)

    return where


def enterprise_to_mapping(e: Enterprise) -> dict[str, Any]:
    """An enterprise as plain data (the inverse of the YAML/JSON form)."""
    def plain(v: Any) -> Any:
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, frozenset):
            return sorted(v)
        if isinstance(v, tuple):
            return [{k: plain(x) for k, x in r.items()} for r in v]
        if hasattr(v, "as_tuple"):
            return str(v)
        return v

    return {
        "id": e.id, "name": e.name,
        "facts": {k: plain(v) for k, v in e.facts.items()},
        "years": {y: {k: plain(v) for k, v in row.items()} for y, row in e.years.items()},
        "choices": dict(e.choices),
        "reviews": {k: d if isinstance(d, bool) else {p: plain(x) for p, x in d.items()}
                    for k, d in e.reviews.items()},
    }
