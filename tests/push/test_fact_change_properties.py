"""Property: whatever writes an enterprise's facts go through, the values before them all
are found again from the values after and the changes the writes recorded
(:func:`huiqi.registry.changes.before_values`), so the push trigger compares exactly the
enterprise before with the enterprise after."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from huiqi.registry.changes import NOTHING, FactChange, before_values, change_rows
from huiqi.registry.values import Stored

KEYS = st.tuples(st.sampled_from(["revenue", "staff", "industry"]), st.sampled_from([0, 2023, 2024]))
VALUES: st.SearchStrategy[Stored] = st.one_of(
    st.tuples(st.none(), st.decimals(min_value=-10**9, max_value=10**9, places=2,
                                     allow_nan=False, allow_infinity=False)),
    st.tuples(st.text(min_size=1, max_size=5), st.none()))
STATE = st.dictionaries(KEYS, VALUES, max_size=6)
AT = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


@settings(deadline=None)  # (pure and quick, but the machine is shared: no timing)
@given(STATE, st.lists(st.dictionaries(KEYS, VALUES, min_size=1, max_size=4), max_size=6))
def test_the_values_before_all_writes_are_found_again(
        start: dict[tuple[str, int], Stored], writes: list[dict[tuple[str, int], Stored]]
        ) -> None:
    state = dict(start)
    changes = []
    for i, write in enumerate(writes):
        rows = [{"entity_id": 1, "fact": f, "year": y, "source": "import", "recorded_at": AT}
                for (f, y), v in write.items() if state.get((f, y)) != v]
        if not rows:
            continue  # an identical value writes nothing
        [row] = change_rows(rows, {1: state})
        stored = json.loads(json.dumps(row["before"]))  # as the JSON column keeps it
        changes.append(FactChange(id=i + 1, entity_id=1, before=stored, source=row["source"]))
        state.update({(f, y): v for (f, y), v in write.items()})
    assert before_values(state, changes) == start


def test_only_a_new_enterprise_had_nothing_before() -> None:
    rows = [{"entity_id": e, "fact": "revenue", "year": 2024, "source": "import",
             "recorded_at": AT} for e in (1, 2)]
    made = change_rows(rows, {}, new=[1])  # 2: none of what was written, other facts maybe
    assert [r["before"] for r in made] == [NOTHING, [["revenue", 2024, None, None]]]
    after = {("revenue", 2024): (None, Decimal(5)), ("staff", 0): (None, Decimal(9))}
    c = FactChange(id=1, entity_id=2, before=made[1]["before"], source="import")
    assert before_values(after, [c]) == {("staff", 0): (None, Decimal(9))}


def test_numbers_come_back_exact() -> None:
    state = {("revenue", 2024): (None, Decimal("1234567.89"))}
    [row] = change_rows([{"entity_id": 1, "fact": "revenue", "year": 2024, "source": "x",
                          "recorded_at": AT}], {1: state})
    after = {("revenue", 2024): (None, Decimal(5))}
    c = FactChange(id=1, entity_id=1, before=row["before"], source="x")
    assert before_values(after, [c]) == state
