"""Declared choices in a table of enterprises are options the policy offers, or the run
is refused (issue 11, item 7): a value that is none of them once silently took the
``else`` branch of a formula in ``match-all`` while ``huiqi match`` rightly refused it.

One query per ``choice:<policy>:<choice>`` column of the input finds the first rows whose
value is not an option; the error names the input, the column, the enterprises and the
options, as :meth:`huiqi.engine.matcher.Matcher.check_choices` does for one enterprise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from huiqi.errors import InputError
from huiqi.rules.model import Pack
from huiqi.text import Text

from .dialect import Dialect

SHOWN = 5  # enterprises named in the error

Query = Callable[[str], list[tuple[object, object]]]


def offered(pack: Pack) -> dict[str, tuple[str, tuple[str, ...]]]:
    """``policy:choice`` → (its label, its options), for every choice of the pack."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for pol in pack.policies:
        for cid, ch in pol.choices.items():
            out[f"{pol.id}:{cid}"] = (ch.label.zh, tuple(ch.options))
    return out


def check(pack: Pack, columns: Iterable[str], source: str, dialect: Dialect, query: Query,
          where: str) -> None:
    """Refuse ``source`` (a table or view in ``dialect``, read through ``query``) if a
    choice column holds a value that is not an option; ``where`` names the input."""
    choices = offered(pack)
    for col in columns:
        if not col.startswith("choice:") or col[7:] not in choices:
            continue
        label, options = choices[col[7:]]
        c = dialect.ident(col)
        allowed = ", ".join(dialect.string(o) for o in options)
        ident = dialect.ident("id")
        rows = query(f"SELECT {ident}, {c} FROM {source} WHERE {c} IS NOT NULL AND "
                     f"{c} NOT IN ({allowed}) LIMIT {SHOWN}")
        if rows:
            raise bad_choice(where, col, label, options, [(str(i), str(v)) for i, v in rows])


def bad_choice(where: str, column: str, label: str, options: tuple[str, ...],
               rows: list[tuple[str, str]]) -> InputError:
    firms = "、".join(f"{i}(“{v}”)" for i, v in rows)
    firms_en = ", ".join(f"{i} (“{v}”)" for i, v in rows)
    return InputError(Text(
        f"{where} 的列 {column}(“{label}”)中有不是可选项({'、'.join(options)})的值:"
        f"{firms}{' 等' if len(rows) >= SHOWN else ''}",
        f"column {column} of {where} holds values that are not options "
        f"({', '.join(options)}): {firms_en}{' and more' if len(rows) >= SHOWN else ''}"))
