"""Every generated value is one the fact catalogue accepts, and the files read back."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from huiqi.errors import UsageError
from huiqi.facts.catalogue import default_catalogue
from huiqi.facts.columnar import read_parquet_enterprises, table_to_enterprises
from huiqi.facts.io import load_enterprises
from huiqi.generator import enterprises, table, write

from .helpers import AS_OF


def _plain(v: Any) -> Any:
    if isinstance(v, frozenset):
        return sorted(v)
    if isinstance(v, tuple):
        return [dict(r) for r in v]
    return v


def test_every_value_passes_the_catalogue(park: Any) -> None:
    cat = default_catalogue()
    seen: set[str] = set()
    for e in table_to_enterprises(park.slice(0, 800), cat):
        rows = [(None, e.facts), *e.years.items()]
        for year, facts in rows:
            for name, value in facts.items():
                f = cat.facts[name]
                assert f.yearly == (year is not None)
                assert cat.coerce(f, _plain(value)) == value, (e.id, name, value)
                if f.kind == "money":
                    assert isinstance(value, Decimal) and value == value.quantize(Decimal("0.01"))
                seen.add(name)
    generated = {"violations", "honours", "revenue", "ip_class1", "national_market_share", "office_area_rented",
                 "tax_credit_rating", "equity_financing", "awards", "standards", "rd_institutions"}
    assert generated <= seen


def test_generated_columns_are_all_in_the_layout(park: Any) -> None:
    from huiqi.generator.park import Plan

    assert park.schema.equals(Plan(1, AS_OF).schema())


def test_yaml_and_json_read_back_exactly(tmp_path: Path) -> None:
    expected = enterprises(4, 3, AS_OF)
    for suffix in (".yaml", ".json"):
        written = write(tmp_path / f"park{suffix}", 4, 3, AS_OF)
        assert written.rows == 4 and written.bytes > 0
        assert load_enterprises(written.path) == expected          # credit codes checked too
    assert (tmp_path / "park.yaml").read_text(encoding="utf-8").startswith("# 由 huiqi generate 生成")


def test_parquet_round_trip(tmp_path: Path) -> None:
    progress: list[int] = []
    written = write(tmp_path / "park.parquet", 600, 3, AS_OF, batch_size=250, on_batch=progress.append)
    assert written.rows == 600 and progress == [250, 250, 100]
    cat = default_catalogue()
    chunks = list(read_parquet_enterprises(written.path, cat, batch_size=220))
    assert [len(c) for c in chunks] == [220, 220, 160]
    assert [e for c in chunks for e in c] == table_to_enterprises(table(600, 3, AS_OF), cat)


@pytest.mark.parametrize(("name", "n", "zh", "en"), [
    ("park.csv", 10, "不支持的输出格式", "unsupported output format"),
    ("park.yaml", 100_001, "最多写", "at most"),
    ("missing/park.parquet", 10, "不存在", "does not exist"),
])
def test_bad_requests_write_nothing(tmp_path: Path, name: str, n: int, zh: str, en: str) -> None:
    with pytest.raises(UsageError) as info:
        write(tmp_path / name, n, 1, AS_OF)
    assert zh in info.value.message("zh") and en in info.value.message("en")
    assert list(tmp_path.iterdir()) == []
