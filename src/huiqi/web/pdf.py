"""PDF documents (ReportLab): a title, a few lines about it, and a table.

Chinese needs a CJK font. WenQuanYi Micro Hei (Debian's ``fonts-wqy-microhei``, 4.6 MB,
Apache-2.0 or GPLv3 with the font exception) is embedded, subset to the characters used,
when it (or WenQuanYi Zen Hei) is installed at Debian's paths. Without one, ReportLab's built-in Adobe
CID font STSong-Light is referenced: the PDF is still valid and readers that carry the
Adobe-GB1 fonts show it, but the font is not embedded.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
)
FONT = "HuiqiCJK"
FALLBACK = "STSong-Light"


def font_file() -> Path | None:
    """The CJK TrueType font to embed, if one is installed."""
    for candidate in FONT_PATHS:
        p = Path(candidate)
        if p.is_file():
            return p
    return None


@cache
def font() -> str:
    """Register the CJK font once per process; its ReportLab name."""
    from reportlab.pdfbase import pdfmetrics

    path = font_file()
    if path is not None:
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
        return FONT
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return FALLBACK


def document(title: str, lines: Sequence[str], header: Sequence[str],
             rows: Sequence[Sequence[str]], widths: Sequence[float], footer: str = "",
             disclaimer: str = "", page_footer: str = "", page_word: str = "第 {n} / {of} 页"
             ) -> bytes:
    """A landscape A4 PDF: ``title``, ``lines`` under it, then a table (widths in mm), then
    ``footer`` and ``disclaimer``. Every page ends with ``page_footer`` (e.g. the park's
    contact) and its number out of the total (``page_word``)."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Flowable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    name = font()
    h1 = ParagraphStyle("h1", fontName=name, fontSize=16, leading=22, spaceAfter=4)
    body = ParagraphStyle("body", fontName=name, fontSize=9, leading=13, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=name, fontSize=8, leading=11, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, textColor=colors.white)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm,
                            rightMargin=12 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
                            title=title, author="huiqi 惠企")

    def para(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    story: list[Flowable] = [para(title, h1)]
    story += [para(line, body) for line in lines]
    story.append(Spacer(1, 4 * mm))
    data = [[para(h, head) for h in header]] + [[para(str(v), cell) for v in r] for r in rows]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1d4e89")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b7c3")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f5f8")]),
    ]))
    story.append(table)
    if footer:
        story += [Spacer(1, 3 * mm), para(footer, body)]
    if disclaimer:
        story += [Spacer(1, 3 * mm), para(disclaimer, body)]
    doc.build(story, canvasmaker=_numbered(name, page_footer, page_word))
    return buf.getvalue()


def _numbered(font_name: str, text: str, page_word: str) -> Any:
    """A canvas that writes, at the foot of every page, ``text`` and “page n of m” (known
    only once every page is laid out: the pages are kept, then numbered when saved)."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class Numbered(Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self._pages: list[dict[str, object]] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]

        def save(self) -> None:
            total = len(self._pages)
            for page in self._pages:
                self.__dict__.update(page)
                width = self._pagesize[0]  # type: ignore[attr-defined]
                self.setFont(font_name, 7.5)
                self.setFillGray(0.35)
                if text:
                    self.drawString(12 * mm, 6 * mm, text)
                self.drawRightString(width - 12 * mm, 6 * mm,
                                     page_word.format(n=self.getPageNumber(), of=total))
                super().showPage()
            super().save()

    return Numbered



def certificate(heading: str, lines: Sequence[str], header: Sequence[str],
                rows: Sequence[Sequence[str]], number: str, footer: str = "") -> bytes:
    """A certificate (portrait A4): a heading, the lines that say who won what, a small
    table (the team's members) and the certificate's number; CJK font as :func:`document`."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    name = font()
    big = ParagraphStyle("big", fontName=name, fontSize=30, leading=40, alignment=TA_CENTER,
                         spaceAfter=12, textColor=colors.HexColor("#8a1c1c"))
    body = ParagraphStyle("body", fontName=name, fontSize=13, leading=22, alignment=TA_CENTER,
                          wordWrap="CJK")
    small = ParagraphStyle("small", fontName=name, fontSize=9, leading=13, alignment=TA_CENTER)
    cell = ParagraphStyle("cell", fontName=name, fontSize=10, leading=13, wordWrap="CJK")
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm,
                            topMargin=30 * mm, bottomMargin=20 * mm, title=heading,
                            author="huiqi 惠企")

    def para(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    story: list[Flowable] = [para(heading, big), Spacer(1, 8 * mm)]
    story += [para(line, body) for line in lines]
    story.append(Spacer(1, 8 * mm))
    if rows:
        data = [[para(h, cell) for h in header]] + [[para(str(v), cell) for v in r] for r in rows]
        table = Table(data, colWidths=[(166 / len(header)) * mm] * len(header), repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b7c3")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f5f8")),
        ]))
        story.append(table)
    story += [Spacer(1, 12 * mm), para(number, small)]
    if footer:
        story += [Spacer(1, 2 * mm), para(footer, small)]
    doc.build(story)
    return buf.getvalue()


__all__ = ["certificate", "document", "font", "font_file"]
