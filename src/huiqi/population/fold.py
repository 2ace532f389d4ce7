"""Constant folding of the generated SQL: what is known when the query is built is not
computed for every row (issue 18).

A parameter's value at the evaluation date, a literal, a flag that is never set: the
generator knows them, so a test of them is decided here, in Python, and leaves ``TRUE`` or
``FALSE`` (or the value itself) in the SQL, and what they guarded goes away — the database
neither plans nor evaluates it. Only exact folds: literals are compared as
:class:`~decimal.Decimal` (a cast that would drop decimals is never looked through), a
boolean is folded only by the laws that hold for SQL's three-valued logic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

TRUE_SQL, FALSE_SQL = "TRUE", "FALSE"

_CAST_TO = re.compile(r"^(.*) AS DECIMAL\(38,(\d+)\)$", re.S)
_NUMBER = re.compile(r"^'(-?[0-9]+(?:\.[0-9]+)?)'$")


def _outside(sql: str, quotes: str) -> Iterator[tuple[int, str, int]]:
    """Each character of ``sql`` outside quotes (any of ``quotes``), its index, and the depth
    of parentheses after it."""
    depth = 0
    quoted = False
    for i, ch in enumerate(sql):
        if ch in quotes:
            quoted = not quoted
        elif not quoted:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            yield i, ch, depth


_PARENS = re.compile(r"[()']")


def outer_call(sql: str, head: str) -> str | None:
    """The argument of ``head(...)`` if the call spans the whole of ``sql``, else None.

    Only the parentheses and single quotes are visited (a regular expression finds them):
    the SQL of a whole clause is asked this many times while it is built."""
    if not (sql.startswith(head + "(") and sql.endswith(")")):
        return None
    depth = 0
    quoted = False
    for m in _PARENS.finditer(sql, len(head)):
        ch = m.group()
        if ch == "'":
            quoted = not quoted
        elif not quoted:
            depth += 1 if ch == "(" else -1
            if depth == 0:
                return sql[len(head) + 1:-1] if m.start() == len(sql) - 1 else None
    return None


#: what a literal or NULL under casts to DECIMAL(38, s) starts with
_MAYBE_LITERAL = re.compile(r"(?:CAST\()*(?:'|NULL)")


def top_level(sql: str, sep: str) -> list[str]:
    """``sql`` split at ``sep`` where it is outside parentheses and quotes (one part if none);
    ``sql`` wrapped whole in parentheses is split inside them."""
    if sql.startswith("(") and outer_call("f" + sql, "f") is not None:
        sql = sql[1:-1]
    parts: list[str] = []
    start = 0
    for i, ch, depth in _outside(sql, "'\""):
        if i >= start and depth == 0 and ch not in "()" and sql.startswith(sep, i):
            parts.append(sql[start:i])
            start = i + len(sep)
    parts.append(sql[start:])
    return parts


def _under_casts(sql: str) -> tuple[str, int | None]:
    """``sql`` without its casts to DECIMAL(38, s), and the smallest of their scales (None:
    no cast)."""
    least: int | None = None
    while True:
        inner = outer_call(sql, "CAST")
        m = _CAST_TO.match(inner) if inner is not None else None
        if m is None:
            return sql, least
        sql = m.group(1)
        scale = int(m.group(2))
        least = scale if least is None else min(least, scale)


def null_test(sql: str) -> str:
    """What ``sql IS NULL`` need test: ``sql`` without its casts to DECIMAL(38, s) (a cast
    never makes a value NULL nor a NULL a value)."""
    return _under_casts(sql)[0]


def literal(sql: str) -> Decimal | None:
    """The value of a numeric literal (``'12.5'`` under casts to DECIMAL(38, s)), or None for
    anything else — also for a literal a cast would round (more decimals than its scale)."""
    if not _MAYBE_LITERAL.match(sql):
        return None
    inner, least = _under_casts(sql)
    m = _NUMBER.match(inner)
    if m is None:
        return None
    value = Decimal(m.group(1))
    places = max(0, -int(value.as_tuple().exponent))
    if least is not None and places > least:
        return None
    return value


def is_null(sql: str) -> bool:
    """``sql`` is the NULL literal (under casts to DECIMAL(38, s))."""
    return _MAYBE_LITERAL.match(sql) is not None and _under_casts(sql)[0] == "NULL"


def is_constant(sql: str) -> bool:
    """TRUE, FALSE, a small integer (a truth code), a numeric literal or NULL: SQL that costs
    nothing per row, never worth a column of its own."""
    return (sql in (TRUE_SQL, FALSE_SQL) or sql.isdigit() or literal(sql) is not None
            or is_null(sql))


def and_(*xs: str) -> str:
    """``x AND y …`` (none: TRUE); FALSE anywhere decides, TRUE is dropped."""
    return _connect("AND", TRUE_SQL, FALSE_SQL, xs)


def or_(*xs: str) -> str:
    """``x OR y …`` (none: FALSE); TRUE anywhere decides, FALSE is dropped."""
    return _connect("OR", FALSE_SQL, TRUE_SQL, xs)


def _connect(op: str, unit: str, decider: str, xs: tuple[str, ...]) -> str:
    """``xs`` joined by ``op``: ``unit`` dropped (and the answer when nothing is left),
    ``decider`` anywhere the answer, each term once."""
    parts = list(dict.fromkeys(x for x in xs if x != unit))
    if decider in parts:
        return decider
    if not parts:
        return unit
    return parts[0] if len(parts) == 1 else "(" + f" {op} ".join(parts) + ")"


def not_(x: str) -> str:
    if x in (TRUE_SQL, FALSE_SQL):
        return FALSE_SQL if x == TRUE_SQL else TRUE_SQL
    return f"(NOT {x})"


def compare(a: Decimal, op: str, b: Decimal) -> bool:
    """``a op b`` for two exact numbers (``op`` as in SQL or the rules' language)."""
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "=": a == b, "==": a == b,
            "<>": a != b, "!=": a != b}[op]


def boolean(b: bool) -> str:
    return TRUE_SQL if b else FALSE_SQL
