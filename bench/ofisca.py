"""The baseline rules as an OpenFisca tax-benefit system (openfisca-core 46).

One entity, ``enterprise``. Variables:

* inputs — a yearly fact is an ``int`` variable with a YEAR period (``revenue`` for
  2022), a static fact an ETERNITY variable (``int``, ``date``, ``bool``, or an
  ``Enum`` for text and enum facts); each has a companion ``<name>__known`` (bool),
  since OpenFisca has no missing values and huiqi never takes a missing fact as 0;
  records-derived inputs (``rec_<n>``: how many honours of a kind within k years …)
  are precomputed columns (:func:`bench.kernels.records`), DAY-period inputs;
* formulas, DAY period (the evaluation date): one variable per condition (its truth
  code), per named value (value, known, undefined), and per clause its status, its
  amount before stacking and its amount after stacking — in the clause's unit (yuan,
  or fen for clauses rounded to the fen), -1 meaning none.

The formulas are the kernels of :mod:`bench.kernels` (the same functions the numpy
baseline runs), reading their inputs with ``enterprise(variable, period)`` and their
dated parameters from OpenFisca's parameter tree, ``parameters(period).<policy>.<name>``.

Numbers are stored in ``int`` (int32) variables: money in whole yuan, ratios in basis
points. The benchmark population (:mod:`bench.population`) holds only values that
int32 stores exactly, so no input is distorted; intermediate products are int64
inside a formula.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench import kernels as K
from bench.kernels import Num, Rec, RuleSet

ETERNITY = "ETERNITY"


def ident(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z_]", "_", name)


# ---------------------------------------------------------------------- which inputs

@dataclass
class Inputs:
    """The inputs a rule set reads, found by running its kernels once on a few rows."""

    years: dict[str, set[int]] = field(default_factory=dict)   # fact → offsets
    nums: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    flags: set[str] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)
    records: dict[Rec, str] = field(default_factory=dict)       # spec → variable name
    reviews: set[str] = field(default_factory=set)
    reg_year: bool = False


class _Recorder:
    """A frame that notes what is asked of it and answers from a NumpyFrame."""

    def __init__(self, inner: K.NumpyFrame, seen: Inputs) -> None:
        self.inner = inner
        self.seen = seen
        self.n, self.fy, self.as_of = inner.n, inner.fy, inner.as_of

    def year(self, fact: str, offset: int) -> tuple[K.Arr, K.Arr]:
        self.seen.years.setdefault(fact, set()).add(offset)
        return self.inner.year(fact, offset)

    def reg_year(self) -> tuple[K.Arr, K.Arr]:
        self.seen.reg_year = True
        return self.inner.reg_year()

    def num(self, name: str) -> tuple[K.Arr, K.Arr]:
        self.seen.nums.add(name)
        return self.inner.num(name)

    def date(self, name: str) -> tuple[K.Arr, K.Arr]:
        self.seen.dates.add(name)
        return self.inner.date(name)

    def flag(self, name: str) -> K.Arr:
        self.seen.flags.add(name)
        return self.inner.flag(name)

    def is_in(self, name: str, values: frozenset[str]) -> K.Arr:
        self.seen.texts.add(name)
        return self.inner.is_in(name, values)

    def records(self, spec: Rec) -> tuple[K.Arr, K.Arr]:
        self.seen.records.setdefault(spec, f"rec_{len(self.seen.records)}")
        return self.inner.records(spec)

    def review(self, key: str) -> K.Arr:
        self.seen.reviews.add(key)
        return self.inner.review(key)

    def param(self, policy: str, name: str) -> int:
        return self.inner.param(policy, name)

    def value(self, policy: str, name: str) -> Num:
        return self.inner.values[(policy, name)](self)


def inputs_of(rs: RuleSet, sample: Any, as_of: dt.date) -> Inputs:
    seen = Inputs()
    fr = _Recorder(K.NumpyFrame(sample, as_of, rs.params, rs.values), seen)
    for c in rs.clauses:
        for _, k in c.conditions:
            k(fr)
        if c.amount is not None:
            c.amount(fr)
    return seen


# ---------------------------------------------------------------------- the frame

class OFrame:
    """The kernels' view of an OpenFisca population at a DAY period."""

    def __init__(self, ent: Any, period: Any, parameters: Any, sys: System) -> None:
        self.ent = ent
        self.period = period
        self.params = parameters(period)
        self.sys = sys
        self.n = ent.count
        self.as_of = sys.as_of
        self.fy = sys.as_of.year

    def _pair(self, name: str, period: Any) -> tuple[K.Arr, K.Arr]:
        return (np.asarray(self.ent(name, period), np.int64), self.ent(name + "__known", period))

    def year(self, fact: str, offset: int) -> tuple[K.Arr, K.Arr]:
        return self._pair(fact, str(self.fy + offset))

    def reg_year(self) -> tuple[K.Arr, K.Arr]:
        return (np.asarray(self.ent("registration_year", self.period), np.int64),
                self.ent("registration_date__known", ETERNITY))

    def num(self, name: str) -> tuple[K.Arr, K.Arr]:
        return self._pair(name, ETERNITY)

    def date(self, name: str) -> tuple[K.Arr, K.Arr]:
        d = self.ent(name, ETERNITY)
        return d.astype("datetime64[D]").astype(np.int64), self.ent(name + "__known", ETERNITY)

    def flag(self, name: str) -> K.Arr:
        return K.code(self.ent(name, ETERNITY), self.ent(name + "__known", ETERNITY))

    def is_in(self, name: str, values: frozenset[str]) -> K.Arr:
        enum = self.sys.enums[name]
        idx = [enum.index[v] for v in values if v in enum.index]
        test = np.isin(np.asarray(self.ent(name, ETERNITY)), idx)
        return K.code(test, self.ent(name + "__known", ETERNITY))

    def records(self, spec: Rec) -> tuple[K.Arr, K.Arr]:
        var = self.sys.inputs.records[spec]
        return (np.asarray(self.ent(var, self.period), np.int64),
                self.ent(spec.fact + "__known", ETERNITY))

    def review(self, key: str) -> K.Arr:
        return np.asarray(self.ent("review__" + ident(key), ETERNITY), np.int8)

    def param(self, policy: str, name: str) -> int:
        return int(getattr(getattr(self.params, ident(policy)), name))

    def value(self, policy: str, name: str) -> Num:
        base = f"{ident(policy)}__{name}"

        def get(part: str) -> K.Arr:
            return np.asarray(self.ent(base + part, self.period))

        full = K.Rng(get("__lo").astype(np.int64), get("__has_lo"), get("__hi").astype(np.int64),
                     get("__has_hi"), get("__mu"), get("__empty"))

        def rng(idx: K.Arr) -> K.Rng:
            return K.Rng(full.lo[idx], full.has_lo[idx], full.hi[idx], full.has_hi[idx], full.mu[idx],
                         full.empty[idx])

        return Num(get("").astype(np.int64), get("__known"), get("__undef"), rng)


def _span_all(x: Num) -> K.Rng:
    """The range of ``x`` on every row (its value where known), the range computed for the rows
    where it is missing only: what the OpenFisca variables of a named value's range hold."""
    idx = np.flatnonzero(~x.known)
    r = K.span(x, idx)
    lo, hi = x.v.copy(), x.v.copy()
    has_lo, has_hi = np.ones(len(x.v), bool), np.ones(len(x.v), bool)
    mu, empty = np.zeros(len(x.v), bool), np.zeros(len(x.v), bool)
    lo[idx], has_lo[idx], hi[idx], has_hi[idx], mu[idx], empty[idx] = r.lo, r.has_lo, r.hi, r.has_hi, r.mu, r.empty
    return K.Rng(lo, has_lo, hi, has_hi, mu, empty)


# ---------------------------------------------------------------------- the system

@dataclass
class EnumDomain:
    cls: Any
    index: dict[str, int]


class System:
    """A TaxBenefitSystem for a rule set, with what is needed to feed it a batch."""

    def __init__(self, rs: RuleSet, inputs: Inputs, as_of: dt.date, domains: dict[str, list[str]]) -> None:
        from openfisca_core import entities, indexed_enums, parameters, taxbenefitsystems, variables
        from openfisca_core.periods import DateUnit

        self.rs = rs
        self.inputs = inputs
        self.as_of = as_of
        self.day = as_of.isoformat()
        ent = entities.build_entity(key="enterprise", plural="enterprises", label="企业", is_person=True)
        self.entity = ent
        tbs = taxbenefitsystems.TaxBenefitSystem([ent])
        tbs.parameters = parameters.ParameterNode("", data={
            ident(pol): {name: {"values": {d.isoformat(): {"value": v} for d, v in vals}}
                         for name, vals in params.items()}
            for pol, params in rs.params.items()})
        self.tbs = tbs
        Var = variables.Variable
        E, Y, D = DateUnit.ETERNITY, DateUnit.YEAR, DateUnit.DAY

        def add(name: str, value_type: Any, period: Any, formula: Any = None, **extra: Any) -> None:
            attrs = {"value_type": value_type, "entity": ent, "definition_period": period, "label": name, **extra}
            if formula is not None:
                attrs["formula"] = formula
            tbs.add_variable(type(name, (Var,), attrs))

        for fact in inputs.years:
            add(fact, int, Y)
            add(fact + "__known", bool, Y)
        for name in sorted(inputs.nums):
            add(name, int, E)
            add(name + "__known", bool, E)
        for name in sorted(inputs.dates | ({"registration_date"} if inputs.reg_year else set())):
            add(name, dt.date, E)
            add(name + "__known", bool, E)
        for name in sorted(inputs.flags):
            add(name, bool, E)
            add(name + "__known", bool, E)
        self.enums: dict[str, EnumDomain] = {}
        for name in sorted(inputs.texts):
            values = domains[name]
            cls = indexed_enums.Enum(ident(name), [(f"v{i}", v) for i, v in enumerate(values)])
            self.enums[name] = EnumDomain(cls, {v: i for i, v in enumerate(values)})
            add(name, indexed_enums.Enum, E, possible_values=cls, default_value=next(iter(cls)))
            add(name + "__known", bool, E)
        for fact in sorted({s.fact for s in inputs.records}):
            add(fact + "__known", bool, E)
        for var in inputs.records.values():
            add(var, int, D)
        for key in sorted(inputs.reviews):   # a reviewer's judgment: 3 (needs review) until declared
            add("review__" + ident(key), int, E, default_value=K.REVIEW)
        if inputs.reg_year:
            def reg_year(e: Any, period: Any, parameters: Any) -> Any:
                d = e("registration_date", ETERNITY)
                return d.astype("datetime64[Y]").astype(np.int64) + 1970

            add("registration_year", int, D, reg_year)
        sys = self
        self._values: dict[tuple[int, str, str], tuple[Num, K.Rng]] = {}   # named values of the current simulation

        def frame(e: Any, period: Any, parameters: Any) -> OFrame:
            return OFrame(e, period, parameters, sys)

        for (pol, name), fn in rs.values.items():
            base = f"{ident(pol)}__{name}"
            # the value, its masks and, where it is missing, its range (bounds reasoning)
            parts = (("", int, lambda x: x[0].v), ("__known", bool, lambda x: x[0].known),
                     ("__undef", bool, lambda x: x[0].undef), ("__lo", int, lambda x: x[1].lo),
                     ("__has_lo", bool, lambda x: x[1].has_lo), ("__hi", int, lambda x: x[1].hi),
                     ("__has_hi", bool, lambda x: x[1].has_hi), ("__mu", bool, lambda x: x[1].mu),
                     ("__empty", bool, lambda x: x[1].empty))
            for part, kind, pick in parts:
                def formula(e: Any, period: Any, parameters: Any, fn: Any = fn, pick: Any = pick,
                            base: str = base) -> Any:
                    key = (id(e), str(period), base)   # the value and its range computed once for all its parts
                    if key not in self._values:
                        x = fn(frame(e, period, parameters))
                        self._values[key] = (x, _span_all(x))
                    return pick(self._values[key])

                add(base + part, kind, D, formula)
        self.names: dict[str, tuple[str, str, str, int]] = {}   # clause → status, raw, amount vars; fen/unit
        for c in rs.clauses:
            cid = ident(c.key)
            conds = []
            for i, (_, k) in enumerate(c.conditions):
                name = f"{cid}__k{i}"

                def cond(e: Any, period: Any, parameters: Any, k: Any = k) -> Any:
                    return k(frame(e, period, parameters))

                add(name, int, D, cond)
                conds.append(name)
            per = 1 if c.unit_fen < 100 else 100   # fen per stored unit

            def t_all(e: Any, period: Any, parameters: Any, conds: Any = conds) -> Any:
                return K.t_and(*[np.asarray(e(v, period), np.int8) for v in conds])

            add(f"{cid}__t", int, D, t_all)
            raw = None
            if c.amount is not None:
                raw = f"{cid}__raw"

                def amount_raw(e: Any, period: Any, parameters: Any, c: Any = c, per: int = per) -> Any:
                    """The rounded amount in the clause's unit; -1 missing, -2 undefined."""
                    a = c.amount(frame(e, period, parameters))
                    fen = K.round_fen(np.where(a.num < 0, 0, a.num), a.den, c.unit_fen, c.mode)
                    out = np.where(a.undef, -2, np.where(a.known, fen // per, -1))
                    if out.max(initial=0) > K.INT32_MAX:   # an int variable is int32: refuse, never wrap
                        raise ValueError(f"{c.key}: an amount of {out.max()} (fen // {per}) does not fit "
                                         "OpenFisca's int32")
                    return out

                add(raw, int, D, amount_raw)

            def status(e: Any, period: Any, parameters: Any, cid: str = cid, raw: Any = raw) -> Any:
                t = np.asarray(e(f"{cid}__t", period), np.int8)
                if raw is None:
                    return t
                r = e(raw, period)
                return np.where(t == K.MET, np.where(r == -2, K.NOT_MET, np.where(r == -1, K.MISSING, K.MET)), t)

            add(f"{cid}__status", int, D, status)
            self.names[c.key] = (f"{cid}__status", raw or "", f"{cid}__amount", per)
        group_of = {m: g for g in rs.groups for m in g.members}
        for c in rs.clauses:
            _st, raw, amt, per = self.names[c.key]
            g = group_of.get(c.key)

            def amount(e: Any, period: Any, parameters: Any, g: Any = g, key: str = c.key) -> Any:
                def pay(k: str) -> Any:
                    s, r, _, unit = self.names[k]
                    if not r:
                        return np.full(e.count, K.NONE, np.int64)
                    fen = np.asarray(e(r, period), np.int64) * unit
                    return np.where((np.asarray(e(s, period)) == K.MET) & (fen >= 0), fen, K.NONE)

                mine = pay(key)
                if g is not None:
                    members = [m for m in g.members if m in self.names]
                    mine = K.stack(g.kind, [pay(m) for m in members], g.cap_fen)[members.index(key)]
                _, _, _, unit = self.names[key]
                return np.where(mine < 0, K.NONE, mine // unit)

            add(amt, int, D, amount)

    # ------------------------------------------------------------------ feeding a batch

    def simulation(self, fr: K.NumpyFrame, ids: list[str] | None = None) -> Any:
        """A simulation of the enterprises of a batch, its inputs set from the frame's arrays."""
        from openfisca_core.simulations import SimulationBuilder

        b = SimulationBuilder()
        b.create_entities(self.tbs)
        b.declare_person_entity("enterprise", ids if ids is not None else [str(i) for i in range(fr.n)])
        sim = b.build(self.tbs)
        self._values.clear()
        inp = self.inputs
        for fact, offsets in inp.years.items():
            for off in sorted(offsets):
                v, k = fr.year(fact, off)
                y = str(fr.fy + off)
                sim.set_input(fact, y, v.astype(np.int32))
                sim.set_input(fact + "__known", y, k)
        for name in inp.nums:
            v, k = fr.num(name)
            sim.set_input(name, ETERNITY, v.astype(np.int32))
            sim.set_input(name + "__known", ETERNITY, k)
        for name in inp.dates | ({"registration_date"} if inp.reg_year else set()):
            v, k = fr.date(name)
            sim.set_input(name, ETERNITY, v.astype("datetime64[D]"))
            sim.set_input(name + "__known", ETERNITY, k)
        for name in inp.flags:
            col = fr.table.column(name)
            sim.set_input(name, ETERNITY, col.fill_null(False).to_numpy(zero_copy_only=False))
            sim.set_input(name + "__known", ETERNITY, col.is_valid().to_numpy(zero_copy_only=False))
        for name in inp.texts:
            dom = self.enums[name]
            col = fr.table.column(name).combine_chunks()
            enc = col.dictionary_encode()
            lookup = np.array([dom.index.get(str(v), -1) for v in enc.dictionary.to_pylist()] + [0], np.int16)
            codes = lookup[enc.indices.fill_null(len(lookup) - 1).to_numpy()]
            if (codes < 0).any():
                raise ValueError(f"{name}: a value outside the enum's domain")
            sim.set_input(name, ETERNITY, codes)
            sim.set_input(name + "__known", ETERNITY, col.is_valid().to_numpy(zero_copy_only=False))
        for fact in {s.fact for s in inp.records}:
            sim.set_input(fact + "__known", ETERNITY, fr.table.column(fact).is_valid().to_numpy(zero_copy_only=False))
        for spec, var in inp.records.items():
            n, _ = fr.records(spec)
            sim.set_input(var, self.day, np.minimum(n, 2**31 - 1).astype(np.int32))
        for key in inp.reviews:
            if f"review:{key}" in fr.names:
                sim.set_input("review__" + ident(key), ETERNITY, fr.review(key).astype(np.int32))
        return sim

    def run(self, sim: Any) -> dict[str, tuple[K.Arr, K.Arr]]:
        """Every clause's status code and amount (fen, -1 none), as :func:`bench.kernels.evaluate`."""
        out = {}
        for key, (st, _, amt, per) in self.names.items():
            s = np.asarray(sim.calculate(st, self.day), np.int8)
            a = np.asarray(sim.calculate(amt, self.day), np.int64)
            out[key] = (s, np.where(a < 0, K.NONE, a * per))
        return out


def domains(pack_catalogue: Any, names: set[str]) -> dict[str, list[str]]:
    """Possible values of the text and enum facts: the catalogue's enums, the generator's places."""
    from huiqi.generator.parks import PARKS

    out: dict[str, list[str]] = {}
    for name in names:
        f = pack_catalogue.facts[name]
        if f.enum:
            out[name] = list(pack_catalogue.enums[f.enum].values)
        elif name == "park":
            out[name] = [p.name for p in PARKS]
        elif name == "city":
            out[name] = sorted({p.city for p in PARKS} | {"桂林市", "厦门市"})
        elif name == "province":
            out[name] = sorted({p.province for p in PARKS} | {"北京市"})
        else:
            raise ValueError(f"no domain for the text fact {name}")
    return out


def build(rs: RuleSet, sample: Any, as_of: dt.date, catalogue: Any) -> System:
    inputs = inputs_of(rs, sample, as_of)
    return System(rs, inputs, as_of, domains(catalogue, inputs.texts))
