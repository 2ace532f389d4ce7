"""A match summary to download (PDF and Excel), and the stored results of a clause
(CSV and Excel). An amount the text does not give is marked assumed: in the PDF beside the
amount ("¥20,000(假定)"), in Excel and CSV in a column of its own, so that the amounts stay
numbers; totals say how much of them is assumed ("含假定金额 ¥…")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from huiqi.engine.format import fmt_money
from huiqi.engine.result import STATUS_TEXT, Status
from huiqi.text import Lang

from . import pdf, sheets
from .view import Row, Summary


def _w(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _window(r: Row, lang: Lang) -> str:
    if r.window is None:
        return ""
    return f"{r.window[0]} – {r.window[1]}"


def _why(r: Row, lang: Lang) -> list[str]:
    out = list(r.why)
    out += [_w(lang, "缺:", "missing: ") + m for m in r.missing]
    out += [_w(lang, "待审:", "review: ") + m for m in r.reviews]
    return out


def _header(lang: Lang, assumed_column: bool = False) -> list[str]:
    amount = [_w(lang, "金额", "Amount")]
    if assumed_column:  # a spreadsheet: numbers only in the amount columns
        amount += [_w(lang, "可能金额(补全信息后)", "Possible amount (once complete)"),
                   _w(lang, "金额为假定", "Amount assumed")]
    return [_w(lang, "条款", "Clause"), _w(lang, "分组", "Group"), _w(lang, "状态", "Status"),
            *amount, _w(lang, "申报时间", "Window"),
            _w(lang, "原因、差距与缺少的信息", "Why, gaps and missing facts")]


def _group(r: Row, lang: Lang) -> str:
    return {"fits": _w(lang, "可申报", "fits"), "near": _w(lang, "差一点", "nearly"),
            "other": _w(lang, "其他", "other")}[r.group]


def _assumed_word(lang: Lang) -> str:
    return _w(lang, "假定", "assumed")


def _lines(s: Summary, lang: Lang) -> list[str]:
    who = s.name or _w(lang, "访客(未登录)", "Visitor (not signed in)")
    if s.code:
        who += f"  {s.code}"
    total = _w(lang, f"符合条件可获资金合计:{fmt_money(s.total)}",
               f"Total payable if eligible: {fmt_money(s.total)}")
    if s.assumed_total:
        total += _w(lang, f"(含假定金额 {fmt_money(s.assumed_total)})",
                    f" (incl. assumed amounts {fmt_money(s.assumed_total)})")
    return [who,
            _w(lang, f"评估日 {s.as_of}", f"As of {s.as_of}"), total]


def _rows(s: Summary, lang: Lang, money: bool) -> list[list[Any]]:
    """Clause, key, status, amount, [assumed,] window, why: the assumed mark beside the
    amount when it is text (``money=False``), in a column of its own when it is a number."""
    out: list[list[Any]] = []
    for r in s.shown:
        amount: Any = ""
        possible: Any = None
        if r.status == "eligible" and r.amount is not None:
            amount = r.amount if money else fmt_money(r.amount)
        elif r.potential is not None and r.status != "not_eligible":
            possible = r.potential
            if not money:
                amount = _w(lang, f"可能 {fmt_money(r.potential)}",
                            f"up to {fmt_money(r.potential)}")
        shown = amount != "" or possible is not None
        mark = _assumed_word(lang) if r.assumed and shown else ""
        if money:  # numbers: the amount, the possible amount, each in its own column
            cells = [amount if amount != "" else None, possible, mark]
        else:
            cells = [f"{amount}({mark})" if mark and lang == "zh" else
                     f"{amount} ({mark})" if mark else amount]
        if amount == "" and r.gives and not money:
            cells = [r.gives]
        out.append([r.title, _group(r, lang), STATUS_TEXT[Status(r.status)].get(lang), *cells,
                    _window(r, lang), _why(r, lang)])
    return out


DISCLAIMER = (
    "说明:本摘要由惠企平台依据企业已提供的数据和已发布的政策规则自动测算,仅供参考,不构成申报结果或"
    "资金承诺;能否获得支持及金额以主管部门审核为准。标注“假定”的条件或金额,政策原文未载明,为平台的假定。",
    "Note: this summary is computed by huiqi from the data the enterprise gave and the published "
    "policy rules. It is for reference only and is neither a decision nor a promise of money: "
    "the competent department decides. What is marked “assumed” is not in the policy text.")


def contact(lang: Lang) -> str:
    """The park's contact for the foot of every page (``HUIQI_PARK_CONTACT``)."""
    from huiqi.settings import get_settings

    given = get_settings().park_contact.strip()
    if given:
        return _w(lang, f"咨询:{given}", f"Enquiries: {given}")
    return _w(lang, "咨询:所在园区企业服务窗口", "Enquiries: your park's enterprise service desk")


def summary_pdf(s: Summary, lang: Lang) -> bytes:
    rows = [[*r[:5], "\n".join(r[5])] for r in _rows(s, lang, money=False)]
    foot = _w(lang, f"另有 {s.hidden} 个条款不符合、取决于无法改变的条件或属于其他地区,未列出。",
              f"{s.hidden} other clauses (not met, on what cannot change, or of other places) "
              "are not listed.") if s.hidden else ""
    return pdf.document(_w(lang, "惠企政策匹配摘要", "huiqi policy match summary"),
                        _lines(s, lang), _header(lang), rows, [66, 20, 22, 34, 34, 87], foot,
                        disclaimer=_w(lang, *DISCLAIMER), page_footer=contact(lang),
                        page_word=_w(lang, "第 {n} 页 / 共 {of} 页", "page {n} of {of}"))


def summary_xlsx(s: Summary, lang: Lang) -> bytes:
    return sheets.xlsx(_w(lang, "政策匹配", "Matches"), _header(lang, assumed_column=True),
                       _rows(s, lang, money=True), [*_lines(s, lang), _w(lang, *DISCLAIMER)],
                       [36, 10, 12, 16, 16, 10, 24, 70])


RESULT_HEADER = ("credit_code", "name", "district", "industry", "status", "amount",
                 "potential_amount", "amount_assumed", "failed", "missing", "as_of", "version")


def result_rows(items: Sequence[Any]) -> list[list[Any]]:
    from decimal import Decimal

    return [[r.credit_code, r.name, r.district, r.industry, r.status,
             Decimal(r.amount) if r.amount is not None else None,
             Decimal(r.potential_amount) if r.potential_amount is not None else None,
             bool(r.amount_assumed), list(r.failed), list(r.missing), r.as_of, r.version_key]
            for r in items]


def filename(stem: str, day: dt.date, suffix: str) -> str:
    return f"{stem}-{day.isoformat()}.{suffix}"
