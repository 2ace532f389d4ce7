"""“Did you mean”: the names closest to an unknown one, by spelling and by meaning.

Spelling alone misleads: ``total_income`` is spelt most like ``total_cost_expense``, yet
what its author wants is an income — ``revenue``, whose label is 营业收入(销售收入). So
each candidate is also described by the words of its labels (English and Chinese), and
the unknown name is compared with those words as well as with the id:

* a name spelt almost like an id (a typo: ``revenu``) matches that id;
* otherwise the words of the name (``total``, ``income``) are compared with the words of
  each id and label, weighted: words that say what a figure is (``income``) count more
  than words that many figures share (``total``, ``number``), and a few words the texts
  use for the same thing are taken as one (income, revenue, sales; staff, employees …);
* a Chinese name is compared with the Chinese labels.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

#: spelt this close to an id, a name is a typo of it
TYPO = 0.75
#: below this, a candidate is not worth showing
ENOUGH = 0.3

_STOP = {"and", "or", "of", "the", "in", "a", "an", "for", "on", "by", "per", "with", "to",
         "e", "g", "eg", "its", "it", "is", "at", "as"}
_GENERIC = {"total", "number", "count", "amount", "sum", "value", "annual", "yearly", "year",
            "last", "current", "date", "rate", "ratio", "level", "kind", "type", "min", "max",
            "minimum", "maximum"}
_SAME = {w: group[0] for group in (
    ("revenue", "income", "sales", "turnover", "receipts"),
    ("staff", "employees", "employee", "headcount", "workers", "personnel", "people"),
    ("expense", "expenses", "spending", "expenditure", "cost", "costs"),
    ("profit", "earnings"),
    ("patent", "patents"),
    ("registration", "registered", "founded", "established", "incorporation"),
) for w in group}
_WORD = re.compile(r"[a-z]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _words(text: str) -> set[str]:
    out: set[str] = set()
    for word in _WORD.findall(text.lower()):
        if word in _STOP or len(word) < 2:
            continue
        plural = len(word) > 3 and word.endswith("s") and not word.endswith("ss")
        stem = word[:-1] if plural and word not in _SAME else word
        out.add(_SAME.get(stem, stem))
    return out


def _weight(w: str) -> float:
    return 0.3 if w in _GENERIC else 1.0


def _overlap(a: set[str], b: set[str]) -> float:
    """Weighted Jaccard similarity of two sets of words."""
    union = a | b
    if not union:
        return 0.0
    return sum(_weight(w) for w in a & b) / sum(_weight(w) for w in union)


def _chinese(name: str, labels: Iterable[str]) -> float:
    best = 0.0
    for label in labels:
        if _CJK.search(label):
            core = re.sub(r"[((].*?[))]", "", label)
            for text in {label, core}:
                if name in text or text in name:
                    best = max(best, 0.9 * min(len(name), len(text)) / max(len(name), len(text))
                               + 0.1)
                best = max(best, difflib.SequenceMatcher(None, name, text).ratio())
    return best


def ranked(name: str, candidates: Mapping[str, Iterable[str]], n: int = 3) -> list[str]:
    """The (at most ``n``) candidate ids closest to ``name``, best first. ``candidates``
    maps each id to its labels (any languages)."""
    chinese = bool(_CJK.search(name))
    mine = _words(name.replace("_", " "))
    scored: list[tuple[float, float, str]] = []
    for cid, texts in candidates.items():
        labels = list(texts)
        spelling = difflib.SequenceMatcher(None, name.lower(), cid.lower()).ratio()
        if chinese:
            score = _chinese(name, labels)
        else:
            theirs = _words(cid.replace("_", " "))
            for label in labels:
                theirs |= _words(label)
            score = max(spelling if spelling >= TYPO else 0.0, _overlap(mine, theirs))
        if score >= ENOUGH:
            scored.append((score, spelling, cid))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    return [cid for _, _, cid in scored[:n]]


__all__ = ["ranked"]
