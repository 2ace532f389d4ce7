"""Same seed and date, same data — whatever the batch size; another seed, other data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from huiqi.errors import UsageError
from huiqi.generator import BLOCK, batches, fiscal_years, table

from .helpers import AS_OF, SEED, N


def test_same_seed_same_data_whatever_the_batch_size(park: Any) -> None:
    for size in (7_001, N + 1):
        got = list(batches(N, SEED, AS_OF, batch_size=size))
        assert [b.num_rows for b in got[:-1]] == [size] * (len(got) - 1)
        assert pa.Table.from_batches(got).equals(park)


def test_the_first_k_are_the_same_whatever_n(park: Any) -> None:
    for k in (1, 250, BLOCK + 1):
        assert table(k, SEED, AS_OF).equals(park.slice(0, k))


def test_different_seeds_give_different_data() -> None:
    a, b = table(500, 1, AS_OF), table(500, 2, AS_OF)
    assert not set(a["id"].to_pylist()) & set(b["id"].to_pylist())
    assert a["revenue@2025"].to_pylist() != b["revenue@2025"].to_pylist()
    assert a["name"].to_pylist() != b["name"].to_pylist()


def test_the_evaluation_date_sets_the_years() -> None:
    assert fiscal_years(dt.date(2024, 6, 30)) == (2019, 2020, 2021, 2022, 2023)
    t = table(50, 1, dt.date(2024, 6, 30))
    assert "revenue@2023" in t.schema.names and "revenue@2024" not in t.schema.names
    assert max(t["registration_date"].to_pylist()) < dt.date(2024, 6, 30)


def test_zero_enterprises() -> None:
    assert table(0, 1, AS_OF).num_rows == 0


@pytest.mark.parametrize(("n", "seed", "size"), [(-1, 0, 10), (10, -1, 10), (10, 0, 0), (10**9, 0, 10)])
def test_impossible_requests_are_refused(n: int, seed: int, size: int) -> None:
    with pytest.raises(UsageError) as info:
        next(batches(n, seed, AS_OF, batch_size=size))
    assert info.value.message("zh") and info.value.message("en")
