"""统一社会信用代码 for generated enterprises: valid, unique, reproducible.

A code is ``9`` (market regulation) + kind (``1`` enterprise, ``2`` 个体工商户) + the
6-digit division code of the registering office + a 9-character organisation code
(8 characters and the GB 11714 check character) + the GB 32100 check character —
the same as :func:`huiqi.facts.credit_code.make` builds, computed here for a whole
block at once (a test checks the two agree).

The 8 characters follow the real practice: enterprises registered from
1 October 2015 (when codes were unified) get ``MA`` and 6 characters of the code
alphabet; older ones keep an 8-digit organisation code. The characters come from a
keyed permutation (a Feistel network with cycle walking) of the enterprise's position
in the population, so codes look random, depend on the seed and never repeat: up to
``MAX_ENTERPRISES`` enterprises are all distinct.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from huiqi.facts.credit_code import ALPHABET, ORG_WEIGHTS, WEIGHTS

MAX_ENTERPRISES = 100_000_000
UNIFIED_SINCE = np.datetime64("2015-10-01", "D")

_U64 = np.uint64
_CHARS = np.array(list(ALPHABET), dtype="<U1")
_ORG_VALUE = np.array([int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in ALPHABET],
                      dtype=np.int64)
_MODERN_DOMAIN = 31 ** 6
_LEGACY_DOMAIN = 10 ** 8

Ints = np.ndarray[Any, Any]
Words = np.ndarray[Any, Any]


def _round(r: Words, key: np.uint64) -> Words:
    z = (r + key) * _U64(0x9E3779B97F4A7C15)
    z ^= z >> _U64(29)
    z *= _U64(0xBF58476D1CE4E5B9)
    z ^= z >> _U64(32)
    return z


def _feistel(x: Words, keys: Words, half: int) -> Words:
    mask = _U64((1 << half) - 1)
    left, right = x >> _U64(half), x & mask
    for k in keys:
        left, right = right, left ^ (_round(right, k) & mask)
    return (left << _U64(half)) | right


def permute(index: Ints, domain: int, keys: Words) -> Ints:
    """A keyed bijection of [0, domain) applied to ``index`` (all < domain)."""
    half = (max(domain - 1, 1).bit_length() + 1) // 2
    y = _feistel(np.asarray(index, dtype=np.uint64), keys, half)
    out = y >= _U64(domain)
    while bool(out.any()):
        y[out] = _feistel(y[out], keys, half)
        out = y >= _U64(domain)
    return y.astype(np.int64)


def _digits(values: Ints, base: int, width: int) -> Ints:
    out = np.empty((len(values), width), dtype=np.int64)
    v = values.copy()
    for i in range(width - 1, -1, -1):
        out[:, i] = v % base
        v //= base
    return out


def org_chars(index: Ints, modern: np.ndarray[Any, Any], keys: Words) -> Ints:
    """The 8 characters of each organisation code, as indices into the code alphabet."""
    out = np.empty((len(index), 8), dtype=np.int64)
    out[:, 0] = ALPHABET.index("M")
    out[:, 1] = ALPHABET.index("A")
    out[:, 2:] = _digits(permute(index, _MODERN_DOMAIN, keys[:4]), 31, 6)
    legacy = ~modern
    if bool(legacy.any()):
        out[legacy] = _digits(permute(index[legacy], _LEGACY_DOMAIN, keys[4:8]), 10, 8)
    return out


def codes(index: Ints, kind: Ints, division: list[str], modern: np.ndarray[Any, Any],
          keys: Words) -> list[str]:
    """The credit codes of a block: ``index`` positions in the population, ``kind`` 1 or 2,
    ``division`` the 6-digit division codes, ``modern`` registered since 2015-10-01."""
    n = len(index)
    chars = np.empty((n, 18), dtype=np.int64)
    chars[:, 0] = 9
    chars[:, 1] = kind
    div = np.frombuffer("".join(division).encode("ascii"), dtype=np.uint8).reshape(n, 6)
    chars[:, 2:8] = div.astype(np.int64) - ord("0")
    org = org_chars(index, modern, keys)
    chars[:, 8:16] = org
    c9 = 11 - (_ORG_VALUE[org] * np.array(ORG_WEIGHTS, dtype=np.int64)).sum(axis=1) % 11
    chars[:, 16] = np.where(c9 == 10, ALPHABET.index("X"), np.where(c9 == 11, 0, c9))
    total = (chars[:, :17] * np.array(WEIGHTS, dtype=np.int64)).sum(axis=1)
    chars[:, 17] = (31 - total % 31) % 31
    flat = np.ascontiguousarray(_CHARS[chars])
    out: list[str] = flat.view("<U18").ravel().tolist()
    return out
