"""Random streams. Every block of enterprises and every concern (names, finances,
honours …) draws from its own generator, seeded from (seed, block, concern).

So the data depend only on the seed, the evaluation date and the position of an
enterprise: the first k enterprises are the same whatever N and whatever the batch
size, and a change in one concern leaves the draws of the others alone.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np


def stream(seed: int, block: int, concern: str) -> np.random.Generator:
    """The generator of one concern in one block."""
    return np.random.default_rng(np.random.SeedSequence([seed, block, zlib.crc32(concern.encode())]))


def seed_words(seed: int, concern: str, n: int) -> np.ndarray[Any, Any]:
    """``n`` 64-bit words fixed by the seed (keys of permutations)."""
    ss = np.random.SeedSequence([seed, zlib.crc32(concern.encode())])
    return ss.generate_state(n, dtype=np.uint64)
