"""Expert judgement on every engine (issue 11, item 2): each form of review (yes/no, a score
against a pass mark, strict or not, sub-scores combined by a formula) × each state of a
recorded decision (none, a verdict, scores, a score missing), and the one-enterprise engine
and DuckDB agree; the sweep must see every outcome each form can have. The random packs of
the differential tests draw the same forms and decisions; a test checks they draw them all."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huiqi.engine.matcher import Matcher
from huiqi.facts.enterprise import Enterprise
from huiqi.population import duck

from . import constructs as C
from . import randpack as R
from .harness import compare, expected, load_text, table_of

MARKS = ("0", "36", "60", "60.0001", "100")


def _sweep_pack() -> tuple[str, list[tuple[str, str]]]:
    """One clause per form × pass mark × variant; (its key, its form)."""
    clauses, forms = [], []
    for form in C.REVIEW_FORMS:
        for mark in MARKS:
            for k in range(len(C.FORMULAS) if form == "parts" else 2):
                i = len(clauses)
                lines = [f"  - id: c{i}", f"    title: c{i}", "    conditions:",
                         "      - id: k", "        label: 评审",
                         *C.review_lines(form, mark, k),
                         "    benefit: {kind: title, assumed: 测试}"]
                clauses.append("\n".join(lines))
                forms.append((f"rp/c{i}", form))
    text = ("id: rp\ntitle: 评审\nissuer: 测试\ndates: {effective: 2020-01-01}\n"
            "source: {text: 测试。}\nclauses:\n" + "\n".join(clauses) + "\n")
    return text, forms


def _sweep_enterprises(keys: list[str]) -> list[Enterprise]:
    out = []
    for state in C.DECISIONS:
        for a in C.SCORES:
            for b in (C.SCORES if state == "scored" else C.SCORES[:1]):
                d = C.decision(state, a, b)
                out.append(Enterprise(
                    id=f"e{len(out)}", name=f"{state} {a} {b}",
                    facts={"registration_date": R.AS_OF.replace(year=2015)},
                    reviews={} if d is None else {f"{k}/k": d for k in keys}))
    return out


def test_every_form_of_review_in_every_state_agrees(tmp_path: Path) -> None:
    text, forms = _sweep_pack()
    pack = load_text(text, tmp_path)
    es = _sweep_enterprises([k for k, _ in forms])
    exp = expected(pack, es, R.AS_OF)
    diffs = compare(exp, duck.match_arrow(pack, R.AS_OF, table_of(es, R.AS_OF)))
    assert not diffs, "\n".join(diffs[:20])
    m = Matcher(pack, R.AS_OF)
    seen: dict[str, set[str]] = {form: set() for form in C.REVIEW_FORMS}
    form_of = dict(forms)
    for e in es:
        for r in m.match(e).clauses:
            v = r.outcomes["k"]
            seen[form_of[r.key]].add({True: "met", False: "not_met"}.get(v, str(v).lower()
                                     .replace("missing", "undetermined")
                                     .replace("review", "needs_review")))
    for form, want in C.REVIEW_OUTCOMES.items():
        assert want <= seen[form], f"{form}: never {want - seen[form]}"


def test_a_strict_pass_mark_is_not_met_at_exactly_the_mark(tmp_path: Path) -> None:
    text = ("id: rp\ntitle: 评审\nissuer: 测试\ndates: {effective: 2020-01-01}\n"
            "source: {text: 测试。}\nclauses:\n  - id: c\n    title: c\n    conditions:\n"
            "      - id: k\n        label: 评审\n" + "\n".join(C.review_lines("score_strict", "60", 0))
            + "\n    benefit: {kind: title, assumed: 测试}\n")
    pack = load_text(text, tmp_path)
    from decimal import Decimal

    es = [Enterprise(id=f"e{i}", reviews={"rp/c/k": {"score": Decimal(x)}})
          for i, x in enumerate(("60", "60.0001", "59.9999"))]
    got = [r.status.value for e in es for r in Matcher(pack, R.AS_OF).match(e).clauses]
    assert got == ["not_eligible", "eligible", "not_eligible"]
    assert not compare(expected(pack, es, R.AS_OF),
                       duck.match_arrow(pack, R.AS_OF, table_of(es, R.AS_OF)))


def test_the_random_packs_draw_every_form_and_every_decision() -> None:
    C.REVIEW_RECORD = []
    try:
        @settings(max_examples=150, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(st.data())
        def draw(data: st.DataObject) -> None:
            data.draw(R.pack_text())
            data.draw(R.enterprise(0))

        draw()
        forms = {f for f, s in C.REVIEW_RECORD if s == "*"}
        states = {s for f, s in C.REVIEW_RECORD if f == "*"}
    finally:
        C.REVIEW_RECORD = None
    assert forms == set(C.REVIEW_FORMS)
    assert states == set(C.DECISIONS)


