"""A policy's text with the sentences its rules cite highlighted: each paragraph numbered
(and named, where the text names it), each cited quote marked so that a rule can link
to it. A quote matches its paragraph as the checker finds it (:mod:`huiqi.rules.quotes`):
whitespace aside, full-width and half-width punctuation alike."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from huiqi.engine.public import CitePublic
from huiqi.rules import quotes as Q
from huiqi.rules.model import Citation, ClauseSpec, PolicySpec


@dataclass
class Paragraph:
    number: str
    name: str | None
    html: Markup
    cited: bool = False
    summary: bool = False  # of the pack's summary (要点摘要,非原文), not the original


@dataclass
class Cite:
    """Where one rule points: the paragraph's number, the quote, and the mark's anchor."""

    number: str | None
    quote: str | None
    anchor: str | None
    assumed: str | None = None
    summary: bool = False

    @property
    def href(self) -> str | None:
        if self.anchor:
            return f"#{self.anchor}"
        return f"#p-{self.number}" if self.number else None


@dataclass
class Text:
    """The policy's paragraphs and a lookup from (paragraph, quote) to its citation."""

    paragraphs: list[Paragraph]
    cites: dict[tuple[str | None, str | None], Cite] = field(default_factory=dict)
    note: str | None = None  # where the text comes from (a small note, not a paragraph)

    @property
    def original(self) -> list[Paragraph]:
        """The source's own words (政策原文)."""
        return [p for p in self.paragraphs if not p.summary]

    @property
    def summary(self) -> list[Paragraph]:
        """The pack's summary of the points (要点摘要,非原文)."""
        return [p for p in self.paragraphs if p.summary]

    def of(self, c: Citation | CitePublic | None) -> Cite | None:
        if c is None:
            return None
        p, q, a = c.paragraph, c.quote, c.assumed
        if p is None:
            return Cite(None, None, None, a) if a else None
        number = self.number(str(p))
        summary = any(x.summary for x in self.paragraphs if x.number == number)
        found = self.cites.get((str(p), q))
        if found is None:
            return Cite(number, q, None, a, summary)
        return Cite(found.number, found.quote, found.anchor, a, summary)

    def number(self, pid: str) -> str | None:
        if pid.isdigit():
            return pid
        return next((p.number for p in self.paragraphs if p.name == pid), None)


def numbered(pol: PolicySpec) -> list[tuple[str, str | None, str]]:
    """(number, name, text) of each paragraph, in order (the original's, then the
    summary's)."""
    out: list[tuple[str, str | None, str]] = []
    pending: str | None = None
    for key, text in pol.paragraphs.items():
        if key.isdigit():
            out.append((key, pending, text))
            pending = None
        else:
            pending = key
    return out


def citations_of(clause: ClauseSpec) -> list[Citation]:
    out = [clause.cite]
    for c in clause.all_conditions():
        out.append(c.cite)
        out.extend(e.cite for e in c.exceptions)
    if clause.benefit is not None:
        out.append(clause.benefit.cite)
        out.extend(e.cite for e in clause.benefit.exceptions)
    if clause.program is not None:
        out.append(clause.program.cite)
    return out


def policy_text(pol: PolicySpec, cites: list[Citation]) -> Text:
    """The paragraphs of ``pol`` with every quote of ``cites`` marked."""
    paras = numbered(pol)
    by_name = {name: num for num, name, _ in paras if name}
    quotes: dict[str, list[str]] = {}
    cited: set[str] = set()
    table: dict[tuple[str | None, str | None], Cite] = {}
    for c in cites:
        if c.paragraph is None:
            continue
        num = c.paragraph if c.paragraph.isdigit() else by_name.get(c.paragraph)
        if num is None:
            continue
        cited.add(num)
        if c.quote and c.quote not in quotes.setdefault(num, []):
            quotes[num].append(c.quote)
    out = []
    for num, name, text in paras:
        html, anchors = _mark(text, quotes.get(num, []), num)
        out.append(Paragraph(number=num, name=name, html=html, cited=num in cited,
                             summary=num in pol.summary))
        for q, anchor in anchors.items():
            table[(num, q)] = Cite(num, q, anchor)
            if name:
                table[(name, q)] = Cite(num, q, anchor)
        table.setdefault((num, None), Cite(num, None, None))
        if name:
            table.setdefault((name, None), Cite(num, None, None))
    return Text(paragraphs=out, cites=table, note=pol.source_note)


def _mark(text: str, quotes: list[str], num: str) -> tuple[Markup, dict[str, str | None]]:
    spans: list[tuple[int, int, str]] = []
    anchors: dict[str, str | None] = {}
    for i, q in enumerate(quotes):
        at = Q.find(q, text)
        if at is None or any(a < at[1] and at[0] < b for a, b, _ in spans):
            anchors[q] = None
            continue
        anchor = f"q-{num}-{i}"
        anchors[q] = anchor
        spans.append((at[0], at[1], anchor))
    parts: list[str] = []
    pos = 0
    for a, b, anchor in sorted(spans):
        parts.append(str(escape(text[pos:a])))
        parts.append(f'<mark id="{anchor}" tabindex="-1">{escape(text[a:b])}</mark>')
        pos = b
    parts.append(str(escape(text[pos:])))
    return Markup("".join(parts).replace("\n", "<br>")), anchors


__all__ = ["Cite", "Paragraph", "Text", "citations_of", "numbered", "policy_text"]
