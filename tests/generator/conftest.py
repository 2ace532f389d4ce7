"""A generated population shared by the generator's tests."""

from __future__ import annotations

from typing import Any

import pytest

from huiqi.generator import table

from .helpers import AS_OF, SEED, N


@pytest.fixture(scope="session")
def park() -> Any:
    """N = 20,000 enterprises, generated once."""
    return table(N, SEED, AS_OF)
