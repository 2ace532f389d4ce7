"""The park evaluation as a service: park-level statistics in (an all-or-nothing import, or
generated for the demo), each year's scores, ranks and rank intervals out, and one park's
strengths, weaknesses, sensitivity, what-if and trend.

Each year's evaluation is computed once per state of the statistics (the Monte Carlo takes
seconds): by the worker's round after an import or the demo's figures, and kept in
``evaluation_result``, so that the evaluation page answers from what was computed before —
also after a restart — and, while a new one is computed, shows the previous one and says so.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select

from huiqi.errors import DataError, NotFoundError, Problem
from huiqi.registry.sheets import Limits, check, open_rows
from huiqi.service.audit import record
from huiqi.service.context import Context, Platform, requires
from huiqi.service.permissions import Permission
from huiqi.store.models import ImportBatch, table
from huiqi.text import Text
from huiqi.workflow.timers import each_round

from . import framework as F
from . import indicators as I
from .composite import Options, Result, Tree, compute, ranks
from .models import EvalPark, EvaluationResult, ParkStatistic
from .schemas import (
    Evaluation,
    FrameworkPublic,
    GroupDef,
    GroupPlace,
    IndicatorDef,
    IndicatorPlace,
    Label,
    ParkDetail,
    ParkRow,
    RegistryIndicator,
    StatisticsImport,
    TrendPoint,
    WhatIf,
)
from .uncertainty import Stability, monte_carlo, what_if

DRAWS = 2000  # draws behind the intervals the pages show (bench: 10,000 in ~2 s)
log = logging.getLogger("huiqi.analytics")
COLUMNS = ("park_code", "park_name", "indicator", "year", "value", "source", "note")
MAX_ROWS = 200_000


def label(t: Text) -> Label:
    return Label(zh=t.zh, en=t.en)


def framework_public(fw: F.Framework) -> FrameworkPublic:
    return FrameworkPublic(
        key=fw.key, version=fw.version, title=label(fw.title), source=fw.source, years=fw.years,
        complete=fw.complete, min_available=fw.min_available, published=fw.published,
        known=fw.known,
        groups=[GroupDef(key=g.key, label=label(g.label), weight=g.weight, range=g.range,
                         status=g.status, indicators=[
                             IndicatorDef(key=i.key, label=label(i.label), unit=i.unit,
                                          direction=i.direction, weight=i.weight, range=i.range,
                                          status=i.status, group=i.group)
                             for i in g.indicators]) for g in fw.groups])


@requires(Permission.ANALYTICS_READ)
def frameworks(ctx: Context) -> list[FrameworkPublic]:
    """The evaluation frameworks huiqi knows, complete or not."""
    return [framework_public(f) for f in F.shipped().values()]


# ------------------------------------------------------------------ statistics in


@dataclass(frozen=True)
class Figure:
    park_code: str
    park_name: str
    indicator: str
    year: int
    value: Decimal | None
    source: str
    note: str | None


def _known_indicators() -> dict[str, str]:
    return {i.key: i.unit for fw in F.shipped().values() for i in fw.indicators}


def _bad(display: str, line: int, column: str, zh: str, en: str) -> Problem:
    return Problem(code="analytics.bad_value", file=display, line=line, path=(column,),
                   message=Text(zh, en))


def read_statistics(path: Path, display: str, limits: Limits) -> list[Figure]:
    """Every row of a statistics file (CSV or .xlsx, long format: one figure a row), all
    checked first; any problem rejects the file with each bad row named."""
    sheet = check(path, display, limits)
    known = _known_indicators()
    problems: list[Problem] = []
    out: list[Figure] = []
    seen: dict[tuple[str, str, int], int] = {}
    with open_rows(sheet) as (header, rows, _progress):
        missing = [c for c in COLUMNS[:5] if c not in header]
        if missing:
            raise DataError([Problem(code="analytics.columns", file=display, message=Text(
                f"缺少列:{', '.join(missing)}(需要 {', '.join(COLUMNS)})",
                f"Missing columns: {', '.join(missing)} (expected {', '.join(COLUMNS)})"))],
                display)
        at = {c: header.index(c) for c in COLUMNS if c in header}
        for n, cells in rows:
            if len(out) + len(problems) >= MAX_ROWS:
                problems.append(_bad(display, n, "-", f"超过 {MAX_ROWS} 行",
                                     f"more than {MAX_ROWS} rows"))
                break
            got = _figure(_Row(at, cells), display, n, known)
            if isinstance(got, Figure):
                key = (got.park_code, got.indicator, got.year)
                if key in seen:
                    got = _bad(display, n, "indicator", f"与第 {seen[key]} 行重复",
                               f"repeats row {seen[key]}")
                else:
                    seen[key] = n
                    out.append(got)
                    continue
            problems.append(got)
    if problems:
        raise DataError(problems, display)
    return out


@dataclass(frozen=True)
class _Row:
    """One row of a statistics file, read by column name (a cell absent or empty: "")."""

    at: dict[str, int]
    cells: list[Any]

    def __call__(self, column: str) -> str:
        i = self.at.get(column)
        v = self.cells[i] if i is not None and i < len(self.cells) else None
        return "" if v is None else str(v).strip()


def _figure(cell: _Row, display: str, n: int, known: dict[str, str]) -> Figure | Problem:
    """The figure of row ``n``, or the first problem with it: park code and name, a known
    indicator, a year 1990–2100, a number — or an empty value with a note saying why."""
    code, name, ind = cell("park_code"), cell("park_name"), cell("indicator")
    if not code or len(code) > 32:
        return _bad(display, n, "park_code", "园区代码为空或过长", "park code empty or too long")
    if not name or len(name) > 100:
        return _bad(display, n, "park_name", "园区名称为空或过长", "park name empty or too long")
    if ind not in known:
        return _bad(display, n, "indicator", f"未知指标 {ind[:64]!r}",
                    f"unknown indicator {ind[:64]!r}")
    try:
        year = int(float(cell("year")))
        if not 1990 <= year <= 2100:
            raise ValueError
    except ValueError:
        return _bad(display, n, "year", "年份无效", "invalid year")
    raw = cell("value").replace(",", "")
    value: Decimal | None = None
    if raw:
        try:
            value = Decimal(raw)
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            return _bad(display, n, "value", f"不是数字:{raw[:40]!r}", f"not a number: {raw[:40]!r}")
    elif not cell("note"):
        return _bad(display, n, "value", "空值须在 note 列说明原因(缺失不按0处理)",
                    "an empty value needs a note saying why (missing is not 0)")
    return Figure(code, name, ind, year, value, cell("source")[:200] or display[:200],
                  cell("note")[:500] or None)


@requires(Permission.ANALYTICS_EDIT)
def import_statistics(ctx: Context, path: Path, display: str | None = None
                      ) -> StatisticsImport:
    """Import park-level statistics: all or nothing. A figure replaces the park's figure
    for the same indicator and year."""
    display = display or path.name
    figures = read_statistics(path, display, Limits.of(ctx.settings))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with ctx.db.write(lock="park_statistics") as s:
        batch = ImportBatch(file_name=display[:255], sha256=digest, format=path.suffix[1:5],
                            source="park_statistics", rows=len(figures),
                            report={"parks": len({f.park_code for f in figures})},
                            imported_at=ctx.now(), imported_by=ctx.actor.username)
        s.add(batch)
        s.flush()
        written = _write(s, ctx, figures, batch.id)
        record(s, ctx, "analytics.statistics.import", target=f"import_batch:{batch.id}",
               after={"file": display, "rows": len(figures), "written": written})
    return StatisticsImport(file=display, rows=len(figures),
                            parks=len({f.park_code for f in figures}), written=written,
                            batch_id=batch.id)


def _write(s: Any, ctx: Context, figures: Sequence[Figure], batch_id: int | None,
           home: str | None = None) -> int:
    units = _known_indicators()
    parks = {p.code: p for p in s.scalars(select(EvalPark))}
    for f in figures:
        p = parks.get(f.park_code)
        if p is None:
            p = EvalPark(code=f.park_code, name=f.park_name, home=f.park_name == home)
            s.add(p)
            parks[f.park_code] = p
        elif p.name != f.park_name:
            p.name = f.park_name
    s.flush()
    keys = {(parks[f.park_code].id, f.indicator, f.year) for f in figures}
    years = {f.year for f in figures}
    old = s.execute(select(ParkStatistic.id, ParkStatistic.park_id, ParkStatistic.indicator,
                           ParkStatistic.year).where(ParkStatistic.year.in_(years))).all()
    stale = [r[0] for r in old if (r[1], r[2], r[3]) in keys]
    for start in range(0, len(stale), 1000):
        s.execute(delete(ParkStatistic).where(ParkStatistic.id.in_(stale[start:start + 1000])))
    rows = [{"park_id": parks[f.park_code].id, "indicator": f.indicator, "year": f.year,
             "value": f.value, "unit": units[f.indicator], "source": f.source, "note": f.note,
             "batch_id": batch_id, "recorded_at": ctx.now(), "recorded_by": ctx.actor.username}
            for f in figures]
    for start in range(0, len(rows), 2000):
        s.execute(table(ParkStatistic).insert(), rows[start:start + 2000])
    return len(rows)


def store_generated(ctx: Context, codes: Sequence[str], names: Sequence[str],
                    values: dict[int, np.ndarray[Any, Any]], fw: F.Framework, home: str,
                    source: str) -> int:
    """Write generated statistics (the demo): the system only."""
    figures = []
    for year, m in values.items():
        for p, (code, name) in enumerate(zip(codes, names, strict=True)):
            for k, key in enumerate(fw.keys):
                v = m[p, k]
                if np.isnan(v):
                    continue
                figures.append(Figure(code, name, key, year, Decimal(str(round(float(v), 3))),
                                      source, None))
    with ctx.db.write(lock="park_statistics") as s:
        n = _write(s, ctx, figures, None, home)
        record(s, ctx, "analytics.statistics.generate", after={"rows": n, "source": source})
    return n


# ------------------------------------------------------------------ evaluation


@dataclass
class _Year:
    """One year's evaluation: what the pages show, computed once from ``revision`` (the
    state of the statistics) and kept (:class:`EvaluationResult`)."""

    fw: F.Framework
    revision: str
    codes: list[str]
    names: list[str]
    home: list[bool]
    x: np.ndarray[Any, Any]
    result: Result
    draws: int
    lo: np.ndarray[Any, Any]
    hi: np.ndarray[Any, Any]
    outside: np.ndarray[Any, Any]
    median: np.ndarray[Any, Any]
    sensitivity: dict[str, np.ndarray[Any, Any]]
    what_if: dict[str, list[dict[str, Any]]]  # by park code, computed so far
    rows: list[ParkRow] | None = None  # every park's row, once made

    @classmethod
    def of(cls, fw: F.Framework, revision: str, codes: list[str], names: list[str],
           home: list[bool], x: np.ndarray[Any, Any], result: Result,
           stability: Stability) -> _Year:
        lo, hi, outside = stability.interval()
        out = cls(fw, revision, codes, names, home, x, result, stability.draws, lo, hi,
                  outside, stability.median(), stability.sensitivity(), {})
        default = out.default_code()
        if default is not None:
            out.improvements(default)
        return out

    def default_code(self) -> str | None:
        """The park the page shows first: the home park, else the first ranked."""
        for code, home in zip(self.codes, self.home, strict=True):
            if home:
                return code
        order = [i for i in np.argsort(self.result.rank, kind="stable")
                 if not np.isnan(self.result.rank[i])]
        return self.codes[order[0]] if order else (self.codes[0] if self.codes else None)

    def improvements(self, code: str) -> list[dict[str, Any]]:
        got = self.what_if.get(code)
        if got is None:
            got = [asdict(w) for w in what_if(self.fw, self.x, self.codes, code)]
            self.what_if[code] = got
        return got

    def encode(self) -> bytes:
        """The arrays as an ``.npz`` (no pickles: read back with ``allow_pickle=False``)."""
        keys = sorted(self.sensitivity)
        arrays: dict[str, Any] = {
            "codes": np.array(self.codes, dtype=str), "names": np.array(self.names, dtype=str),
            "home": np.array(self.home, dtype=bool), "x": self.x,
            "available": self.result.available, "scored": self.result.scored,
            "lo": self.lo, "hi": self.hi, "outside": self.outside, "median": self.median,
            "sensitivity_keys": np.array(keys, dtype=str),
            "sensitivity": np.array([self.sensitivity[k] for k in keys]),
            **{f"level{i}": a for i, a in enumerate(self.result.levels)}}
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def decode(cls, row: EvaluationResult) -> _Year:
        with np.load(io.BytesIO(row.arrays), allow_pickle=False) as a:
            codes = [str(c) for c in a["codes"]]
            levels = [a[f"level{i}"] for i in range(sum(k.startswith("level") for k in a.files))]
            return cls(F.for_year(row.year), row.revision, codes, [str(n) for n in a["names"]],
                       [bool(h) for h in a["home"]], a["x"],
                       Result(codes, levels, a["available"], a["scored"]), row.draws,
                       a["lo"], a["hi"], a["outside"], a["median"],
                       dict(zip((str(k) for k in a["sensitivity_keys"]), a["sensitivity"],
                                strict=True)),
                       dict(row.what_if))


def _revision(ctx: Context, fw: F.Framework, draws: int) -> str:
    """The state of the statistics (and of the method) a result is computed from: any
    import or generated figure changes it."""
    with ctx.db.read() as s:
        n, last, at = s.execute(select(func.count(ParkStatistic.id), func.max(ParkStatistic.id),
                                       func.max(ParkStatistic.recorded_at))).one()
    return f"{fw.key}@{fw.version}:{draws}:{n}:{last}:{at.isoformat() if at else '-'}"


def _matrix(ctx: Context, year: int, fw: F.Framework
            ) -> tuple[list[str], list[str], list[bool], np.ndarray[Any, Any]]:
    keys = {k: j for j, k in enumerate(fw.keys)}
    with ctx.db.read() as s:
        parks = list(s.execute(select(EvalPark.id, EvalPark.code, EvalPark.name, EvalPark.home)
                               .order_by(EvalPark.code)))
        rows = s.execute(select(ParkStatistic.park_id, ParkStatistic.indicator,
                                ParkStatistic.value).where(ParkStatistic.year == year)).all()
    present = {r[0] for r in rows if r[1] in keys}
    parks = [p for p in parks if p[0] in present]
    at = {p[0]: i for i, p in enumerate(parks)}
    x = np.full((len(parks), len(keys)), np.nan)
    for pid, ind, value in rows:
        if pid in at and ind in keys and value is not None:
            x[at[pid], keys[ind]] = float(value)
    return [p[1] for p in parks], [p[2] for p in parks], [bool(p[3]) for p in parks], x


def _compute(ctx: Context, year: int, draws: int = DRAWS) -> _Year:
    """The year computed from the statistics now (the Monte Carlo: seconds), and stored."""
    fw = F.for_year(year)
    revision = _revision(ctx, fw, draws)  # before the figures: a later import recomputes
    codes, names, home, x = _matrix(ctx, year, fw)
    if not codes:
        raise NotFoundError(Text("该年度的园区统计数据", "park statistics of the year"), str(year))
    result = compute(x, fw.directions(), Tree.of(fw), Options(), codes, fw.min_available)
    out = _Year.of(fw, revision, codes, names, home, x, result,
                   monte_carlo(fw, x, codes, draws=draws, seed=year))
    with ctx.db.write(lock="evaluation_result") as s:  # two workers: one after the other
        row = s.get(EvaluationResult, year)
        if row is None:
            row = EvaluationResult(year=year)
            s.add(row)
        row.revision, row.draws, row.arrays = revision, draws, out.encode()
        row.what_if, row.computed_at = out.what_if, ctx.now()
    _remember(ctx, year, out)
    return out


def _remember(ctx: Context, year: int, y: _Year) -> None:
    with ctx.platform.lock:
        ctx.platform.cache[("analytics.year", year)] = y


def _stored(ctx: Context, year: int) -> _Year | None:
    """The year as last computed (from memory, else from its row), current or not."""
    with ctx.platform.lock:
        hit = ctx.platform.cache.get(("analytics.year", year))
    with ctx.db.read() as s:
        revision = s.scalar(select(EvaluationResult.revision)
                            .where(EvaluationResult.year == year))
        if revision is None:
            return None
        if isinstance(hit, _Year) and hit.revision == revision:
            return hit
        row = s.get(EvaluationResult, year)
        assert row is not None
        out = _Year.decode(row)
    _remember(ctx, year, out)
    return out


def _year(ctx: Context, year: int, wait: bool = True) -> tuple[_Year | None, bool]:
    """(the year, whether a newer result is being computed). With ``wait``, the year is
    current (computed now if the statistics changed since: seconds); without, it is the
    result last computed, perhaps of older statistics or none, and never waited for."""
    y = _stored(ctx, year)
    if y is not None and y.revision == _revision(ctx, y.fw, y.draws):
        return y, False
    if wait or not ctx.db.concurrent:  # tests on one connection: nothing runs beside them
        return _compute(ctx, year), False
    _in_background(ctx.platform)
    return y, True


def refresh(ctx: Context) -> int:
    """Compute and store every year whose stored result is not current (after an import,
    the demo's figures): how many were computed. The worker runs it every round."""
    n = 0
    for year in years(ctx):
        y = _stored(ctx, year)
        if y is not None and y.revision == _revision(ctx, y.fw, y.draws):
            continue
        try:
            _compute(ctx, year)
        except NotFoundError:  # figures of indicators outside the year's framework only
            continue
        n += 1
    return n


@each_round
def refresh_round(platform: Platform, worker: str) -> int:
    """The worker's round: the evaluations of changed statistics, outside any transaction
    (the pages go on answering from the previous ones meanwhile)."""
    return refresh(platform.system())


def _in_background(platform: Platform) -> None:
    """A server that runs no worker of its own (``HUIQI_WORKER_EMBEDDED=false``) computes in
    a thread of its own, one at a time; a separate ``huiqi worker`` may be computing too."""
    if platform.settings.worker_embedded:
        return
    with platform.lock:
        if platform.cache.get("analytics.refreshing"):
            return
        platform.cache["analytics.refreshing"] = True

    def run() -> None:
        try:
            refresh(platform.system())
        except Exception:  # the next visit (or the worker) tries again
            log.exception("computing the evaluation failed")
        finally:
            with platform.lock:
                platform.cache.pop("analytics.refreshing", None)

    threading.Thread(target=run, daemon=True, name="huiqi-evaluation").start()


def _rows(y: _Year) -> list[ParkRow]:
    if y.rows is None:
        y.rows = _rows_of(y)
    return y.rows


def _rows_of(y: _Year) -> list[ParkRow]:
    out = []
    for i, code in enumerate(y.codes):
        score = y.result.index[i]
        rank = y.result.rank[i]
        ok = not np.isnan(rank)
        out.append(ParkRow(
            code=code, name=y.names[i], home=y.home[i],
            score=None if np.isnan(score) else round(float(score), 2),
            rank=int(rank) if ok else None,
            median_rank=float(y.median[i]) if ok else None,
            interval=(int(y.lo[i]), int(y.hi[i])) if ok else None,
            nominal_outside=bool(y.outside[i]) if ok else False,
            available=round(float(y.result.available[i]), 3)))
    out.sort(key=lambda r: (r.rank is None, r.rank or 0, r.code))
    return out


@requires(Permission.ANALYTICS_READ)
def years(ctx: Context) -> list[int]:
    """The years with park statistics, latest first."""
    with ctx.db.read() as s:
        return sorted(s.scalars(select(ParkStatistic.year).distinct()), reverse=True)


def _evaluation(year: int, y: _Year) -> Evaluation:
    return Evaluation(year=year, framework=y.fw.key, method={
        "normalisation": "minmax", "aggregation": "arithmetic", "imputation": "none"},
        draws=y.draws, parks=_rows(y))


@requires(Permission.ANALYTICS_READ)
def evaluate(ctx: Context, year: int) -> Evaluation:
    """Every park's score, rank and rank interval in ``year``, current (computed now if the
    statistics changed since the last time and no worker has computed it yet)."""
    y, _ = _year(ctx, year)
    assert y is not None
    return _evaluation(year, y)


def _place(y: _Year, i: int, k: int, norm_ranks: np.ndarray[Any, Any]) -> IndicatorPlace:
    ind = y.fw.indicators[k]
    v = y.x[i, k]
    nv = y.result.levels[0][i, k]
    r = norm_ranks[i, k]
    return IndicatorPlace(key=ind.key, label=label(ind.label), unit=ind.unit,
                          value=None if np.isnan(v) else float(v),
                          normalised=None if np.isnan(nv) else round(float(nv), 2),
                          rank=None if np.isnan(r) else int(r),
                          of=int(np.sum(~np.isnan(y.x[:, k]))), status=ind.status)


@requires(Permission.ANALYTICS_READ)
def park(ctx: Context, year: int, code: str, strongest: int = 5) -> ParkDetail:
    """One park in ``year``: its place, groups, strongest and weakest indicators (by rank
    among the parks with data), what moves its rank, how it could move up, its trend."""
    y, _ = _year(ctx, year)
    assert y is not None
    return _detail(ctx, year, y, code, strongest, wait=True)


def _detail(ctx: Context, year: int, y: _Year, code: str, strongest: int, wait: bool
            ) -> ParkDetail:
    if code not in y.codes:
        raise NotFoundError(Text("园区", "park"), code, y.codes[:3])
    i = y.codes.index(code)
    row = next(r for r in _rows(y) if r.code == code)
    norm_ranks = ranks(y.result.levels[0].T).T  # rank of each indicator among parks
    order = [k for k in np.argsort(norm_ranks[i], kind="stable") if not np.isnan(norm_ranks[i, k])]
    group_scores = y.result.levels[1]
    group_ranks = ranks(group_scores.T).T
    groups = [GroupPlace(key=g.key, label=label(g.label),
                         score=None if np.isnan(group_scores[i, gi]) else round(float(group_scores[i, gi]), 2),
                         rank=None if np.isnan(group_ranks[i, gi]) else int(group_ranks[i, gi]))
              for gi, g in enumerate(y.fw.groups)]
    sens = {k: round(float(v[i]), 3) for k, v in y.sensitivity.items()}
    improvements = [WhatIf(label=label(y.fw.indicator(w["indicator"]).label),
                           unit=y.fw.indicator(w["indicator"]).unit,
                           **{k: w[k] for k in ("indicator", "value_before", "value_after",
                                                "change", "relative", "rank_after")},
                           sd=round(w["sd"], 3))
                    for w in y.improvements(code)]
    missing = [k for k in range(len(y.fw.keys)) if np.isnan(y.x[i, k])]
    return ParkDetail(
        year=year, park=row,
        of=int(np.sum(~np.isnan(y.result.rank))), groups=groups,
        strongest=[_place(y, i, k, norm_ranks) for k in order[:strongest]],
        weakest=[_place(y, i, k, norm_ranks) for k in order[::-1][:strongest]],
        missing=[_place(y, i, k, norm_ranks) for k in missing],
        sensitivity=sens, what_if=improvements, trend=_trend(ctx, code, wait),
        values={key: None if np.isnan(y.x[i, k]) else float(y.x[i, k])
                for k, key in enumerate(y.fw.keys)})


def _trend(ctx: Context, code: str, wait: bool) -> list[TrendPoint]:
    """The park's score, rank and interval in every year (without ``wait``: as last
    computed; a year never computed yet is left out)."""
    trend = []
    for yr in sorted(years(ctx)):
        try:
            other, _ = _year(ctx, yr, wait)
        except NotFoundError:
            continue
        if other is not None and code in other.codes:
            r = next(p for p in _rows(other) if p.code == code)
            trend.append(TrendPoint(year=yr, score=r.score, rank=r.rank, interval=r.interval))
    return trend


@dataclass(frozen=True)
class Shown:
    """What the evaluation page shows of a year: the evaluation and one park as last
    computed (None: never yet), and whether a newer one is being computed."""

    evaluation: Evaluation | None
    detail: ParkDetail | None
    computing: bool


@requires(Permission.ANALYTICS_READ)
def shown(ctx: Context, year: int, code: str | None = None, strongest: int = 5) -> Shown:
    """The year and park ``code`` (else the home park, else the first) as last computed,
    never waiting for the Monte Carlo: a page answers at once, saying when the statistics
    changed and the worker is computing their evaluation."""
    y, computing = _year(ctx, year, wait=False)
    if y is None:
        return Shown(None, None, computing)
    code = code or y.default_code()
    if code is None:
        raise NotFoundError(Text("园区", "park"), "-")
    return Shown(_evaluation(year, y), _detail(ctx, year, y, code, strongest, wait=False),
                 computing)


@requires(Permission.ANALYTICS_READ)
def home_code(ctx: Context) -> str | None:
    """The code of the home park (the park the platform serves), if declared."""
    with ctx.db.read() as s:
        return s.scalar(select(EvalPark.code).where(EvalPark.home.is_(True)).limit(1))


@requires(Permission.ANALYTICS_READ)
def registry_indicators(ctx: Context, year: int, park_name: str | None = None
                        ) -> list[RegistryIndicator]:
    """The home park's indicators for ``year`` computed from the registry."""
    with ctx.db.read() as s:
        name = park_name or s.scalar(select(EvalPark.name).where(EvalPark.home.is_(True))
                                     .limit(1)) or ""
        key = ("analytics.registry", str(name), year, I.revision(s, str(name)))
        with ctx.platform.lock:
            values = ctx.platform.cache.get(key)
        if values is None:  # DuckDB over the park's facts: computed again when they change
            values = I.compute(s, str(name), [year])
            with ctx.platform.lock:
                for k in [k for k in ctx.platform.cache
                          if isinstance(k, tuple) and k[:3] == key[:3]]:
                    del ctx.platform.cache[k]
                ctx.platform.cache[key] = values
    return [RegistryIndicator(key=v.key, label=label(v.label), unit=v.unit,
                              definition=label(v.definition), source=label(v.source),
                              year=v.year, value=None if v.value is None else round(v.value, 4),
                              enterprises=v.enterprises,
                              missing=None if v.missing is None else label(v.missing))
            for v in values]
