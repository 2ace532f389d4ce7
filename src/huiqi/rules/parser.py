"""Parse expression text into a syntax tree with Lark (LALR(1)); never ``eval``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from huiqi.rules import syntax as S
from huiqi.text import Text

_DUR_UNITS = {"day": "days", "days": "days", "month": "months", "months": "months",
              "year": "years", "years": "years", "天": "days", "个月": "months", "年": "years"}
_CMP = {"≥": ">=", "≤": "<=", "≠": "!="}
_TERMINALS = {
    "CMP_OP": ("比较符", "a comparison"), "NAME": ("名称", "a name"),
    "NUMBER": ("数字", "a number"), "INT": ("整数", "a whole number"),
    "RPAR": ("“)”", "“)”"), "LPAR": ("“(”", "“(”"), "RSQB": ("“]”", "“]”"),
    "RBRACE": ("“}”", "“}”"), "COMMA": ("“,”", "“,”"), "STRING": ("文本", "text"),
    "MONEY": ("金额", "an amount"), "PERCENT": ("百分比", "a percentage"),
    "DATE": ("日期", "a date"), "THEN": ("then", "then"), "ELSE": ("else", "else"),
    "DUR_UNIT": ("时间单位", "a unit of time"), "$END": ("表达式结束", "the end"),
}


class ExprSyntaxError(Exception):
    """An expression that does not parse. ``line``/``column`` are 1-based within it."""

    def __init__(self, text: Text, line: int, column: int, snippet: str) -> None:
        super().__init__(text.zh)
        self.text = text
        self.line = line
        self.column = column
        self.snippet = snippet


@cache
def _parser() -> Lark:
    grammar = files("huiqi.rules").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)


def _span(meta: Any) -> S.Span | None:
    if getattr(meta, "empty", True):
        return None
    return S.Span(meta.start_pos, meta.end_pos, meta.line, meta.column)


def _tok_span(tok: Token) -> S.Span:
    return S.Span(tok.start_pos or 0, tok.end_pos or 0, tok.line or 1, tok.column or 1)


def _dec(text: str) -> Decimal:
    return Decimal(text.replace("_", ""))


def _unquote(raw: str) -> str:
    if raw.startswith("“"):
        return raw[1:-1]
    body = raw[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


class _Build(Transformer[Token, S.Expr]):
    # ---- literals
    @v_args(meta=True)
    def number(self, meta: Any, c: list[Token]) -> S.Expr:
        return S.Num(_dec(c[0]), span=_span(meta))

    @v_args(meta=True)
    def percent(self, meta: Any, c: list[Token]) -> S.Expr:
        return S.Percent(_dec(c[0][:-1]), span=_span(meta))

    @v_args(meta=True)
    def money(self, meta: Any, c: list[Token]) -> S.Expr:
        t = str(c[0]).lstrip("¥")
        if t.endswith("元"):
            t = t[:-1]
        factor = Decimal(1)
        if t.endswith("万"):
            t, factor = t[:-1], Decimal(10_000)
        elif t.endswith("亿"):
            t, factor = t[:-1], Decimal(100_000_000)
        return S.Money(_dec(t) * factor, span=_span(meta))

    @v_args(meta=True)
    def date(self, meta: Any, c: list[Token]) -> S.Expr:
        try:
            value = dt.date.fromisoformat(str(c[0]))
        except ValueError:
            raise _BadLiteral(Text(f"“{c[0]}”不是有效日期", f"“{c[0]}” is not a valid date"),
                              c[0]) from None
        return S.DateLit(value, span=_span(meta))

    @v_args(meta=True)
    def duration(self, meta: Any, c: list[Token]) -> S.Expr:
        amount = _dec(c[0])
        if amount != amount.to_integral_value():
            raise _BadLiteral(Text("时长须为整数", "a duration must be a whole number"), c[0])
        return S.Duration(int(amount), _DUR_UNITS[str(c[1])], span=_span(meta))

    @v_args(meta=True)
    def duration_cn(self, meta: Any, c: list[Token]) -> S.Expr:
        raw = str(c[0])
        digits = raw.rstrip("天个月年")
        return S.Duration(int(digits), _DUR_UNITS[raw[len(digits):]], span=_span(meta))

    @v_args(meta=True)
    def string(self, meta: Any, c: list[Token]) -> S.Expr:
        return S.Str(_unquote(str(c[0])), span=_span(meta))

    @v_args(meta=True)
    def true(self, meta: Any, c: list[Token]) -> S.Expr:
        return S.Bool(True, span=_span(meta))

    @v_args(meta=True)
    def false(self, meta: Any, c: list[Token]) -> S.Expr:
        return S.Bool(False, span=_span(meta))

    @v_args(meta=True)
    def set_lit(self, meta: Any, c: list[S.Expr | None]) -> S.Expr:
        return S.SetLit(tuple(x for x in c if x is not None), span=_span(meta))

    @v_args(meta=True)
    def name(self, meta: Any, c: list[Token]) -> S.Expr:
        return S.Name(str(c[0]), span=_span(meta))

    # ---- postfix
    def neg_int(self, c: list[Token]) -> int:
        return -int(c[0])

    def pos_int(self, c: list[Token]) -> int:
        return int(c[0])

    @v_args(meta=True)
    def year_ref(self, meta: Any, c: list[Any]) -> S.Expr:
        return S.YearRef(str(c[0]), c[1], None, span=_span(meta))

    @v_args(meta=True)
    def year_range(self, meta: Any, c: list[Any]) -> S.Expr:
        return S.YearRef(str(c[0]), c[1], c[2], span=_span(meta))

    @v_args(meta=True)
    def attr(self, meta: Any, c: list[Any]) -> S.Expr:
        return S.Attr(c[0], str(c[1]), span=_span(meta))

    @v_args(meta=True)
    def call(self, meta: Any, c: list[Any]) -> S.Expr:
        args: list[S.Expr] = []
        kwargs: list[tuple[str, S.Expr]] = []
        for kind, payload in c[1] or []:
            if kind == "kw":
                kwargs.append(payload)
            else:
                args.append(payload)
        return S.Call(str(c[0]), tuple(args), tuple(kwargs), span=_span(meta))

    def args(self, c: list[Any]) -> list[Any]:
        return c

    def pos_arg(self, c: list[Any]) -> tuple[str, Any]:
        return ("pos", c[0])

    def kw_arg(self, c: list[Any]) -> tuple[str, Any]:
        return ("kw", (str(c[0]), c[1]))

    @v_args(meta=True)
    def where_arg(self, meta: Any, c: list[Any]) -> tuple[str, Any]:
        return ("pos", S.Where(c[0], c[1], span=_span(meta)))

    # ---- operators
    @v_args(meta=True)
    def neg(self, meta: Any, c: list[Any]) -> S.Expr:
        return S.Unary("-", c[0], span=_span(meta))

    @v_args(meta=True)
    def not_op(self, meta: Any, c: list[Any]) -> S.Expr:
        return S.Unary("not", c[0], span=_span(meta))

    def _bin(self, op: str, meta: Any, left: S.Expr, right: S.Expr) -> S.Expr:
        return S.Binary(op, left, right, span=_span(meta))

    @v_args(meta=True)
    def add(self, meta: Any, c: list[Any]) -> S.Expr:
        return self._bin("+", meta, c[0], c[1])

    @v_args(meta=True)
    def sub(self, meta: Any, c: list[Any]) -> S.Expr:
        return self._bin("-", meta, c[0], c[1])

    @v_args(meta=True)
    def mul(self, meta: Any, c: list[Any]) -> S.Expr:
        return self._bin("*", meta, c[0], c[2])

    @v_args(meta=True)
    def div(self, meta: Any, c: list[Any]) -> S.Expr:
        return self._bin("/", meta, c[0], c[2])

    @v_args(meta=True)
    def and_op(self, meta: Any, c: list[Any]) -> S.Expr:
        return self._bin("and", meta, c[0], c[1])

    @v_args(meta=True)
    def or_op(self, meta: Any, c: list[Any]) -> S.Expr:
        return self._bin("or", meta, c[0], c[1])

    @v_args(meta=True)
    def compare(self, meta: Any, c: list[Any]) -> S.Expr:
        op = str(c[1])
        return S.Compare(_CMP.get(op, op), c[0], c[2], span=_span(meta))

    @v_args(meta=True)
    def member(self, meta: Any, c: list[Any]) -> S.Expr:
        return S.Member(c[0], c[1], False, span=_span(meta))

    @v_args(meta=True)
    def not_member(self, meta: Any, c: list[Any]) -> S.Expr:
        return S.Member(c[0], c[1], True, span=_span(meta))

    @v_args(meta=True)
    def if_expr(self, meta: Any, c: list[Any]) -> S.Expr:
        return S.If(c[0], c[1], c[2], span=_span(meta))


class _BadLiteral(Exception):
    def __init__(self, text: Text, tok: Token) -> None:
        super().__init__(text.zh)
        self.text = text
        self.tok = tok


_VALUE_START = {"NAME", "NUMBER", "MONEY", "PERCENT", "DATE", "STRING", "LPAR", "LBRACE", "MINUS",
                "TRUE", "FALSE", "NOT", "IF", "NUMBER_DUR"}


def _expected(names: set[str]) -> Text:
    if names & _VALUE_START:
        return Text("一个值(数字、金额、百分比、日期、名称或括号)",
                    "a value (a number, an amount, a percentage, a date, a name or a parenthesis)")
    shown_zh: list[str] = []
    shown_en: list[str] = []
    for n in sorted(names):
        zh, en = _TERMINALS.get(n, (n.lower(), n.lower()))
        if zh not in shown_zh:
            shown_zh.append(zh)
            shown_en.append(en)
    return Text("、".join(shown_zh[:6]), ", ".join(shown_en[:6]))


def _line(text: str, line: int) -> str:
    lines = text.splitlines() or [""]
    return lines[min(max(line, 1), len(lines)) - 1]


@lru_cache(maxsize=16_384)
def parse(text: str) -> S.Expr:
    """Parse one expression. Raises :class:`ExprSyntaxError` saying where and why.

    The same text gives the same (immutable) tree, so trees are remembered by text: a pack
    loaded again, or a reform of it, parses only what changed. Errors are not remembered."""
    if not text.strip():
        raise ExprSyntaxError(Text("表达式为空", "the expression is empty"), 1, 1, text)
    try:
        tree: Tree[Token] = _parser().parse(text)
        result = _Build().transform(tree)
    except VisitError as exc:
        orig = exc.orig_exc
        if isinstance(orig, _BadLiteral):
            line, col = orig.tok.line or 1, orig.tok.column or 1
            raise ExprSyntaxError(orig.text, line, col, _line(text, line)) from None
        raise
    except UnexpectedCharacters as exc:
        pos = exc.pos_in_stream or 0
        ch = text[pos] if pos < len(text) else ""
        raise ExprSyntaxError(
            Text(f"无法识别的字符“{ch}”", f"unexpected character “{ch}”"),
            exc.line, exc.column, _line(text, exc.line)) from None
    except UnexpectedEOF as exc:
        exp = _expected(set(exc.expected))
        lines = text.splitlines() or [""]
        raise ExprSyntaxError(
            Text(f"表达式不完整,此处还需要:{exp.zh}", f"the expression is incomplete; expected {exp.en}"),
            len(lines), len(lines[-1]) + 1, lines[-1]) from None
    except UnexpectedToken as exc:
        tok = exc.token
        exp = _expected(set(exc.expected))
        if tok.type == "$END":
            lines = text.splitlines() or [""]
            raise ExprSyntaxError(
                Text(f"表达式不完整,此处还需要:{exp.zh}",
                     f"the expression is incomplete; expected {exp.en}"),
                len(lines), len(lines[-1]) + 1, lines[-1]) from None
        raise ExprSyntaxError(
            Text(f"此处不应出现“{tok}”,应为:{exp.zh}", f"unexpected “{tok}”; expected {exp.en}"),
            tok.line or 1, tok.column or 1, _line(text, tok.line or 1)) from None
    except UnexpectedInput as exc:  # pragma: no cover - other lark input errors
        raise ExprSyntaxError(Text("表达式无法解析", "the expression cannot be parsed"),
                              exc.line, exc.column, _line(text, exc.line)) from None
    assert isinstance(result, S.Expr)
    return result
