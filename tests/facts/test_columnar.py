"""The columnar layout: the schema, and exact round trips through Arrow and Parquet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huiqi.errors import DataError
from huiqi.facts.catalogue import Catalogue, default_catalogue, load_catalogue
from huiqi.facts.columnar import (
    LAYOUT_VERSION,
    arrow_schema,
    column_name,
    decimal_array,
    enterprises_to_table,
    parse_column,
    read_parquet_enterprises,
    table_to_enterprises,
    write_parquet,
)
from huiqi.facts.credit_code import make
from huiqi.facts.enterprise import Enterprise
from properties import examples

CATALOGUE = """
sources: {tax: {zh: 税务, en: Tax}}
enums:
  colour: {label: 颜色, values: {red: {zh: 红, en: Red}, blue: {zh: 蓝, en: Blue}, green: {zh: 绿, en: Green}}}
record_types:
  prize:
    label: 奖项
    fields:
      kind: {type: enum, enum: colour, label: 类别}
      amount: {type: money, label: 金额}
      share: {type: ratio, optional: true, label: 比例}
      count: {type: integer, optional: true, label: 次数}
      date: {type: date, label: 日期}
      expiry: {type: date, optional: true, label: 有效期至}
      public: {type: bool, optional: true, label: 公开}
      note: {type: text, optional: true, label: 备注}
facts:
  flag: {type: bool, label: 标志}
  founded: {type: date, label: 成立}
  colour: {type: enum, enum: colour, label: 颜色}
  colours: {type: enum_set, enum: colour, label: 颜色集}
  motto: {type: text, label: 格言}
  area: {type: decimal, unit: m2, label: 面积}
  share: {type: ratio, label: 份额}
  prizes: {type: records, record: prize, label: 奖项}
  revenue: {type: money, period: yearly, label: 收入}
  staff: {type: integer, period: yearly, label: 人数}
  margin: {type: ratio, period: yearly, label: 利润率}
"""
YEARS = [2024, 2025]


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    path = tmp_path_factory.mktemp("cat") / "catalogue.yaml"
    path.write_text(CATALOGUE, encoding="utf-8")
    return load_catalogue(path)


def _code(i: int) -> str:
    return make("9", "1", "350206", f"MA{i:06d}")


def _full(i: int = 0) -> Enterprise:
    return Enterprise(
        id=_code(i), name="厦门海辰储能科技有限公司",
        facts={
            "flag": True, "founded": dt.date(2019, 5, 1), "colour": "blue",
            "colours": frozenset({"red", "green"}), "motto": "创新 “驱动” 发展\n第二行",
            "area": Decimal("1234.5678"), "share": Decimal("0.12345678"),
            "prizes": ({"kind": "red", "amount": Decimal("500000.00"), "share": Decimal("0.5"),
                        "count": 3, "date": dt.date(2023, 5, 1), "expiry": None, "public": True,
                        "note": "市长质量奖"},
                       {"kind": "green", "amount": Decimal("-0.01"), "share": None, "count": None,
                        "date": dt.date(2024, 1, 31), "expiry": dt.date(2027, 1, 30), "public": None,
                        "note": None}),
        },
        years={2024: {"revenue": Decimal("12345678901234567.89"), "staff": 2**62, "margin": Decimal("-0.07")},
               2025: {"revenue": Decimal("0.10"), "staff": 0}})


def _sparse() -> Enterprise:
    """Everything missing, and records known to be none."""
    return Enterprise(id=_code(1), name="", facts={"prizes": (), "colours": frozenset()}, years={})


def test_schema_columns_and_types(cat: Catalogue) -> None:
    schema = arrow_schema(cat, [2025, 2024, 2025])
    assert schema.names == ["id", "name", "flag", "founded", "colour", "colours", "motto", "area", "share",
                            "prizes", "revenue@2024", "revenue@2025", "staff@2024", "staff@2025",
                            "margin@2024", "margin@2025"]
    types = {f.name: f.type for f in schema}
    assert types["id"] == pa.string() and not schema.field("id").nullable
    assert types["flag"] == pa.bool_()
    assert types["founded"] == pa.date32()
    assert types["colour"] == pa.string() and types["motto"] == pa.string()
    assert types["colours"] == pa.list_(pa.string())
    assert types["area"] == pa.decimal128(20, 4)
    assert types["share"] == pa.decimal128(18, 8)
    assert types["revenue@2025"] == pa.decimal128(20, 2)
    assert types["staff@2024"] == pa.int64()
    prize = types["prizes"].value_type
    assert [(f.name, f.type, f.nullable) for f in prize] == [
        ("kind", pa.string(), False), ("amount", pa.decimal128(20, 2), False),
        ("share", pa.decimal128(18, 8), True), ("count", pa.int64(), True), ("date", pa.date32(), False),
        ("expiry", pa.date32(), True), ("public", pa.bool_(), True), ("note", pa.string(), True)]
    assert schema.metadata[b"huiqi.layout"] == LAYOUT_VERSION.encode()
    assert schema.metadata[b"huiqi.years"] == b"2024,2025"
    meta = schema.field("revenue@2025").metadata
    assert meta == {b"huiqi.fact": b"revenue", b"huiqi.kind": b"money", b"huiqi.year": b"2025"}


def test_schema_of_the_shipped_catalogue_has_every_fact() -> None:
    cat = default_catalogue()
    schema = arrow_schema(cat, [2023, 2024, 2025])
    for f in cat.facts.values():
        if f.yearly:
            assert all(column_name(f.id, y) in schema.names for y in (2023, 2024, 2025))
        else:
            assert f.id in schema.names
    assert schema.field("revenue@2025").type == pa.decimal128(20, 2)
    assert schema.field("honours").type.value_type.field("expiry").nullable


def test_column_names() -> None:
    assert column_name("revenue", 2025) == "revenue@2025"
    assert parse_column("revenue@2025") == ("revenue", 2025)
    assert parse_column("park") == ("park", None)
    with pytest.raises(ValueError):
        parse_column("revenue@last")


def test_round_trip_is_exact(cat: Catalogue) -> None:
    es = [_full(), _sparse()]
    table = enterprises_to_table(es, arrow_schema(cat, YEARS))
    back = table_to_enterprises(table, cat)
    assert back == es
    got = back[0]
    assert isinstance(got.facts["area"], Decimal) and isinstance(got.years[2024]["revenue"], Decimal)
    assert str(got.years[2024]["revenue"]) == "12345678901234567.89"
    assert got.years[2024]["staff"] == 2**62 and isinstance(got.years[2024]["staff"], int)
    assert got.facts["prizes"][0]["amount"] == Decimal("500000.00")
    assert isinstance(got.facts["prizes"], tuple) and isinstance(got.facts["colours"], frozenset)
    assert got.facts["motto"] == "创新 “驱动” 发展\n第二行"


def test_missing_is_null_never_zero(cat: Catalogue) -> None:
    table = enterprises_to_table([_full(), _sparse()], arrow_schema(cat, YEARS))
    row = table.slice(1).to_pylist()[0]
    assert row["revenue@2024"] is None and row["staff@2025"] is None and row["flag"] is None
    assert row["prizes"] == [] and row["colours"] == []          # known: none
    assert table.column("margin@2025").to_pylist() == [None, None]
    back = table_to_enterprises(table, cat)[1]
    assert "revenue" not in back.years.get(2024, {}) and "flag" not in back.facts
    assert back.years == {}


def test_zero_stays_zero(cat: Catalogue) -> None:
    e = Enterprise(id=_code(2), facts={"flag": False, "share": Decimal(0)},
                   years={2025: {"revenue": Decimal("0"), "staff": 0}})
    back = table_to_enterprises(enterprises_to_table([e], arrow_schema(cat, YEARS)), cat)[0]
    assert back.facts == {"flag": False, "share": Decimal(0)}
    assert back.years == {2025: {"revenue": Decimal("0.00"), "staff": 0}}


def test_choices_and_reviews_are_not_part_of_the_layout(cat: Catalogue) -> None:
    e = Enterprise(id=_code(3), choices={"p:c": "x"}, reviews={"p/c/k": True})
    back = table_to_enterprises(enterprises_to_table([e], arrow_schema(cat, YEARS)), cat)[0]
    assert back.choices == {} and back.reviews == {}


def test_a_value_that_cannot_be_held_exactly_is_refused(cat: Catalogue) -> None:
    e = Enterprise(id=_code(4), facts={"share": Decimal("0.123456789")})
    with pytest.raises(DataError) as info:
        enterprises_to_table([_full(), e], arrow_schema(cat, YEARS))
    text = info.value.message("zh")
    assert "share" in text and _code(4) in text and "0.123456789" in text
    assert "cannot be held exactly" in info.value.message("en")


def test_a_fact_or_year_without_a_column_is_refused(cat: Catalogue) -> None:
    e = Enterprise(id=_code(5), facts={"unknown": 1}, years={2030: {"revenue": Decimal(1)}})
    with pytest.raises(DataError) as info:
        enterprises_to_table([e], arrow_schema(cat, YEARS))
    names = [p.message.en for p in info.value.problems]
    assert len(names) == 2
    assert "unknown" in names[0] and "revenue@2030" in names[1]


def test_a_table_with_an_unknown_or_mistyped_column_is_refused(cat: Catalogue) -> None:
    good = enterprises_to_table([_full()], arrow_schema(cat, YEARS))
    bad = good.append_column("colour@2025", pa.array(["red"])).append_column("nonsense", pa.array([1]))
    bad = bad.set_column(bad.schema.get_field_index("staff@2024"), "staff@2024", pa.array([1.5]))
    with pytest.raises(DataError) as info:
        table_to_enterprises(bad, cat)
    messages = " | ".join(p.message.en for p in info.value.problems)
    assert "colour@2025" in messages and "nonsense" in messages and "staff@2024" in messages
    assert "double" in messages and "int64" in messages


def test_decimal_array_from_unscaled_integers() -> None:
    arr = decimal_array(np.array([12345, -5, 0, 2**62]), pa.decimal128(20, 2),
                        np.array([True, True, False, True]))
    assert arr.to_pylist() == [Decimal("123.45"), Decimal("-0.05"), None, Decimal("46116860184273879.04")]
    assert arr.null_count == 1


_money = st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=2)
_ratio = st.decimals(min_value=Decimal("-1"), max_value=Decimal("1"), places=8)


@st.composite
def _enterprises(draw: Any) -> Enterprise:
    facts: dict[str, Any] = {}
    if draw(st.booleans()):
        facts["flag"] = draw(st.booleans())
    if draw(st.booleans()):
        facts["founded"] = draw(st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)))
    if draw(st.booleans()):
        facts["colours"] = frozenset(draw(st.lists(st.sampled_from(["red", "blue", "green"]))))
    if draw(st.booleans()):
        facts["motto"] = draw(st.text(max_size=20))
    if draw(st.booleans()):
        facts["share"] = draw(_ratio)
    if draw(st.booleans()):
        facts["prizes"] = tuple(
            {"kind": "red", "amount": a, "share": None, "count": c, "date": dt.date(2020, 1, 1),
             "expiry": None, "public": None, "note": None}
            for a, c in draw(st.lists(st.tuples(_money, st.none() | st.integers(0, 2**40)), max_size=3)))
    years: dict[int, dict[str, Any]] = {}
    for y in YEARS:
        row = {k: v for k, v in (("revenue", draw(st.none() | _money)),
                                 ("staff", draw(st.none() | st.integers(-(2**63), 2**63 - 1)))) if v is not None}
        if row:
            years[y] = row
    return Enterprise(id=_code(draw(st.integers(0, 999_999))), name=draw(st.text(max_size=10)),
                      facts=facts, years=years)


@settings(max_examples=examples(60), deadline=None)
@given(es=st.lists(_enterprises(), max_size=5))
def test_round_trip_property(es: list[Enterprise], tmp_path_factory: pytest.TempPathFactory) -> None:
    cat = _property_catalogue(tmp_path_factory)
    assert table_to_enterprises(enterprises_to_table(es, arrow_schema(cat, YEARS)), cat) == es


_CACHE: dict[str, Catalogue] = {}


def _property_catalogue(factory: pytest.TempPathFactory) -> Catalogue:
    if "cat" not in _CACHE:
        path = factory.mktemp("prop") / "catalogue.yaml"
        path.write_text(CATALOGUE, encoding="utf-8")
        _CACHE["cat"] = load_catalogue(path)
    return _CACHE["cat"]


def _batches(cat: Catalogue, n: int, size: int) -> Iterator[Any]:
    schema = arrow_schema(cat, YEARS)
    es = [_full(i) for i in range(n)]
    for start in range(0, n, size):
        yield enterprises_to_table(es[start:start + size], schema).to_batches()[0]


def test_parquet_round_trip_streams_in_batches(cat: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "park.parquet"
    schema = arrow_schema(cat, YEARS)
    assert write_parquet(path, _batches(cat, 25, 10), schema) == 25
    assert pq.ParquetFile(path).metadata.num_row_groups == 3
    assert pq.read_schema(path).metadata[b"huiqi.layout"] == LAYOUT_VERSION.encode()
    chunks = list(read_parquet_enterprises(path, cat, batch_size=7))
    assert [len(c) for c in chunks] == [7, 7, 7, 4]
    assert [e for c in chunks for e in c] == [_full(i) for i in range(25)]


def test_parquet_accepts_tables_too(cat: Catalogue, tmp_path: Path) -> None:
    schema = arrow_schema(cat, YEARS)
    table = enterprises_to_table([_full(), _sparse()], schema)
    assert write_parquet(tmp_path / "t.parquet", [table], schema) == 2
    assert next(read_parquet_enterprises(tmp_path / "t.parquet", cat)) == [_full(), _sparse()]


def test_a_failed_write_leaves_no_file(cat: Catalogue, tmp_path: Path) -> None:
    def failing() -> Iterator[Any]:
        yield from _batches(cat, 3, 3)
        raise RuntimeError("boom")

    path = tmp_path / "park.parquet"
    with pytest.raises(RuntimeError):
        write_parquet(path, failing(), arrow_schema(cat, YEARS))
    assert list(tmp_path.iterdir()) == []
