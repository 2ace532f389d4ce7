"""The evaluation service: statistics imported all or nothing, scores, ranks, intervals,
one park's detail, and who may see them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from huiqi.analytics import evaluation as E
from huiqi.analytics import framework as F
from huiqi.analytics import sample
from huiqi.analytics.models import ParkStatistic
from huiqi.errors import DataError, PermissionDenied
from huiqi.service.context import Context
from service_fixtures import BACKENDS, World

FW = F.get("gxq-2021")


def _demo(system: Context, n: int = 30) -> sample.Parks:
    p = sample.generate(FW, n=n, years=(2024, 2025), seed=4, home_rank=5)
    E.store_generated(system, p.codes, p.names, p.values, FW, sample.HOME, "test")
    return p


def test_evaluation_scores_ranks_and_intervals(world: World, system: Context) -> None:
    p = _demo(system)
    ev = E.evaluate(world.ctx("leadership"), 2025)
    assert ev.framework == "gxq-2021" and len(ev.parks) == 30
    home = next(r for r in ev.parks if r.home)
    assert home.name == sample.HOME and home.rank == 5
    for r in ev.parks:
        if r.rank is not None:
            assert r.interval is not None and r.interval[0] <= r.rank <= r.interval[1]
    assert [r.rank for r in ev.parks if r.rank] == sorted(r.rank for r in ev.parks if r.rank)
    detail = E.park(world.ctx("leadership"), 2025, home.code)
    assert detail.park.rank == 5 and len(detail.groups) == 5
    assert detail.strongest[0].rank is not None and detail.weakest[0].rank is not None
    assert detail.strongest[0].rank <= detail.weakest[0].rank
    assert [t.year for t in detail.trend] == [2024, 2025]
    assert "normalisation" in detail.sensitivity
    # every indicator's weight is measured too; the rest is only the interactions
    assert {f"indicator_weight:{k}" for k in F.get("gxq-2021").keys} <= set(detail.sensitivity)
    assert all(0 <= v <= 1 for v in detail.sensitivity.values())
    assert all(w.rank_after < 5 for w in detail.what_if)  # may be empty: no single indicator
    # the missing figures are listed as missing, not scored as 0
    i = p.names.index(sample.HOME)
    assert len(detail.missing) == int(np.isnan(p.values[2025][i]).sum())


def test_enterprise_users_and_reviewers_see_no_evaluation(world: World, system: Context) -> None:
    _demo(system, n=12)
    for role in ("enterprise", "reviewer"):
        with pytest.raises(PermissionDenied):
            E.evaluate(world.ctx(role), 2025)


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stats.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_statistics_import_is_all_or_nothing(world: World, tmp_path: Path) -> None:
    ctx = world.ctx("case_officer")
    good = ("park_code,park_name,indicator,year,value,source,note\n"
            "GXQ1,甲高新区,rd_intensity,2025,3.2,统计局,\n"
            "GXQ2,乙高新区,rd_intensity,2025,,统计局,未报送\n")
    bad = good + "GXQ3,丙高新区,no_such_indicator,2025,1,x,\nGXQ4,丁,rd_intensity,2025,abc,x,\n" \
                 "GXQ5,戊,rd_intensity,2025,,x,\nGXQ1,甲高新区,rd_intensity,2025,3.3,x,\n"
    with pytest.raises(DataError) as caught:
        E.import_statistics(ctx, _csv(tmp_path, bad))
    assert len(caught.value.problems) == 4
    assert {p.line for p in caught.value.problems} == {4, 5, 6, 7}
    assert "重复" in caught.value.problems[-1].message.zh  # the park's figure given twice
    with world.platform.db.read() as s:
        assert s.scalar(select(func.count(ParkStatistic.id))) == 0
    report = E.import_statistics(ctx, _csv(tmp_path, good))
    assert report.rows == 2 and report.parks == 2
    with world.platform.db.read() as s:
        rows = {r.note: r.value for r in s.scalars(select(ParkStatistic))}
    assert rows[None] is not None and rows["未报送"] is None  # missing stated, not 0
    with pytest.raises(PermissionDenied):
        E.import_statistics(world.ctx("leadership"), _csv(tmp_path, good))


@pytest.mark.parametrize("name", BACKENDS)
def test_the_page_reads_what_the_worker_computed(name: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's round computes the evaluation when the statistics change; a page (also
    of a restarted server) reads it without computing, equal to a direct computation; after
    a new import it shows the previous result and says a new one is being computed."""
    from huiqi.analytics.composite import Options, Tree, compute
    from huiqi.analytics.uncertainty import monte_carlo, what_if
    from huiqi.service.context import Platform
    from service_fixtures import shared_platform

    calls: list[int] = []

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return monte_carlo(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(E, "monte_carlo", counted)
    with shared_platform(name, tmp_path, "evaluation") as platform:
        db, settings = platform.db, platform.settings
        ctx = platform.system()
        p = sample.generate(FW, n=20, years=(2024, 2025), seed=4, home_rank=5)
        E.store_generated(ctx, p.codes, p.names, p.values, FW, sample.HOME, "test")
        nothing = E.shown(ctx, 2025)  # never computed: at once, saying so
        assert nothing.evaluation is None and nothing.computing and calls == []
        assert E.refresh_round(platform, "test") == 2 and len(calls) == 2
        assert E.refresh_round(platform, "test") == 0  # nothing changed since

        restarted = Platform(db, settings).system()  # nothing in memory
        first = E.shown(restarted, 2025)
        assert len(calls) == 2 and not first.computing
        assert first.evaluation is not None and first.detail is not None
        assert first.detail.park.home and first.detail.park.rank == 5
        assert [t.year for t in first.detail.trend] == [2024, 2025]

        codes, _, _, x = E._matrix(ctx, 2025, FW)  # what the figures stored say, directly
        direct = monte_carlo(FW, x, codes, draws=E.DRAWS, seed=2025)
        nominal = compute(x, FW.directions(), Tree.of(FW), Options(), codes, FW.min_available)
        lo, hi, _ = direct.interval()
        for r in first.evaluation.parks:
            i = codes.index(r.code)
            assert r.rank == (None if np.isnan(nominal.rank[i]) else int(nominal.rank[i]))
            if r.rank is not None:
                assert r.interval == (int(lo[i]), int(hi[i]))
                assert r.median_rank == float(direct.median()[i])
        i = codes.index(first.detail.park.code)
        assert first.detail.sensitivity == {k: round(float(v[i]), 3)
                                            for k, v in direct.sensitivity().items()}
        assert [(w.indicator, w.value_after, w.rank_after) for w in first.detail.what_if] == [
            (w.indicator, w.value_after, w.rank_after)
            for w in what_if(FW, x, codes, first.detail.park.code)]

        calls.clear()
        q = sample.generate(FW, n=20, years=(2025,), seed=5)  # a new import
        E.store_generated(ctx, q.codes, q.names, q.values, FW, sample.HOME, "test")
        meanwhile = E.shown(restarted, 2025)
        assert meanwhile.computing and calls == []
        assert meanwhile.evaluation == first.evaluation  # the previous result
        assert E.refresh_round(platform, "test") == 2 and len(calls) == 2  # the revision is global
        after = E.shown(restarted, 2025)
        assert not after.computing and len(calls) == 2
        assert after.evaluation != first.evaluation
        assert after.evaluation == E.evaluate(ctx, 2025) and len(calls) == 2


def test_registry_indicators_are_computed_again_only_when_the_facts_change(
        system: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt
    from decimal import Decimal

    from huiqi.analytics import indicators as I
    from huiqi.store.models import Entity, FactValue

    at = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    park = "测试园区"
    with system.db.write() as s:
        e = Entity(credit_code="T1", kind="enterprise", name="T1", park=park, revision=1,
                   created_at=at, updated_at=at)
        s.add(e)
        s.flush()
        for fact, v in (("revenue", 1000), ("rd_expense", 50)):
            s.add(FactValue(entity_id=e.id, fact=fact, year=2024, value_number=Decimal(v),
                            source="t", recorded_at=at, recorded_by="t"))
    calls: list[int] = []
    real = I.compute

    def counted(*args: object) -> object:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(I, "compute", counted)

    def rd() -> float | None:
        return next(v.value for v in E.registry_indicators(system, 2024, park)
                    if v.key == "rd_intensity")

    assert rd() == 5.0 and rd() == 5.0 and len(calls) == 1  # the second from memory
    with system.db.write() as s:  # a new value is a new row
        s.add(FactValue(entity_id=e.id, fact="rd_expense", year=2024, value_number=Decimal(80),
                        source="t", recorded_at=at, recorded_by="t"))
    assert rd() == 8.0 and len(calls) == 2
