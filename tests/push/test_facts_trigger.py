"""Trigger: an enterprise's facts changed (issue 15, item 1) — a staff member's change, an
import, a confirmed claim: the one-enterprise engine before and after, messages per who.py,
read by the worker's round from the changes written with the facts, in bounded batches,
told once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from huiqi.facts.catalogue import default_catalogue
from huiqi.facts.credit_code import make
from huiqi.facts.enterprise import Enterprise
from huiqi.push import facts as F
from huiqi.push import triggers as T
from huiqi.push.models import PushMessage
from huiqi.registry.changes import NOTHING, FactChange, before_values
from huiqi.registry.imports import import_enterprises
from huiqi.service import enterprises, policies
from huiqi.service.context import Platform
from huiqi.service.schemas import EnterpriseCreate, FactSet, FactsUpdate
from huiqi.store.database import Database
from huiqi.store.models import Entity
from service_fixtures import (
    CODE_A,
    CODE_B,
    Clock,
    World,
    drop_backend,
    make_settings,
    new_backend,
)

from .test_triggers import pack_files, revenue


def _messages(p: Platform, since: int = 0) -> list[tuple[str, str, dict[str, object]]]:
    with p.db.read() as s:
        rows = s.execute(select(Entity.credit_code, PushMessage.kind, PushMessage.detail).join(
            Entity, Entity.id == PushMessage.entity_id).where(PushMessage.id > since)
            .order_by(PushMessage.id))
        return [(c, k, d) for c, k, d in rows]


def _last(p: Platform) -> int:
    with p.db.read() as s:
        return int(s.scalar(select(func.max(PushMessage.id))) or 0)


def _pending(p: Platform) -> int:
    with p.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(FactChange)) or 0)


def _published(world: World) -> Platform:
    p = world.platform
    world.publish("pushtest", pack_files(5_000_000, 100_000))
    T.announce(p)
    F.from_facts(p)  # what the world's setup wrote
    assert _pending(p) == 0
    return p


def test_a_change_of_facts_tells_the_enterprise_what_it_changed_once(world: World) -> None:
    p = _published(world)
    start = _last(p)
    revenue(world, CODE_A, 6_000_000)  # A: now eligible
    assert _pending(p) == 1  # written with the facts, in their transaction
    assert F.from_facts(p) == 1
    [(code, kind, detail)] = _messages(p, start)
    assert (code, kind, detail["amount"]) == (CODE_A, "eligible.new", "100000")
    assert _pending(p) == 0 and F.from_facts(p) == 0  # told once
    mark = _last(p)
    revenue(world, CODE_A, 7_000_000)  # still eligible, same amount: nobody is told
    assert F.from_facts(p) == 0
    revenue(world, CODE_A, 1_000_000)  # no longer eligible: told too
    assert F.from_facts(p) == 1
    assert [(c, k) for c, k, _ in _messages(p, mark)] == [(CODE_A, "eligible.lost")]
    with p.db.read() as s:
        msg = s.scalars(select(PushMessage).order_by(PushMessage.id.desc())).first()
        assert msg is not None and "不再符合" in msg.title and "/library/pushtest/p" in msg.link


def test_changes_read_together_compare_the_first_before_with_the_last_after(
        world: World) -> None:
    p = _published(world)
    revenue(world, CODE_A, 1_000_000)
    F.from_facts(p)
    start = _last(p)
    revenue(world, CODE_A, 6_000_000)
    revenue(world, CODE_A, 1_000_000)  # back where it was before both: nothing to tell
    revenue(world, CODE_B, 9_000_000)
    assert _pending(p) == 3
    assert F.from_facts(p) == 1
    assert [(c, k) for c, k, _ in _messages(p, start)] == [(CODE_B, "eligible.new")]


def test_an_import_is_told_in_bounded_batches(world: World) -> None:
    p = _published(world)
    start = _last(p)
    cat = default_catalogue()
    firms = [Enterprise(id=code, name=code, years={2024: {"revenue": Decimal(8_000_000)}})
             for code in (CODE_A, CODE_B)]
    import_enterprises(p.db, cat, firms, by="system", at=p.now(), source="import",
                       display="push test")
    assert _pending(p) == 2  # one per enterprise of the batch
    assert F.from_facts(p, limit=1) == 2  # one change a transaction, all told
    assert sorted((c, k) for c, k, _ in _messages(p, start)) == sorted([
        (CODE_A, "eligible.new"), (CODE_B, "eligible.new")])
    import_enterprises(p.db, cat, firms, by="system", at=p.now(), source="import",
                       display="push test again")  # the same values: nothing written
    assert _pending(p) == 0 and F.from_facts(p) == 0


def test_a_worker_killed_before_committing_leaves_the_changes_to_tell(world: World) -> None:
    p = _published(world)
    start = _last(p)
    revenue(world, CODE_A, 6_000_000)

    class Killed(Exception):
        pass

    def killed(*args: object, **kw: object) -> int:
        raise Killed

    import pytest
    told = F._tell
    F._tell = killed  # type: ignore[assignment]
    try:
        with pytest.raises(Killed):
            F.from_facts(p)
    finally:
        F._tell = told  # type: ignore[assignment]
    assert _pending(p) == 1 and _messages(p, start) == []
    assert F.from_facts(p) == 1 and F.from_facts(p) == 0


def test_a_new_enterprise_s_change_says_it_had_nothing_before(world: World) -> None:
    p = _published(world)
    cat = default_catalogue()
    code = make("9", "1", "110108", "MA01NEW1")
    import_enterprises(p.db, cat, [Enterprise(id=code, name="新企业", years={
        2024: {"revenue": Decimal(8_000_000)}})], by="system", at=p.now(), source="import",
                       display="new")
    with p.db.read() as s:
        [change] = s.scalars(select(FactChange))
        assert change.before == NOTHING  # not every key written twice
    start = _last(p)
    assert F.from_facts(p) == 1
    assert [(c, k) for c, k, _ in _messages(p, start)] == [(code, "eligible.new")]


def test_before_values_take_each_value_as_the_first_change_found_it() -> None:
    after = {("revenue", 2024): ("", Decimal(3)), ("staff", 2024): ("", Decimal(9))}
    first = FactChange(id=1, entity_id=1, before=[["revenue", 2024, "", "1"]], source="x")
    second = FactChange(id=2, entity_id=1, before=[["revenue", 2024, "", "2"],
                                                   ["staff", 2024, None, None]], source="x")
    assert before_values(after, [first, second]) == {("revenue", 2024): ("", Decimal(1))}
    new = FactChange(id=0, entity_id=1, before=NOTHING, source="x")
    assert before_values(after, [new, first, second]) == {}


def test_one_enterprise_s_changes_are_told_together_whatever_the_batch(world: World) -> None:
    """A batch takes all the changes of its enterprises: a batch boundary never splits
    them (each part would compare another before with the same after, telling twice)."""
    p = _published(world)
    revenue(world, CODE_A, 1_000_000)
    F.from_facts(p)
    start = _last(p)
    for value in (6_000_000, 1_000_000, 6_000_000):
        revenue(world, CODE_A, value)
    assert _pending(p) == 3
    assert F.from_facts(p, limit=1) == 1
    assert [(c, k) for c, k, _ in _messages(p, start)] == [(CODE_A, "eligible.new")]


def test_an_enterprise_being_written_waits_for_the_next_round_on_postgresql(
        tmp_path: Path) -> None:
    """Its row locked by a writer (facts being written), an enterprise is skipped, not
    waited for, and told once the writer is done (a database of its own: real locks)."""
    b = new_backend("postgresql", tmp_path, "pushfacts")
    try:
        Database(b.engine).upgrade()
        p = Platform(Database(b.engine), make_settings(), Clock())
        ctx = p.system()
        policies.upload(ctx, "pushtest", pack_files(5_000_000, 100_000))
        policies.publish(ctx, "pushtest", 1)
        enterprises.create(ctx, EnterpriseCreate(credit_code=CODE_A, name="青岛海纳微电子有限公司",
                                                 kind="enterprise", since=dt.date(2019, 5, 1)))
        F.from_facts(p)
        enterprises.set_facts(ctx, CODE_A, FactsUpdate(items=[
            FactSet(fact="revenue", year=2024, value="6000000")]))
        with b.engine.connect() as conn, conn.begin():  # another transaction holds A's row
            conn.execute(text("SELECT id FROM entity WHERE credit_code = :c FOR UPDATE"),
                         {"c": CODE_A})
            assert F.from_facts(p) == 0 and _pending(p) == 1
        assert F.from_facts(p) == 1 and _pending(p) == 0
        assert [(c, k) for c, k, _ in _messages(p)] == [(CODE_A, "eligible.new")]
    finally:
        drop_backend(b)


def test_a_round_works_a_bounded_number_of_batches_and_leaves_the_rest(world: World) -> None:
    p = _published(world)
    revenue(world, CODE_A, 6_000_000)
    revenue(world, CODE_B, 6_000_000)
    assert F.from_facts(p, limit=1, batches=1) == 1 and _pending(p) == 1  # the next round's
    assert F.from_facts(p, limit=1, batches=1) == 1 and _pending(p) == 0


def test_an_existing_enterprise_given_a_fact_it_lacked_is_not_told_what_it_had(
        world: World) -> None:
    """An import writing only facts an enterprise did not have yet: its other facts count
    before as after (not "nothing before": that would tell it again what it qualified for)."""
    p = _published(world)
    revenue(world, CODE_A, 6_000_000)
    F.from_facts(p)
    start = _last(p)
    import_enterprises(p.db, default_catalogue(), [Enterprise(id=CODE_A, name=CODE_A, years={
        2023: {"revenue": Decimal(1_000)}})], by="system", at=p.now(), source="import",
                       display="an older year")
    assert _pending(p) == 1
    assert F.from_facts(p) == 0 and _messages(p, start) == []


@pytest.mark.parametrize("order", ["version first", "facts first"])
def test_a_version_and_a_change_of_facts_in_one_round_tell_one_message(
        world: World, order: str) -> None:
    """A version published, then the enterprise's facts changed, before the worker's round:
    each trigger compares its own before with the same after (the new version, the new
    facts) — one message per enterprise × clause × version × kind × state of its facts,
    whichever trigger is handled first."""
    p = _published(world)
    revenue(world, CODE_A, 1_000_000)
    F.from_facts(p)
    start = _last(p)
    world.publish("pushtest", pack_files(2_000_000, 100_000))  # A: still short at 1,000,000
    revenue(world, CODE_A, 3_000_000)  # … and now eligible under the new version only
    if order == "version first":
        T.announce(p)
        F.from_facts(p)
    else:
        F.from_facts(p)
        T.announce(p)
    assert [(c, k) for c, k, _ in _messages(p, start)] == [(CODE_A, "eligible.new")]
    assert T.announce(p) == 0 and F.from_facts(p) == 0


def test_eligible_again_after_losing_it_is_told_again(world: World) -> None:
    """The same kind under the same version, for a later state of the facts: told again."""
    p = _published(world)
    start = _last(p)
    for value in (6_000_000, 1_000_000, 6_000_000):
        revenue(world, CODE_A, value)
        F.from_facts(p)
    assert [(c, k) for c, k, _ in _messages(p, start)] == [
        (CODE_A, "eligible.new"), (CODE_A, "eligible.lost"), (CODE_A, "eligible.new")]
