"""Property: for random declarations of facts (every type, yearly or not, with and without
a range) and policies that read them, enterprises whose declared facts the generator draws
(a fifth missing, the range's ends included) get the same statuses, amounts, failed
conditions, gaps and missing facts from the one-enterprise engine and DuckDB."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huiqi.facts.columnar import arrow_schema, table_to_enterprises
from huiqi.generator import declared as G
from huiqi.population import duck
from huiqi.rules.loader import load_pack
from properties import examples

from .harness import compare, expected

AS_OF = dt.date(2026, 6, 30)
YEARS = (2023, 2024, 2025)
KINDS = ("money", "ratio", "count", "number", "date", "yes_no", "enum", "text", "records")
N = 40

#: 40 examples a run (20 in CI); 1000 with HUIQI_HYPOTHESIS_PROFILE=many (run before committing
#: a change)
SETTINGS = settings(max_examples=examples(40), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def fact(draw: st.DrawFn, i: int) -> tuple[str, dict[str, Any], list[str]]:
    """A declaration of fact ``f<i>`` and conditions that read it."""
    kind = draw(st.sampled_from(KINDS))
    name = f"f{i}"
    decl: dict[str, Any] = {"type": kind, "label": f"事实{i}"}
    if kind in ("money", "ratio", "count", "number"):
        scale = {"money": 1000, "ratio": 0.01, "count": 1, "number": 0.5}[kind]
        lo = draw(st.one_of(st.none(), st.integers(-5, 5)))
        hi = draw(st.one_of(st.none(), st.integers(0, 20)))
        if lo is not None and hi is not None and lo > hi:
            lo, hi = hi, lo
        if lo is not None:
            decl["min"] = lo * scale
        if hi is not None:
            decl["max"] = hi * scale
        if kind == "number":
            decl["unit"] = "m2"
        yearly = draw(st.booleans())
        if yearly:
            decl["yearly"] = True
        ref = f"{name}[-1]" if yearly else name
        t = draw(st.integers(-2, 12)) * scale
        lit = f"¥{t}" if kind == "money" and t >= 0 else f"({t})"
        op = draw(st.sampled_from([">=", ">", "<=", "<", "==", "!="]))
        conds = [f"{ref} {op} {lit}", f"known({ref})" if not yearly else f"{ref} >= {lit}"]
        if kind == "money":
            conds.append(f"max({ref}, ¥0) + ¥1 > {lit}")
    elif kind == "date":
        conds = [f"{name} <= as_of - {draw(st.integers(0, 15))} years", f"known({name})"]
    elif kind == "yes_no":
        conds = [name, f"not {name}", f"known({name})"]
    elif kind == "enum":
        decl["options"] = {"a": "甲", "b": "乙", "c": "丙"}
        conds = [f'{name} == "a"', f'{name} in {{"b", "c"}}', f"known({name})"]
    elif kind == "text":
        conds = [f'{name} == "事实{i}1"', f"known({name})"]
    else:
        decl["fields"] = {"kind": {"type": "enum", "label": "类", "options": {"x": "X", "y": "Y"}},
                          "amount": {"type": "money", "label": "额", "min": 0, "max": 100,
                                     "optional": draw(st.booleans())},
                          "on": {"type": "date", "label": "日"}}
        conds = [f'count({name} where kind == "x") >= 1',
                 f"count({name} where on >= as_of - 5 years) == 0",
                 f"exists({name})"]
    return name, decl, draw(st.lists(st.sampled_from(conds), min_size=1, max_size=2,
                                     unique=True))


def _yaml(facts: list[tuple[str, dict[str, Any], list[str]]]) -> tuple[str, str]:
    import yaml

    declared = yaml.safe_dump({"facts": {n: d for n, d, _ in facts}}, allow_unicode=True)
    clauses = []
    for n, _, conds in facts:
        cs = [{"id": f"c{j}", "label": f"c{j}", "when": c, "cite": "p1"}
              for j, c in enumerate(conds)]
        clauses.append({"id": n, "title": n, "conditions": cs,
                        "benefit": {"kind": "title", "cite": "p1"}})
    money = [n for n, d, _ in facts if d["type"] == "money"]
    if money:
        ref = f"{money[0]}[-1]" if facts[[n for n, *_ in facts].index(money[0])][1].get(
            "yearly") else money[0]
        clauses.append({"id": "paid", "title": "paid",
                        "conditions": [{"id": "k", "label": "k", "when": f"known({ref})",
                                        "cite": "p1"}],
                        "benefit": {"kind": "formula", "amount": f"10% * {ref}",
                                    "cap": "¥1500", "cite": "p1",
                                    "rounding": {"unit": "fen", "mode": "half_up"}}})
    policy = yaml.safe_dump({"id": "rp", "title": "rp", "issuer": "t",
                             "dates": {"effective": "2020-01-01"},
                             "source": {"text": "{#p1} 测试条文。"}, "clauses": clauses},
                            allow_unicode=True)
    return declared, policy


@SETTINGS
@given(st.data())
def test_engine_and_duckdb_agree_on_declared_facts(data: st.DataObject) -> None:
    n_facts = data.draw(st.integers(1, 4), label="facts")
    facts = [data.draw(fact(i), label=f"fact {i}") for i in range(n_facts)]
    declared, policy = _yaml(facts)
    seed = data.draw(st.integers(0, 2**16), label="seed")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pack.yaml").write_text("id: rp\ntitle: rp\nversion: '1'\n", encoding="utf-8")
        (root / "facts.yaml").write_text(declared, encoding="utf-8")
        (root / "rp.yaml").write_text(policy, encoding="utf-8")
        pack = load_pack(root)
    cat = pack.catalogue
    schema = arrow_schema(cat, YEARS)
    cols: dict[str, Any] = G.columns(seed, 0, N, AS_OF, YEARS, cat, schema)
    cols["id"] = pa.array([f"e{i}" for i in range(N)])
    cols["registration_date"] = pa.array([dt.date(2015, 1, 1)] * N, type=pa.date32())
    table = pa.Table.from_arrays(
        [cols[f.name] if f.name in cols else pa.nulls(N, f.type) for f in schema], schema=schema)
    es = table_to_enterprises(table, cat)
    diffs = compare(expected(pack, es, AS_OF), duck.match_arrow(pack, AS_OF, table))
    assert not diffs, "\n".join(diffs[:20]) + "\n\n" + declared + "\n" + policy
