"""Finding a cited quote in its paragraph, as a reader would: whitespace does not count, and
the full-width and half-width forms of a character are the same character.

Policy texts are typed from PDFs and re-posts that mix ``，`` with ``,``, ``（）`` with
``()``, ``：`` with ``:``, full-width digits and spaces with ASCII ones, Chinese quotation
marks with straight ones. A quote copied from one copy must be found in another. Both
sides are folded character by character — Unicode compatibility form (NFKC, which maps
every full-width form to its half-width one), quotation marks and the ideographic full
stop to their ASCII forms, whitespace dropped — and the folded quote is looked up in the
folded paragraph. :func:`find` maps the match back to the paragraph's own characters, so
that a page can mark exactly the words the rule cites.
"""

from __future__ import annotations

import unicodedata

#: beyond NFKC: marks that are the same sign in Chinese and Western typesetting
_SAME = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "‘": "'", "’": "'",
                       "‚": "'", "‛": "'", "。": ".", "｡": "."})


def _fold_char(ch: str) -> str:
    if ch.isspace():
        return ""
    return "".join(c for c in unicodedata.normalize("NFKC", ch).translate(_SAME)
                   if not c.isspace())


def fold(text: str) -> str:
    """``text`` as it is compared: whitespace dropped, full-width forms made half-width."""
    return "".join(_fold_char(ch) for ch in text)


def _folded(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            chars.append(c)
            origin.append(i)
    return "".join(chars), origin


def find(quote: str, text: str) -> tuple[int, int] | None:
    """Where ``quote`` stands in ``text`` (start and end indices of ``text``), or None."""
    q = fold(quote)
    if not q:
        return None
    folded, origin = _folded(text)
    at = folded.find(q)
    if at < 0:
        return None
    return origin[at], origin[at + len(q) - 1] + 1


def contains(text: str, quote: str) -> bool:
    """Is ``quote`` in ``text``, whitespace aside and full-width equal to half-width?"""
    return fold(quote) in fold(text)


__all__ = ["contains", "find", "fold"]
