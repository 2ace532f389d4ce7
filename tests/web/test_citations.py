"""Policy texts with their cited sentences marked, windows on a calendar, PDF fonts."""

from __future__ import annotations

import datetime as dt

import pytest

from huiqi.rules.loader import load_pack
from huiqi.rules.model import Citation
from huiqi.web import pdf
from huiqi.web.calendar import calendar
from huiqi.web.citations import citations_of, numbered, policy_text
from service_fixtures import ROOT

PACK = ROOT / "tests" / "packs" / "language"


def test_quotes_are_marked_whitespace_aside_and_cites_find_their_mark() -> None:
    pol = load_pack(PACK).policies[0]
    clause = pol.clauses[0]
    text = policy_text(pol, citations_of(clause))
    marked = [p for p in text.paragraphs if "<mark" in p.html]
    assert marked and all(p.cited for p in marked)
    for c in citations_of(clause):
        if c.quote and c.paragraph:
            found = text.of(c)
            assert found is not None and found.anchor is not None, c
            para = next(p for p in text.paragraphs if p.number == found.number)
            assert f'id="{found.anchor}"' in para.html
    spaced = Citation(paragraph="1", quote=" ".join(numbered(pol)[0][2][:4]))
    first = policy_text(pol, [spaced]).paragraphs[0]
    assert "<mark" in first.html


def test_text_is_escaped() -> None:
    pol = load_pack(PACK).policies[0]
    pol.paragraphs = {"1": "a <script>x</script> b"}
    out = policy_text(pol, [Citation(paragraph="1", quote="<script>")])
    assert "<script>" not in out.paragraphs[0].html and "&lt;script&gt;" in out.paragraphs[0].html


def test_the_calendar_lists_the_next_windows() -> None:
    pack = load_pack(PACK)
    cal = calendar([pack], dt.date(2025, 6, 1), "zh")
    windows = [(e.key, e.start, e.end) for e in cal.events if e.kind == "window"]
    assert ("lang/rd_subsidy", dt.date(2026, 3, 1), dt.date(2026, 4, 30)) in windows
    march = next(m for m in cal.months if m.first == dt.date(2026, 3, 1))
    assert [e.key for e in march.events] == ["lang/rd_subsidy"] and march.label("zh") == "2026年3月"
    assert calendar([pack], dt.date(2025, 6, 1), "zh", keys=set()).events == []


def test_the_pdf_embeds_the_cjk_font_or_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    body = pdf.document("惠企摘要", ["评估日 2025-06-01"], ["条款", "金额"], [["研发补助", "¥80,000"]],
                        [80, 40])
    assert body.startswith(b"%PDF")
    if pdf.font_file() is not None:
        assert b"HuiqiCJK" in body or b"WenQuanYi" in body
    monkeypatch.setattr(pdf, "FONT_PATHS", ())
    pdf.font.cache_clear()
    try:
        fallback = pdf.document("惠企", [], ["条款"], [["研发补助"]], [80])
        assert fallback.startswith(b"%PDF") and b"STSong-Light" in fallback
    finally:
        pdf.font.cache_clear()
