"""The policy calculator without an account: a short questionnaire that asks only the
facts the published policies need, the one that settles the most clauses first, and
matches again after each answer. The answers travel in the form; nothing is stored."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from huiqi.api.computing import computed
from huiqi.engine.serialize import pack_match_dict
from huiqi.service import calculator as C
from huiqi.service.enterprises import today
from huiqi.service.schemas import MatchPublic
from huiqi.text import Text

from .. import exports
from ..pages import PUBLIC, Page, PageDep, Pages
from ..view import Summary, summary
from .matches import XLSX, _download, explained

router = Pages()
MAX_ANSWERS = 200


async def _form(p: Page) -> tuple[dict[str, str], set[str], dict[str, str]]:
    """The answers so far, the questions skipped, and the other fields of the form."""
    form = await p.request.form()
    answers: dict[str, str] = {}
    skipped: set[str] = set()
    other: dict[str, str] = {}
    for k, v in form.multi_items():
        if not isinstance(v, str) or len(v) > 200:
            continue
        if k.startswith("a:") and len(answers) < MAX_ANSWERS:
            answers[k[2:202]] = v
        elif k == "skip" and len(skipped) < MAX_ANSWERS:
            skipped.add(v)
        elif k == "value" and "value" in other:  # several boxes ticked (a set of values)
            other["value"] += "|" + v
        elif k == "part":  # the facts of a question of several (one per line)
            other["part"] = other.get("part", "") + "\n" + v[:200]
        else:
            other[k] = v
    return answers, skipped, other


def _data(m: C.Matches, name: str, lang: Any) -> MatchPublic:
    return MatchPublic.model_validate({"enterprise": "", "name": name, "as_of": m.day, "packs": [
        pack_match_dict(res, key, mt, lang) for key, mt, res in m.results]})


def _summary_of(m: C.Matches, answers: dict[str, str], name: str, lang: Any) -> Summary:
    """The visitor's result in plain words: the policies of the city and park they gave
    (and national ones) first, the others folded."""
    packs = {key: mt.pack for key, mt, _res in m.results}
    return summary(_data(m, name, lang), lang, packs, answers.get("city") or None,
                   answers.get("park") or None)


def _step(p: Page, answers: dict[str, str], skipped: set[str], finish: bool, name: str,
          status: int = 200) -> Response:
    day = today(p.platform.system())
    m = C.match(p.platform, answers, day, name)
    asked = set(answers) | skipped
    q = None if finish else C.next_question(m, asked - set(m.problems))
    if m.problems:  # ask a wrongly answered question again, with what is wrong
        key = next(iter(m.problems))
        q = _question(m, key) or q
    s = _summary_of(m, answers, name, p.lang)
    total = len(m.clauses())
    return p.render("calculator.html", status=status, q=q, answers=answers,
                    skipped=sorted(skipped), s=s, settled=total - m.undetermined(),
                    total=total, left=C.remaining(m, asked - set(m.problems)),
                    bearing=C.bearing(m, q.key) if q is not None else 0,
                    unit=_unit(p, q.unit if q is not None else None),
                    unit_of=lambda u: _unit(p, u),
                    problems=m.problems, name=name,
                    done=q is None, answer_label=lambda k: _answer_label(p, m, k))


def _unit(p: Page, unit: str | None) -> str:
    """A unit as a person reads it (人, 项, 平方米), never its code (person, item, m2)."""
    if not unit:
        return ""
    from huiqi.facts import types as T

    try:
        return T.unit_text(T.parse_unit(unit), p.lang)
    except ValueError:
        return unit


def _answer_label(p: Page, m: C.Matches, key: str) -> str:
    q = _question(m, key)
    return p.text(q.label) if q is not None else key


def _question(m: C.Matches, key: str) -> C.Question | None:
    for _k, mt, res in m.results:
        for c in res.clauses:
            for miss in c.missing:
                if miss.key == key:
                    return C.question(miss, mt)
    fact, _, year = key.partition("@")
    from huiqi.engine.result import Missing

    if m.results:
        return C.question(Missing(fact, int(year) if year.isdigit() else None), m.results[0][1])
    return None


@router.page("GET", "/calculator", PUBLIC)
def start(p: PageDep) -> Response:
    return _step(p, {}, set(), False, "")


@router.page("POST", "/calculator", PUBLIC)
async def answer(p: PageDep) -> Response:
    answers, skipped, other = await _form(p)
    q = other.get("q", "")
    action = other.get("action", "answer")
    if q.startswith("group:"):
        _answer_group(q, action, other, answers, skipped)
    elif q:
        value = other.get("value", "").strip()
        if action == "skip" or (action == "answer" and not value):
            skipped.add(q)
            answers.pop(q, None)
        elif action == "answer":
            answers[q] = value
    # matching every published pack takes milliseconds of CPU: in the computing thread, so
    # that the event loop goes on serving the others meanwhile (huiqi.api.computing)
    return await computed(_step, p, answers, skipped, action == "result",
                          other.get("name", "")[:100])


def _answer_group(q: str, action: str, other: dict[str, str], answers: dict[str, str],
                  skipped: set[str]) -> None:
    """The answers of a screen of several facts: the boxes ticked are yes (or "some"), the
    others no (or "none"); each figure given is an answer, a blank one is skipped."""
    parts = [k for k in other.get("part", "").split("\n") if k][:MAX_ANSWERS]
    if action == "skip":
        skipped.update(parts)
        return
    if action != "answer":
        return
    ticked = set(other.get("value", "").split("|"))
    for key in parts:
        if q.startswith("group:checks"):
            kind = other.get(f"kind:{key}", "bool")
            yes, no = (C.SOME, C.NONE) if kind == "records" else ("true", "false")
            answers[key] = yes if key in ticked else no
        else:
            value = other.get(f"v:{key}", "").strip()
            if value:
                answers[key] = value
            else:
                skipped.add(key)


@router.page("POST", "/calculator/clause", PUBLIC)
async def clause(p: PageDep) -> Response:
    answers, _skipped, other = await _form(p)
    return await computed(_clause, p, answers, other)


def _clause(p: Page, answers: dict[str, str], other: dict[str, str]) -> Response:
    day = today(p.platform.system())
    m = C.match(p.platform, answers, day)
    key = other.get("clause", "")
    data = _data(m, other.get("name", ""), p.lang)
    pack = next((mt.pack for _k, mt, _r in m.results if mt.pack.clause(key)), None)
    if pack is None:
        from huiqi.errors import NotFoundError

        raise NotFoundError(Text("条款", "clause"), key[:100])
    return explained(p, data, key, base=None, pack_obj=pack,
                     s=_summary_of(m, answers, other.get("name", ""), p.lang))


@router.page("POST", "/calculator/summary.pdf", PUBLIC)
async def summary_pdf(p: PageDep) -> Response:
    s = await _summary(p)
    return _download(await computed(exports.summary_pdf, s, p.lang), "application/pdf",
                     exports.filename("huiqi-calculator", s.as_of, "pdf"))


@router.page("POST", "/calculator/summary.xlsx", PUBLIC)
async def summary_xlsx(p: PageDep) -> Response:
    s = await _summary(p)
    return _download(await computed(exports.summary_xlsx, s, p.lang), XLSX,
                     exports.filename("huiqi-calculator", s.as_of, "xlsx"))


async def _summary(p: Page) -> Any:
    answers, _skipped, other = await _form(p)
    return await computed(_summarised, p, answers, other)


def _summarised(p: Page, answers: dict[str, str], other: dict[str, str]) -> Any:
    m = C.match(p.platform, answers, today(p.platform.system()))
    return _summary_of(m, answers, other.get("name", "")[:100], p.lang)
