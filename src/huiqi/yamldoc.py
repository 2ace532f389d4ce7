"""Read YAML as plain data while remembering where every value stood in the file.

Policy packs, test cases and enterprise files are YAML written by people. When
something in them is wrong, the message must name the file, line and column.
PyYAML composes a node tree that carries those marks; this module turns the tree
into plain Python values and a map from each value's path to its position.

Numbers with a fraction become :class:`~decimal.Decimal`, never ``float``: a
money amount written ``0.1`` must stay exactly one jiao. Only ``true`` and
``false`` are booleans (YAML 1.1's ``yes``/``no``/``on``/``off`` stay text).

Anchors and aliases (``&x`` … ``*x``) are allowed, within a budget: in one file the
aliases may copy at most :data:`ALIAS_BUDGET` values in all, and an alias may not refer
to a value that contains it. A few hundred bytes of nested aliases ("billion laughs")
would otherwise expand to 10⁹ values; the budget is checked on the composed tree,
counting each distinct value once, before anything is expanded.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from huiqi.errors import Problem
from huiqi.messages import message

PathKey = tuple[str | int, ...]

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_DECIMAL = re.compile(r"^[-+]?([0-9][0-9_]*)?\.[0-9_]+([eE][-+]?[0-9]+)?$|^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Position:
    """Where a value starts in its file (1-based), and how its scalar was written."""

    line: int
    column: int
    style: str | None = None  # None plain, "'" or '"' quoted, "|" or ">" block
    end_line: int | None = None

    def inner(self, line: int, column: int) -> tuple[int, int]:
        """The file position of (line, column) inside this scalar's own text."""
        if self.style in ("|", ">"):
            # a block scalar's text starts on the line after the indicator
            return self.line + line, column + self.column + 1
        if line == 1:
            offset = 1 if self.style in ("'", '"') else 0
            return self.line, self.column + offset + column - 1
        return self.line + line - 1, column


#: values that aliases may copy in one file (a policy file repeats a few conditions)
ALIAS_BUDGET = 10_000

_BASE: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C parser when present


class _Loader(_BASE):  # type: ignore[misc]
    """SafeLoader with YAML 1.2's booleans; everything else is resolved by us."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class Document:
    """A YAML file read as plain data, with the position of every value."""

    data: Any
    positions: dict[PathKey, Position]
    file: str
    key_positions: dict[PathKey, Position] | None = None
    #: entries of a ``{…}`` mapping written without a colon (``{quote: a,b}`` reads ``b`` as a
    #: key of its own): the entry's path → the key written before it
    bare_keys: dict[PathKey, str] | None = None

    def where(self, path: PathKey) -> Position | None:
        """The position of the value at ``path``, or of its nearest ancestor."""
        p = tuple(path)
        while True:
            pos = self.positions.get(p)
            if pos is not None or not p:
                return pos
            p = p[:-1]

    def problem(self, code: str, path: PathKey, *, snippet: str | None = None,
                inner: tuple[int, int] | None = None, at_key: bool = False,
                **params: object) -> Problem:
        """A problem located at ``path`` (and optionally inside the scalar there).

        ``at_key`` points at the key of a mapping entry rather than at its value.
        """
        pos = (self.key_positions or {}).get(tuple(path)) if at_key else None
        pos = pos or self.where(path)
        line = column = None
        if pos is not None:
            line, column = pos.line, pos.column
            if inner is not None:
                line, column = pos.inner(*inner)
        hint_text = message(code + ".hint", **params) if _has_hint(code) else None
        return Problem(code=code, message=message(code, **params), hint=hint_text,
                       file=self.file, line=line, column=column, snippet=snippet,
                       path=tuple(path))


def _has_hint(code: str) -> bool:
    from huiqi.messages import MESSAGES

    return code + ".hint" in MESSAGES


class YamlProblems(Exception):
    """Raised by :func:`load` with the problems found while reading."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message.zh if problems else "")
        self.problems = problems


def load(text: str, file: str) -> Document:
    """Read YAML text. Raises :class:`YamlProblems` on a syntax error or a repeated key."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = f"{exc.problem or ''} {exc.context or ''}".strip()
        raise YamlProblems([Problem(
            code="yaml.syntax", message=message("yaml.syntax", detail=detail),
            hint=message("yaml.syntax.hint"), file=file,
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None,
            snippet=_line_of(text, mark.line) if mark else None)]) from None
    except yaml.YAMLError as exc:
        raise YamlProblems([Problem(code="yaml.syntax",
                                    message=message("yaml.syntax", detail=str(exc)),
                                    file=file)]) from None
    finally:
        loader.dispose()
    if node is not None:
        _check_aliases(node, file, text)
    positions: dict[PathKey, Position] = {}
    keys: dict[PathKey, Position] = {}
    bare: dict[PathKey, str] = {}
    problems: list[Problem] = []
    data = _build(node, (), positions, problems, file, text, keys, bare) \
        if node is not None else None
    if problems:
        raise YamlProblems(problems)
    return Document(data=data, positions=positions, file=file, key_positions=keys,
                    bare_keys=bare)


def load_file(path: Path, display: str | None = None) -> Document:
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblems([Problem(code="file.encoding",
                                    message=message("file.encoding", detail=str(exc)),
                                    file=name)]) from None
    return load(text, name)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_aliases(root: yaml.Node, file: str, text: str) -> None:
    """Refuse aliases that copy more than :data:`ALIAS_BUDGET` values, or that refer to a
    value containing them. Each distinct value is visited once (an alias is the same node
    object as its anchor), so the check costs what the file's own size does."""
    sizes: dict[int, int] = {}  # expanded size of each distinct node
    active: set[int] = set()    # the nodes being visited (ancestors of the current one)
    copied = 0
    stack: list[tuple[yaml.Node, yaml.Node | None, bool]] = [(root, None, False)]

    def refuse(code: str, node: yaml.Node, parent: yaml.Node | None, **params: object
               ) -> YamlProblems:
        at = (parent or node).start_mark
        return YamlProblems([Problem(
            code=code, message=message(code, anchor=node.start_mark.line + 1, **params),
            hint=message(code + ".hint") if _has_hint(code) else None, file=file,
            line=at.line + 1, column=at.column + 1, snippet=_line_of(text, at.line))])

    while stack:
        node, parent, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in _children(node))
            continue
        if key in sizes:  # a value met before: an alias copies it
            copied += sizes[key]
            if copied > ALIAS_BUDGET:
                raise refuse("yaml.alias_budget", node, parent, limit=ALIAS_BUDGET)
            continue
        if key in active:
            raise refuse("yaml.alias_cycle", node, parent)
        active.add(key)
        stack.append((node, parent, True))
        stack.extend((c, node, False) for c in reversed(_children(node)))


def _line_of(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line].strip() if 0 <= line < len(lines) else ""


def _build(node: yaml.Node, path: PathKey, positions: dict[PathKey, Position],
           problems: list[Problem], file: str, text: str,
           keys: dict[PathKey, Position], bare: dict[PathKey, str]) -> Any:
    start = node.start_mark
    style = getattr(node, "style", None)
    positions[path] = Position(start.line + 1, start.column + 1, style or None,
                               node.end_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        previous: str | None = None
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if key is None and not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(code="yaml.key", message=message("yaml.key"), file=file,
                                        line=key_node.start_mark.line + 1,
                                        column=key_node.start_mark.column + 1))
                continue
            if isinstance(key, dt.date):
                key = key.isoformat()
            if key in out:
                problems.append(Problem(
                    code="yaml.duplicate_key", message=message("yaml.duplicate_key", key=key),
                    hint=message("yaml.duplicate_key.hint"), file=file,
                    line=key_node.start_mark.line + 1, column=key_node.start_mark.column + 1,
                    snippet=_line_of(text, key_node.start_mark.line)))
                continue
            child = (*path, key if isinstance(key, str | int) else str(key))
            keys[child] = Position(key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if previous is not None and node.flow_style and _colonless(key_node, value_node, text):
                bare[child] = previous
            out[key] = _build(value_node, child, positions, problems, file, text, keys, bare)
            previous = str(key)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), positions, problems, file, text, keys, bare)
                for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(node)


def _colonless(key: yaml.Node, value: yaml.Node, text: str) -> bool:
    """An entry of a flow mapping with no ``:`` at all (``{quote: a,b}``: ``b``): no value,
    and the key is followed by ``,`` or ``}`` rather than a colon."""
    if not (isinstance(value, yaml.ScalarNode) and value.value == "" and not value.style):
        return False
    rest = text[key.end_mark.index:].lstrip(" \t\r\n")
    return rest[:1] in (",", "}")


def _scalar(node: yaml.ScalarNode) -> Any:
    value: str = node.value
    if node.style in ("'", '"', "|", ">"):
        return value
    tag = node.tag
    if tag == "tag:yaml.org,2002:null" or value in ("", "~", "null", "Null", "NULL"):
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if _INT.match(value):
        return int(value.replace("_", ""))
    if _DECIMAL.match(value):
        return Decimal(value.replace("_", ""))
    if _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value
