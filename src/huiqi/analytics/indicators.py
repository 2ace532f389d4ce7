"""The park's yearly indicators computed from the registry, with DuckDB over the facts in
force: each with its definition, unit, source, year and how many enterprises it rests on.
A figure that no enterprise reports is missing (``value`` None, with the reason), never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.store.models import Entity, FactValue
from huiqi.text import Text

#: the facts the indicators read
FACTS = ("revenue", "rd_expense", "staff_total", "rd_staff", "net_profit", "ip_class1",
         "honours")


@dataclass(frozen=True)
class Definition:
    key: str
    label: Text
    unit: str
    definition: Text
    sql: str  # one value from the view ``y`` (this year's facts) and ``p`` (last year's)
    coverage: str  # enterprises the value rests on


SOURCE = Text("平台企业库(各企业当年在用的事实值)", "The platform's registry (each enterprise's values in force)")

# Each query sees: f(entity_id, fact, year, num, txt) for the park's enterprises, and the
# parameter $year. A sum over no rows is NULL (missing), never 0.
_SUM = "(SELECT sum(num) FROM f WHERE fact = '{fact}' AND year = $year{extra})"
_BOTH = ("entity_id IN (SELECT entity_id FROM f WHERE fact = '{a}' AND year = $year AND num IS NOT NULL "
         "INTERSECT SELECT entity_id FROM f WHERE fact = '{b}' AND year = {by} AND num IS NOT NULL)")


def _ratio(a: str, b: str, scale: float, by_b: str = "$year") -> tuple[str, str]:
    both = _BOTH.format(a=a, b=b, by=by_b)
    sql = (f"SELECT {scale} * sum(num) FILTER (WHERE fact = '{a}' AND year = $year) / "
           f"nullif(sum(num) FILTER (WHERE fact = '{b}' AND year = {by_b}), 0) "
           f"FROM f WHERE {both}")
    cov = f"SELECT count(DISTINCT entity_id) FROM f WHERE {both}"
    return sql, cov


def _honours(kinds: Sequence[str], new: bool = False) -> tuple[str, str]:
    ks = ", ".join(f"'{k}'" for k in kinds)
    when = ("h.date BETWEEN make_date($year, 1, 1) AND make_date($year, 12, 31)" if new else
            "h.date <= make_date($year, 12, 31) AND (h.expiry IS NULL OR "
            "h.expiry >= make_date($year, 12, 31))")
    sql = f"SELECT count(DISTINCT entity_id) FROM honours h WHERE h.kind IN ({ks}) AND {when}"
    cov = "SELECT count(DISTINCT entity_id) FROM f WHERE fact = 'honours'"
    return sql, cov


def _defs() -> list[Definition]:
    out = []

    def add(key: str, zh: str, en: str, unit: str, dzh: str, den: str, q: tuple[str, str]) -> None:
        out.append(Definition(key, Text(zh, en), unit, Text(dzh, den), q[0], q[1]))

    add("rd_intensity", "企业研发经费投入强度", "Enterprise R&D intensity", "%",
        "研发费用合计 ÷ 营业收入合计 × 100,仅计两项都已报送的企业",
        "Total R&D expense ÷ total revenue × 100, over enterprises reporting both",
        _ratio("rd_expense", "revenue", 100))
    add("rd_fte_share", "研发人员占从业人员比例", "R&D staff share", "%",
        "研发人员合计 ÷ 职工总数合计 × 100(按人数,非全时当量)",
        "R&D staff ÷ total staff × 100 (headcount, not full-time equivalents)",
        _ratio("rd_staff", "staff_total", 100))
    add("patents_per_10k", "万名从业人员Ⅰ类知识产权拥有量", "Class-I IP per 10,000 staff", "件/万人",
        "有效Ⅰ类知识产权(含发明专利)合计 ÷ 职工总数合计 × 10000",
        "Valid class-I IP (invention patents and the like) ÷ total staff × 10,000",
        _ratio("ip_class1", "staff_total", 10000))
    add("revenue_growth", "营业收入增长率", "Revenue growth", "%",
        "(当年营业收入合计 ÷ 上年营业收入合计 − 1) × 100,仅计两年都已报送的企业",
        "(Revenue this year ÷ revenue last year − 1) × 100, over enterprises reporting both years",
        (_ratio("revenue", "revenue", 100, "$year - 1")[0].replace("SELECT 100 *", "SELECT -100 + 100 *"),
         _ratio("revenue", "revenue", 100, "$year - 1")[1]))
    add("profit_per_capita", "人均净利润", "Net profit per person", "万元/人",
        "净利润合计 ÷ 职工总数合计 ÷ 10000", "Total net profit ÷ total staff ÷ 10,000",
        _ratio("net_profit", "staff_total", 0.0001))
    add("labour_productivity", "人均营业收入(全员劳动生产率的替代)",
        "Revenue per person (for labour productivity)", "万元/人",
        "营业收入合计 ÷ 职工总数合计 ÷ 10000;官方口径为增加值,企业库无增加值",
        "Total revenue ÷ total staff ÷ 10,000; the official measure uses value added, which "
        "the registry does not hold", _ratio("revenue", "staff_total", 0.0001))
    add("hnte_count", "高新技术企业数", "High-tech enterprises", "家",
        "年末持有效高新技术企业证书的企业数", "Enterprises holding a valid HNTE certificate at year end",
        _honours(["hnte"]))
    add("new_hnte", "当年新认定高新技术企业数", "High-tech enterprises certified in the year", "家",
        "证书日期在当年的高新技术企业数", "Enterprises whose HNTE certificate is dated in the year",
        _honours(["hnte"], new=True))
    add("tsme_count", "科技型中小企业数", "Tech SMEs", "家",
        "年末在库的科技型中小企业数", "Tech SMEs registered at year end", _honours(["tsme"]))
    add("specialized_sme", "专精特新企业数", "Specialised and sophisticated SMEs", "家",
        "年末有效的专精特新中小企业与“小巨人”企业数",
        "Specialised SMEs and little giants holding the title at year end",
        _honours(["specialized_sme", "little_giant"]))
    add("hnte_share", "高新技术企业占企业总数比例", "High-tech enterprises among all", "%",
        "年末高新技术企业数 ÷ 园区企业数 × 100", "HNTEs at year end ÷ the park's enterprises × 100",
        ("SELECT 100.0 * (" + _honours(["hnte"])[0] + ") / nullif((SELECT count(*) FROM e), 0)",
         "SELECT count(*) FROM e"))
    return out


DEFINITIONS = _defs()


@dataclass(frozen=True)
class Value:
    key: str
    label: Text
    unit: str
    definition: Text
    source: Text
    year: int
    value: float | None
    enterprises: int  # how many enterprises the value rests on
    missing: Text | None  # why there is no value


def _facts_table(s: Session, park: str, years: Sequence[int]) -> tuple[Any, int]:
    ids = select(Entity.id).where(Entity.park == park)
    latest = (select(func.max(FactValue.id)).where(
        FactValue.entity_id.in_(ids), FactValue.fact.in_(FACTS),
        FactValue.year.in_([0, *years, *(y - 1 for y in years)]))
        .group_by(FactValue.entity_id, FactValue.fact, FactValue.year))
    rows = s.execute(select(FactValue.entity_id, FactValue.fact, FactValue.year,
                            FactValue.value_number, FactValue.value_text)
                     .where(FactValue.id.in_(latest))).all()
    n = s.scalar(select(func.count()).select_from(Entity).where(Entity.park == park)) or 0
    table = pa.table({
        "entity_id": pa.array([r[0] for r in rows], pa.int64()),
        "fact": pa.array([r[1] for r in rows], pa.string()),
        "year": pa.array([r[2] for r in rows], pa.int32()),
        "num": pa.array([None if r[3] is None else float(r[3]) for r in rows], pa.float64()),
        "txt": pa.array([r[4] for r in rows], pa.string()),
    })
    return table, n


def revision(s: Session, park: str) -> tuple[Any, ...]:
    """The state of what the indicators of ``park`` are computed from: the last fact value
    (values are never overwritten, a change is a new row) and the park's enterprises."""
    last = s.scalar(select(func.max(FactValue.id)))
    n, revisions = s.execute(select(func.count(Entity.id), func.sum(Entity.revision))
                             .where(Entity.park == park)).one()
    return last, n, revisions


def compute(s: Session, park: str, years: Sequence[int]) -> list[Value]:
    """The registry indicators of the enterprises registered in ``park`` for ``years``."""
    table, n = _facts_table(s, park, years)
    con = duckdb.connect()
    try:
        con.register("f", table)
        con.execute(f"CREATE TABLE e AS SELECT range AS i FROM range({int(n)})")
        con.execute("""
            CREATE TABLE honours AS
            SELECT entity_id, h.kind AS kind, TRY_CAST(h.date AS DATE) AS date,
                   TRY_CAST(h.expiry AS DATE) AS expiry
            FROM (SELECT entity_id, unnest(from_json(txt,
                    '[{"kind": "VARCHAR", "date": "VARCHAR", "expiry": "VARCHAR"}]')) AS h
                  FROM f WHERE fact = 'honours' AND txt IS NOT NULL)""")
        out = []
        for year in years:
            for d in DEFINITIONS:
                row = con.execute(d.sql, {"year": year}).fetchone()
                params = {"year": year} if "$year" in d.coverage else {}
                cov = con.execute(d.coverage, params).fetchone()
                value = None if row is None or row[0] is None else float(row[0])
                count = int(cov[0]) if cov and cov[0] is not None else 0
                missing = None
                if count == 0:
                    value = None
                    missing = Text("没有企业报送所需数据", "No enterprise reports the data it needs")
                elif value is None:
                    missing = Text("分母为零或无值", "The denominator is zero or missing")
                out.append(Value(d.key, d.label, d.unit, d.definition, SOURCE, year, value,
                                 count, missing))
        return out
    finally:
        con.close()
