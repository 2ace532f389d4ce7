"""Load a policy pack from files and check all of it; all or nothing.

``load_pack(path)`` reads ``pack.yaml`` and every policy file, checks structure,
citations, parameters, tables, expressions and stacking groups, and either
returns a :class:`~huiqi.rules.model.Pack` or raises :class:`PackError` listing
every problem found (with file, line, column, the offending text and a hint).
Nothing of a pack with a problem is ever returned.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from huiqi.errors import NotFoundError, PackError, Problem
from huiqi.facts import types as T
from huiqi.facts.catalogue import Catalogue, default_catalogue
from huiqi.facts.declared import DECLARED_FILE, declared_catalogue
from huiqi.messages import message
from huiqi.rules import format as F
from huiqi.rules import ir, quotes
from huiqi.rules.assumptions import amount_notes
from huiqi.rules.bands import coverage, parse_interval
from huiqi.rules.checker import POINTS, Checker, CheckError, ValueDecl, literal_value
from huiqi.rules.model import (
    ROUNDING_UNITS,
    AmountSpec,
    BandSpec,
    ChoiceSpec,
    Citation,
    ClauseSpec,
    ConditionSpec,
    ExceptionSpec,
    GroupSpec,
    Pack,
    ParamSpec,
    PolicySpec,
    ProgramSpec,
    ScorePartSpec,
    ScoreSpec,
    TableSpec,
    ValueSpec,
)
from huiqi.text import Text, text_of
from huiqi.yamldoc import Document, PathKey, YamlProblems, load_file

PACK_FILE = "pack.yaml"
_MMDD = re.compile(r"^\d{2}-\d{2}$")
_ANCHOR = re.compile(r"^\{#([A-Za-z0-9_.\-]+)\}\s*")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # a name an expression can use


def _all_field_names() -> list[str]:
    names: set[str] = set()
    for obj in vars(F).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            names.update(obj.model_fields)
    return sorted(names)


def _paragraphs(text: str, start: int = 1) -> dict[str, str]:
    """Split a text into paragraphs at blank lines; number them ``start``, ``start + 1`` …

    A paragraph may start with ``{#id}`` to give it a name of its own as well.
    """
    out: dict[str, str] = {}
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]
    for i, raw in enumerate(blocks, start=start):
        m = _ANCHOR.match(raw)
        block = raw[m.end():] if m else raw
        if m:
            out[m.group(1)] = block
        out[str(i)] = block
    return out


class _PolicyLoader:
    """Checks one policy file; collects problems instead of stopping at the first."""

    def __init__(self, doc: Document, path: Path, catalogue: Catalogue, index0: int) -> None:
        self.doc = doc
        self.path = path
        self.cat = catalogue
        self.problems: list[Problem] = []
        self.index0 = index0
        self.summary: frozenset[str] = frozenset()  # keys of the summary's paragraphs

    def report(self, code: str, path: PathKey, inner: tuple[int, int] | None = None,
               snippet: str | None = None, params: dict[str, Any] | None = None) -> None:
        self.problems.append(self.doc.problem(code, path, inner=inner, snippet=snippet,
                                              **(params or {})))

    # ------------------------------------------------------------------ structure

    def structure(self) -> F.Policy | None:
        try:
            return F.Policy.model_validate(self.doc.data)
        except ValidationError as exc:
            self.problems.extend(validation_problems(exc, self.doc))
            return None

    # ------------------------------------------------------------------ citations

    def cite(self, raw: Any, assumed: str | None, path: PathKey, paragraphs: dict[str, str],
             required: bool = True) -> Citation:
        if raw is None:
            if assumed is None and required:
                self.report("cite.missing", path)
            return Citation(assumed=assumed)
        if isinstance(raw, F.CiteRef):
            pid, quote = str(raw.p), raw.quote
        else:
            pid, quote = str(raw), None
        pid = pid.lstrip("p¶") if pid[:1] in ("p", "¶") and pid[1:].isdigit() else pid
        cpath = (*path, "cite")
        if pid not in paragraphs:
            if isinstance(raw, F.CiteRef):
                cpath = (*cpath, "p")
            numbered = [k for k in paragraphs if k.isdigit()]
            named = [k for k in paragraphs if not k.isdigit()]
            sugg = difflib.get_close_matches(pid, named, n=3)
            self.report("cite.unknown_paragraph", cpath, params={
                "p": pid, "count": len(numbered), "suggestions": ", ".join(sugg) or "-"})
            return Citation(paragraph=pid, quote=quote, assumed=assumed)
        text = paragraphs[pid]
        if quote is not None and not quotes.contains(text, quote):
            self.report("cite.quote_not_found", (*cpath, "quote"), snippet=quote,
                        params={"p": pid, "start": text[:40]})
        return Citation(paragraph=pid, quote=quote, text=text, assumed=assumed,
                        summary=pid in self.summary)

    # ------------------------------------------------------------------ the policy

    def build(self, pol: F.Policy) -> PolicySpec | None:
        pid = pol.id
        if not _ID.match(pid):
            self.report("id.bad", ("id",), params={"id": pid})
        paragraphs = self.source(pol)
        params = self.parameters(pol, paragraphs)
        tables = self.tables(pol, paragraphs)
        choices = self.choices(pol, paragraphs)
        values = {name: self._value_decl(f"{pid}:{name}", name, v, ("values", name), paragraphs)
                  for name, v in (pol.values or {}).items()}
        clause_values: dict[str, dict[str, ValueDecl]] = {}
        for ci, cl in enumerate(pol.clauses):
            clause_values[cl.id] = {
                name: self._value_decl(f"{pid}/{cl.id}:{name}", name, v,
                                       ("clauses", ci, "values", name), paragraphs)
                for name, v in (cl.values or {}).items()}
        # a parameter or table refused above is reported once, where it is defined; what
        # uses it is not checked again (no "there is no table" after "the bands leave a gap")
        rejected = (set(pol.parameters or {}) - set(params)) | (set(pol.tables or {}) - set(tables))
        checker = Checker(self.cat, pid, params, tables, choices, values, clause_values,
                          self._checker_report, rejected=frozenset(rejected))
        for decl in values.values():
            self._check_value(checker, decl)
        for name, raw in (pol.values or {}).items():
            if isinstance(raw, F.Value) and (raw.report or raw.grade):
                self._reported(checker, values[name], raw, tables)
        for cvals in clause_values.values():
            for decl in cvals.values():
                self._check_value(checker, decl)
        clauses = self.clauses(pol, checker, paragraphs, clause_values)
        declared = {d.key: d for d in values.values()}
        declared.update((d.key, d) for cv in clause_values.values() for d in cv.values())

        def value_of(key: str) -> tuple[ir.Node, Citation] | None:
            spec = declared[key].spec if key in declared else None
            return (spec.expr, spec.cite) if spec is not None else None

        for c in clauses:
            if c.benefit is not None:
                c.benefit.assumptions = amount_notes(c.benefit, params, tables, value_of)
        groups = [g for g in (self.group(g, gi, pid, {c.id for c in pol.clauses}, paragraphs)
                              for gi, g in enumerate(pol.groups or [])) if g is not None]
        if self.problems:
            return None
        return PolicySpec(
            id=pid, title=text_of(_lbl(pol.title)), issuer=text_of(_lbl(pol.issuer)),
            document_number=pol.document_number, issued=pol.dates.issued,
            effective=pol.dates.effective, expiry=pol.dates.expiry, paragraphs=paragraphs,
            url=pol.source.url, params=params, tables=tables,
            values={k: d.spec for k, d in values.items() if d.spec is not None},
            choices=choices, clauses=clauses, groups=groups,
            cite=self.cite(pol.cite, pol.assumed, (), paragraphs, required=False),
            notes=text_of(_lbl(pol.notes)) if pol.notes else None, file=self.doc.file,
            tags=list(pol.tags or []), summary=self.summary, source_note=pol.source.note)

    def _checker_report(self, code: str, path: PathKey, inner: tuple[int, int] | None,
                        snippet: str | None, params: dict[str, Any]) -> None:
        self.report(code, path, inner, snippet, params)

    def _value_decl(self, key: str, name: str, v: str | F.Value, path: PathKey,
                    paragraphs: dict[str, str]) -> ValueDecl:
        if isinstance(v, str):
            return ValueDecl(key=key, name=name, label=Text(name, name), text=v, path=path,
                             cite=Citation())
        return ValueDecl(key=key, name=name, label=text_of(_lbl(v.label)), text=v.expr,
                         path=(*path, "expr"),
                         cite=self.cite(v.cite, v.assumed, path, paragraphs, required=False))

    def _reported(self, checker: Checker, decl: ValueDecl, raw: F.Value,
                  tables: dict[str, TableSpec]) -> None:
        """A value reported per enterprise, and the grade of its band if asked."""
        spec = decl.spec
        if spec is None:
            return
        path = (*decl.path[:-1], "grade") if decl.path[-1] == "expr" else decl.path
        if spec.type.kind is not T.Kind.NUM:
            self.report("value.report_not_number", decl.path, params={
                "name": decl.name, "got_zh": spec.type.describe("zh"),
                "got_en": spec.type.describe("en")})
            return
        spec.report = raw.report or raw.grade is not None
        if raw.grade is None:
            return
        table = tables.get(raw.grade)
        if table is None or not table.versions or any(
                b.label is None for _, bands in table.versions for b in bands):
            self.report("value.grade_table", path, params={"table": raw.grade})
            return
        node = checker.check(f"band({raw.grade}, {decl.name})", path)
        if isinstance(node, ir.Band):
            node.label = True
            node.type = T.TEXT
            spec.grade = node

    def _check_value(self, checker: Checker, decl: ValueDecl) -> None:
        try:
            checker.value(decl)
        except CheckError as exc:
            decl.failed = True
            self.report(exc.code, decl.path, None, decl.text, exc.params)

    def source(self, pol: F.Policy) -> dict[str, str]:
        """The paragraphs of the original, then of the summary (whose keys go to
        ``self.summary``)."""
        src = pol.source
        out: dict[str, str] = {}
        if src.paragraphs:
            out = {p.id: p.text for p in src.paragraphs}
        elif src.file:
            out = self._read(src.file, ("source", "file"), 1)
        elif src.text:
            out = _paragraphs(src.text)
        elif not src.summary:
            self.report("source.empty", ("source",))
        if src.summary:
            numbers = [int(k) for k in out if k.isdigit()]
            summary = self._read(src.summary, ("source", "summary"), max(numbers, default=0) + 1)
            for k in summary:
                if not k.isdigit() and k in out:
                    self.report("id.duplicate", ("source", "summary"), params={"id": k})
            self.summary = frozenset(summary)
            out.update(summary)
        return out

    def _read(self, name: str, path: PathKey, start: int) -> dict[str, str]:
        f = self.path.parent / name
        if not f.is_file():
            self.report("source.file_missing", path, params={"file": name})
            return {}
        return _paragraphs(f.read_text(encoding="utf-8"), start)

    def parameters(self, pol: F.Policy, paragraphs: dict[str, str]) -> dict[str, ParamSpec]:
        out: dict[str, ParamSpec] = {}
        for name, p in (pol.parameters or {}).items():
            path: PathKey = ("parameters", name)
            want = _param_type(p.type, p.unit)
            if want is None:
                self.report("param.bad_unit", (*path, "unit"), params={
                    "unit": p.unit, "allowed": ", ".join(T.BASE_UNITS)})
                continue
            values: list[tuple[dt.date, Any]] = []
            ok = True
            for day, raw in sorted(p.values.items()):
                try:
                    value, _ = literal_value(raw, want)
                except CheckError as exc:
                    self.report(exc.code, (*path, "values", day.isoformat()), snippet=str(raw),
                                params=exc.params)
                    ok = False
                    continue
                values.append((day, value))
            if not p.values:
                self.report("param.no_values", path, params={"name": name})
                ok = False
            elif values and values[0][0] > pol.dates.effective:
                self.report("param.starts_late", (*path, "values"), params={
                    "name": name, "first": values[0][0].isoformat(),
                    "effective": pol.dates.effective.isoformat()})
            cite = self.cite(p.cite, p.assumed, path, paragraphs)
            if ok:
                out[name] = ParamSpec(name=name, type=want, label=text_of(_lbl(p.label)),
                                      values=values, cite=cite)
        return out

    def choices(self, pol: F.Policy, paragraphs: dict[str, str]) -> dict[str, ChoiceSpec]:
        """The policy's declared choices (an id given twice is reported, the first kept)."""
        out: dict[str, ChoiceSpec] = {}
        for i, ch in enumerate(pol.choices or []):
            if ch.id in out:
                self.report("id.duplicate", ("choices", i, "id"), params={"id": ch.id})
                continue
            out[ch.id] = ChoiceSpec(key=f"{pol.id}:{ch.id}", id=ch.id, label=text_of(_lbl(ch.label)),
                                    options={k: text_of(_lbl(v)) for k, v in ch.options.items()},
                                    cite=self.cite(ch.cite, ch.assumed, ("choices", i), paragraphs))
        return out

    def clauses(self, pol: F.Policy, checker: Checker, paragraphs: dict[str, str],
                clause_values: dict[str, dict[str, ValueDecl]]) -> list[ClauseSpec]:
        """The policy's clauses that check (an id given twice is reported, the first kept)."""
        out: list[ClauseSpec] = []
        seen: set[str] = set()
        for ci, cl in enumerate(pol.clauses):
            if cl.id in seen:
                self.report("id.duplicate", ("clauses", ci, "id"), params={"id": cl.id})
                continue
            if not _ID.match(cl.id):
                self.report("id.bad", ("clauses", ci, "id"), params={"id": cl.id})
            seen.add(cl.id)
            spec = self.clause(pol.id, cl, ci, checker, paragraphs, clause_values[cl.id])
            if spec is not None:
                spec.index = self.index0 + ci
                out.append(spec)
        return out

    def tables(self, pol: F.Policy, paragraphs: dict[str, str]) -> dict[str, TableSpec]:
        out: dict[str, TableSpec] = {}
        for name, t in (pol.tables or {}).items():
            path: PathKey = ("tables", name)
            cite = self.cite(t.cite, t.assumed, path, paragraphs)
            try:
                unit = T.parse_unit(t.unit) if t.unit else None
            except ValueError:
                self.report("param.bad_unit", (*path, "unit"), params={
                    "unit": t.unit, "allowed": ", ".join(T.BASE_UNITS)})
                continue
            value_type = T.num(unit)
            kinds = [k for k in ("bands", "versions", "entries") if getattr(t, k)]
            if len(kinds) != 1:
                self.report("table.shape", path, params={"name": name})
                continue
            spec = TableSpec(name=name, label=text_of(_lbl(t.label)), type=value_type,
                             input_type=T.LITERAL, cite=cite)
            built = (self._entries(t, path, spec, value_type) if t.entries
                     else self._banded(name, t, path, spec, value_type))
            if built:
                out[name] = spec
        return out

    def _entries(self, t: F.Table, path: PathKey, spec: TableSpec, value_type: T.Type) -> bool:
        """A table of named entries (and a default): whether every value is good."""
        ok = True
        for key, raw in (t.entries or {}).items():
            try:
                v, vt = literal_value(raw, value_type)
            except CheckError as exc:
                self.report(exc.code, (*path, "entries", key), snippet=str(raw),
                            params=exc.params)
                ok = False
                continue
            spec.entries[key] = Decimal(v)
            spec.type = _widen(spec.type, vt)
        if t.default is not None:
            try:
                v, vt = literal_value(t.default, value_type)
                spec.default = Decimal(v)
            except CheckError as exc:
                self.report(exc.code, (*path, "default"), snippet=str(t.default),
                            params=exc.params)
                ok = False
        return ok

    def _banded(self, name: str, t: F.Table, path: PathKey, spec: TableSpec,
                value_type: T.Type) -> bool:
        """A table of bands over a domain, one set or dated versions: whether every version
        is good and covers the domain without gaps or overlaps."""
        domain: tuple[Decimal | None, bool, Decimal | None, bool] = (None, False, None, False)
        if t.domain:
            try:
                domain, dt_ = parse_interval(t.domain)
                spec.input_type = dt_
            except CheckError as exc:
                self.report(exc.code, (*path, "domain"), snippet=t.domain, params=exc.params)
                return False
        spec.domain = domain
        versions: list[tuple[dt.date | None, list[F.Band], PathKey]]
        if t.bands:
            versions = [(None, t.bands, (*path, "bands"))]
        else:
            versions = [(d, b, (*path, "versions", d.isoformat()))
                        for d, b in sorted((t.versions or {}).items())]
        ok = True
        for start, bands, vpath in versions:
            built = self._bands(bands, vpath, spec, value_type)
            if built is None:
                ok = False
                continue
            for kind, at, a, b2 in coverage(built, domain):
                self.report(f"band.{kind}", (*vpath, at, "range"),
                            snippet=f"{a} {b2}".strip(), params={"a": a, "b": b2, "name": name})
                ok = False
            spec.versions.append((start, built))
        return ok

    def _bands(self, bands: list[F.Band], vpath: PathKey, spec: TableSpec,
               value_type: T.Type) -> list[BandSpec] | None:
        """One version's bands, or None if one of them is bad (each bad one reported)."""
        built: list[BandSpec] = []
        ok = True
        for bi, b in enumerate(bands):
            try:
                (lo, lo_inc, hi, hi_inc), it = parse_interval(b.range)
                spec.input_type = _widen(spec.input_type, it)
                v, vt = literal_value(b.value, value_type)
                spec.type = _widen(spec.type, vt)
            except CheckError as exc:
                self.report(exc.code, (*vpath, bi), snippet=b.range, params=exc.params)
                ok = False
                continue
            except _UnitClash:
                self.report("band.mixed_units", (*vpath, bi), snippet=b.range,
                            params={"text": b.range})
                ok = False
                continue
            built.append(BandSpec(lo, lo_inc, hi, hi_inc, Decimal(v),
                                  text_of(_lbl(b.label)) if b.label else None, b.range))
        return built if ok else None

    # ------------------------------------------------------------------ clauses

    def clause(self, pid: str, cl: F.Clause, ci: int, checker: Checker,
               paragraphs: dict[str, str], values: dict[str, ValueDecl]) -> ClauseSpec | None:
        path: PathKey = ("clauses", ci)
        cite = self.cite(cl.cite, cl.assumed, path, paragraphs, required=False)
        conds: list[ConditionSpec] = []
        ids: set[str] = set()
        for i, c in enumerate(cl.conditions):
            spec = self.condition(c, (*path, "conditions", i), "", cl.id, checker, paragraphs, ids)
            if spec is not None:
                conds.append(spec)
        benefit = self.benefit(cl, path, checker, paragraphs) if cl.benefit else None
        program = self.program(cl.program, (*path, "program"), paragraphs) if cl.program else None
        return ClauseSpec(
            policy=pid, id=cl.id, title=text_of(_lbl(cl.title)), cite=cite, conditions=conds,
            benefit=benefit, program=program,
            values={k: d.spec for k, d in values.items() if d.spec is not None},
            notes=text_of(_lbl(cl.notes)) if cl.notes else None)

    def condition(self, c: F.Condition, path: PathKey, parent: str, clause: str,
                  checker: Checker, paragraphs: dict[str, str],
                  ids: set[str]) -> ConditionSpec | None:
        if c.id is None:
            self.report("condition.no_id", path)
            return None
        if not _ID.match(c.id):
            self.report("id.bad", (*path, "id"), params={"id": c.id})
        cpath = f"{parent}/{c.id}" if parent else c.id
        if cpath in ids:
            self.report("id.duplicate", (*path, "id"), params={"id": c.id})
        ids.add(cpath)
        forms = [k for k in ("when", "review", "all_of", "any_of") if getattr(c, k) is not None]
        if len(forms) != 1:
            self.report("condition.shape", path, params={"id": c.id, "given": ", ".join(forms)
                                                         or "-"})
            return None
        kind = forms[0]
        leaf = kind in ("when", "review")
        cite = self.cite(c.cite, c.assumed, path, paragraphs, required=leaf)
        spec = ConditionSpec(id=c.id, path=cpath, label=text_of(_lbl(c.label)),
                             kind={"when": "expr", "review": "review", "all_of": "all",
                                   "any_of": "any"}[kind], cite=cite)
        if c.score is not None and kind != "review":
            self.report("score.no_review", (*path, "score"), params={"id": c.id})
        if kind == "when":
            assert c.when is not None
            spec.expr = checker.check(c.when, (*path, "when"), clause=clause, expect="bool")
            spec.text = c.when
            if spec.expr is None:
                return None
        elif kind == "review":
            spec.review = text_of(_lbl(c.review))
            key = f"{checker.policy}/{clause}/{cpath}"
            test = None
            if c.score is not None:
                spec.score, test = self.score(c.score, key, (*path, "score"), clause, checker,
                                              spec.review)
                if test is None:
                    return None
                assert spec.score is not None
                spec.text = f"{spec.score.formula} {spec.score.op} {spec.score.pass_mark}"
            spec.expr = ir.Review(type=T.BOOL, key=key, test=test)
        else:
            subs = c.all_of if kind == "all_of" else c.any_of
            assert subs is not None
            if not subs:
                self.report("condition.empty_group", path, params={"id": c.id})
            for i, sub in enumerate(subs):
                s = self.condition(sub, (*path, kind, i), cpath, clause, checker, paragraphs, ids)
                if s is not None:
                    spec.children.append(s)
        spec.exceptions = self.exceptions(c, path, clause, checker, paragraphs)
        return spec

    def exceptions(self, c: F.Condition, path: PathKey, clause: str, checker: Checker,
                   paragraphs: dict[str, str]) -> list[ExceptionSpec]:
        """A condition's exceptions that check (each bad one reported)."""
        out: list[ExceptionSpec] = []
        for ei, ex in enumerate(c.exceptions or []):
            epath = (*path, "exceptions", ei)
            when = checker.check(ex.when, (*epath, "when"), clause=clause, expect="bool")
            ecite = self.cite(ex.cite, ex.assumed, epath, paragraphs)
            if when is not None:
                out.append(ExceptionSpec(
                    id=ex.id, label=text_of(_lbl(ex.label)), when=when, when_text=ex.when,
                    then=ex.then == "met", cite=ecite))
        return out

    def score(self, sc: F.Score, key: str, path: PathKey, clause: str, checker: Checker,
              label: Text) -> tuple[ScoreSpec | None, ir.Node | None]:
        """A scored review: its parts, and the test of its score against the pass mark."""
        if sc.parts:
            if sc.formula is None:
                self.report("score.no_formula", path)
                return None, None
            declared = {name: (text_of(_lbl(p.label)), p.min, p.max, (*path, "parts", name))
                        for name, p in sc.parts.items()}
            formula = sc.formula
        else:
            if sc.formula is not None:
                self.report("score.formula_without_parts", (*path, "formula"))
                return None, None
            declared = {"score": (label, sc.min, sc.max, path)}
            formula = "score"
        parts: dict[str, ScorePartSpec] = {}
        nodes: dict[str, ir.ReviewScore] = {}
        for name, (plabel, lo_raw, hi_raw, ppath) in declared.items():
            if not _NAME.match(name):
                self.report("id.bad", ppath, params={"id": name})
                return None, None
            try:
                lo = None if lo_raw is None else Decimal(str(lo_raw))
                hi = None if hi_raw is None else Decimal(str(hi_raw))
                bad = lo is not None and hi is not None and lo > hi
            except ArithmeticError:
                lo = hi = None
                bad = True
            if bad:
                self.report("score.bad_range", ppath, params={"min": lo_raw, "max": hi_raw})
                return None, None
            parts[name] = ScorePartSpec(label=plabel, lo=lo, hi=hi)
            nodes[name] = ir.ReviewScore(type=POINTS, key=key, part=name, lo=lo, hi=hi)
        fpath = (*path, "formula") if sc.parts else path
        mark = str(sc.pass_mark)
        f = checker.check(formula, fpath, clause=clause, expect="number", scores=nodes)
        m = checker.check(mark, (*path, "pass_mark"), clause=clause, expect="number")
        if f is None or m is None:
            return None, None
        spec = ScoreSpec(parts=parts, formula=formula, pass_mark=mark, strict=sc.strict)
        test = checker.check(f"({formula}) {spec.op} ({mark})", path, clause=clause,
                             expect="bool", scores=nodes)
        return spec, test

    def benefit(self, cl: F.Clause, path: PathKey, checker: Checker,
                paragraphs: dict[str, str]) -> AmountSpec | None:
        b = cl.benefit
        assert b is not None
        bpath = (*path, "benefit")
        needs_amount = b.kind not in ("title", "service")
        cite = self.cite(b.cite, b.assumed, bpath, paragraphs, required=needs_amount)
        if needs_amount and b.amount is None:
            self.report("benefit.no_amount", bpath, params={"kind": b.kind})
            return None
        if not needs_amount and (b.amount is not None or b.cap is not None):
            self.report("benefit.amount_not_allowed", bpath, params={"kind": b.kind})
            return None
        expr = None
        if b.amount is not None:
            expr = checker.check(b.amount, (*bpath, "amount"), clause=cl.id, expect="money")
            if expr is not None and b.kind == "fixed" and _reads_enterprise(expr):
                self.report("benefit.fixed_reads_facts", (*bpath, "amount"), snippet=b.amount)
            if b.rounding is None:
                self.report("benefit.no_rounding", bpath)
        exceptions: list[ExceptionSpec] = []
        for ei, ex in enumerate(b.exceptions or []):
            epath = (*bpath, "exceptions", ei)
            when = checker.check(ex.when, (*epath, "when"), clause=cl.id, expect="bool")
            amount = checker.check(ex.amount, (*epath, "amount"), clause=cl.id, expect="money")
            ecite = self.cite(ex.cite, ex.assumed, epath, paragraphs)
            if when is not None and amount is not None:
                exceptions.append(ExceptionSpec(id=ex.id, label=text_of(_lbl(ex.label)),
                                                when=when, when_text=ex.when, amount=amount,
                                                amount_text=ex.amount, cite=ecite))
        cap = None
        if b.cap is not None:
            cap = checker.check(b.cap, (*bpath, "cap"), clause=cl.id, expect="money")
        r = b.rounding
        return AmountSpec(
            kind=b.kind, label=text_of(_lbl(b.label)) if b.label else None, expr=expr,
            text=b.amount, exceptions=exceptions, cap=cap, cap_text=b.cap,
            rounding_unit=ROUNDING_UNITS[r.unit] if r else None,
            rounding_mode=r.mode if r else None, rounding_name=r.unit if r else None, cite=cite)

    def program(self, p: F.Program, path: PathKey, paragraphs: dict[str, str]) -> ProgramSpec:
        spec = ProgramSpec(recurrence=p.recurrence, quota_per_year=p.quota_per_year,
                           once_only=bool(p.once_only), may_be_vacant=bool(p.may_be_vacant),
                           applicants=p.applicants,
                           cite=self.cite(p.cite, p.assumed, path, paragraphs))
        for wi, w in enumerate(p.windows or []):
            ends: list[str] = []
            for side in ("opens", "closes"):
                raw = getattr(w, side)
                if isinstance(raw, dt.date):
                    ends.append(raw.isoformat())
                elif isinstance(raw, str) and _MMDD.match(raw) and _valid_mmdd(raw):
                    ends.append(raw)
                else:
                    self.report("program.bad_window", (*path, "windows", wi, side),
                                snippet=str(raw))
            if len(ends) == 2:
                if len(ends[0]) != len(ends[1]):
                    self.report("program.mixed_window", (*path, "windows", wi))
                elif len(ends[0]) == 10 and ends[1] < ends[0]:
                    self.report("program.window_order", (*path, "windows", wi),
                                snippet=f"{ends[0]} … {ends[1]}")
                else:
                    spec.windows.append((ends[0], ends[1]))
        if p.budget_total is not None:
            try:
                v, _ = literal_value(p.budget_total, T.MONEY)
                spec.budget_total = Decimal(v)
            except CheckError as exc:
                self.report(exc.code, (*path, "budget_total"), snippet=str(p.budget_total),
                            params=exc.params)
        for name in ("validity", "cooldown"):
            raw = getattr(p, name)
            if raw is None:
                continue
            try:
                v, t = literal_value(raw, T.MONTHS)
            except CheckError:
                try:
                    v, t = literal_value(raw, T.DAYS)
                except CheckError as exc:
                    self.report("program.bad_duration", (*path, name), snippet=str(raw),
                                params=exc.params)
                    continue
            if t.kind is T.Kind.MONTHS:
                setattr(spec, f"{name}_months", int(v))
            else:
                setattr(spec, f"{name}_days", int(v))
        return spec

    def group(self, g: F.Group, gi: int, pid: str | None, clause_ids: set[str],
              paragraphs: dict[str, str]) -> GroupSpec | None:
        path: PathKey = ("groups", gi)
        keys: list[str] = []
        for i, ref in enumerate(g.clauses):
            if pid is not None:
                if "/" in ref:
                    keys.append(ref)  # checked at pack level
                    continue
                if ref not in clause_ids:
                    sugg = difflib.get_close_matches(ref, sorted(clause_ids), n=3) or \
                        sorted(clause_ids)[:8]
                    self.report("group.unknown_clause", (*path, "clauses", i), params={
                        "ref": ref, "suggestions": ", ".join(sugg) or "-"})
                    continue
                keys.append(f"{pid}/{ref}")
            else:
                keys.append(ref)
        if len(g.clauses) < 2 and g.kind == "exclusive":
            self.report("group.too_small", path, params={"id": g.id})
        cap = None
        if g.kind == "cap":
            if g.cap is None:
                self.report("group.no_cap", path, params={"id": g.id})
                return None
            try:
                v, _ = literal_value(g.cap, T.MONEY)
                cap = Decimal(v)
            except CheckError as exc:
                self.report(exc.code, (*path, "cap"), snippet=str(g.cap), params=exc.params)
                return None
        cite = self.cite(g.cite, g.assumed, path, paragraphs)
        return GroupSpec(id=g.id, label=text_of(_lbl(g.label)), kind=g.kind, clauses=keys,
                         cap=cap, cite=cite)


class _UnitClash(Exception):
    pass


def _widen(a: T.Type, b: T.Type) -> T.Type:
    if a.unit is None:
        return b
    if b.unit is None:
        return a
    if a.unit != b.unit:
        raise _UnitClash()
    return T.num(a.unit, a.percent or b.percent)


def _valid_mmdd(s: str) -> bool:
    try:
        dt.date(2024, int(s[:2]), int(s[3:]))
    except ValueError:
        return False
    return True


def _reads_enterprise(n: ir.Node) -> bool:
    return any(isinstance(m, ir.Fact | ir.YearFact | ir.YearAgg | ir.RecAgg | ir.Choice
                          | ir.ValueRef) for m in ir.walk(n))


def _lbl(v: Any) -> Any:
    if isinstance(v, F.Label):
        return {"zh": v.zh, "en": v.en}
    return v


def _param_type(kind: str, unit: str | None) -> T.Type | None:
    try:
        u = T.parse_unit(unit) if unit else T.DIMENSIONLESS
    except ValueError:
        return None
    return {
        "money": T.MONEY, "ratio": T.RATIO, "integer": T.num(u), "decimal": T.num(u),
        "date": T.DATE, "days": T.DAYS, "months": T.MONTHS, "bool": T.BOOL, "text": T.TEXT,
    }[kind]


def validation_problems(exc: ValidationError, doc: Document) -> list[Problem]:
    """Turn Pydantic's structural errors into located, bilingual problems."""
    out: list[Problem] = []
    seen: set[tuple[PathKey, str]] = set()
    fields = _all_field_names()
    located: list[tuple[PathKey, Any]] = []
    for err in exc.errors():
        located.append((_data_path(err["loc"], doc.data), err))
    deeper = {p[:i] for p, _ in located for i in range(len(p))}
    bare = doc.bare_keys or {}
    for path_t, err in located:
        if path_t in bare:  # ``{quote: a,b}``: an unquoted comma made ``b`` a field
            first = _first_of_commas(path_t, bare)
            if (first, "comma") not in seen:
                seen.add((first, "comma"))
                out.append(_comma_problem(doc, first, path_t[:-1], bare))
            continue
        if err["type"] not in ("missing", "extra_forbidden") and path_t in deeper:
            continue  # a union's other branch failed deeper down; report that one
        path = list(path_t)
        kind = err["type"]
        key = (tuple(path), "extra" if kind == "extra_forbidden" else "x")
        if key in seen:
            continue
        seen.add(key)
        if kind == "missing":
            name = str(err["loc"][-1])
            out.append(doc.problem("field.missing", tuple(path), name=name))
        elif kind == "extra_forbidden":
            name = str(err["loc"][-1])
            sugg = difflib.get_close_matches(name, fields, n=3)
            out.append(doc.problem("field.unknown", tuple(path), name=name, at_key=True,
                                   suggestions=", ".join(sugg) or "-"))
        else:
            given = err.get("input")
            out.append(doc.problem("field.invalid", tuple(path),
                                   name=".".join(str(p) for p in path) or "-",
                                   value=_short(given), detail=err["msg"]))
    return out


def _first_of_commas(path: PathKey, bare: dict[PathKey, str]) -> PathKey:
    """The key whose value the commas cut: ``{p: a,b,c}`` → ``p`` for ``b`` and ``c``."""
    while path in bare:
        path = (*path[:-1], bare[path])
    return path


def _comma_problem(doc: Document, first: PathKey, parent: PathKey,
                   bare: dict[PathKey, str]) -> Problem:
    node = doc.data
    for part in parent:
        node = node[part]
    names = [str(k) for k in node if _first_of_commas((*parent, k), bare) == first
             and (*parent, k) != first]
    value = ",".join([str(node[first[-1]]), *names])
    return doc.problem("field.unquoted_comma", (*parent, names[0]), at_key=True,
                       key=first[-1], name=names[0], value=value)


def _data_path(loc: tuple[Any, ...], data: Any) -> PathKey:
    """The path in the data of a Pydantic error location, without union branch names."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        if in_dict or (isinstance(node, list) and isinstance(part, int) and part < len(node)):
            path.append(part)
            node = node[part]
    return tuple(path)


def _short(v: Any) -> str:
    s = str(v)
    return s if len(s) <= 60 else s[:57] + "…"


# ---------------------------------------------------------------------- packs


def _digest(root: Path, files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(str(f.relative_to(root)).encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def _pack_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")]


def find_packs(path: Path) -> list[Path]:
    """The pack roots under ``path``: itself if it is a pack or a policy file, else its sub-packs."""
    if path.is_file() or (path / PACK_FILE).is_file():
        return [path]
    if not path.exists():
        raise NotFoundError(Text("路径", "path"), str(path))
    subs = sorted(p.parent for p in path.glob(f"*/{PACK_FILE}"))
    return subs or [path]


def load_pack(path: Path | str, catalogue: Catalogue | None = None) -> Pack:
    """Load and check one pack (a directory with pack.yaml, a directory, or one file).

    The pack's catalogue is ``catalogue`` (the base catalogue, or the platform's: the base
    and the facts of the other published packs) extended with the facts its ``facts.yaml``
    declares; a declaration that clashes with one of those refuses the pack."""
    path = Path(path)
    if not path.exists():
        raise NotFoundError(Text("政策包", "policy pack"), str(path))
    src = _Sources.of(path)
    cat = _pack_catalogue(src.root, catalogue or default_catalogue())
    problems = list(src.problems)
    policies = _load_policies(src.files, cat, src.why, problems)
    problems.extend(_duplicate_ids(policies))
    groups: list[GroupSpec] = [g for p in policies for g in p.groups]
    if src.meta is not None and src.meta.groups and not problems and src.doc is not None:
        groups.extend(_pack_groups(src.meta, src.doc, policies, problems))
    problems.extend(_cross_refs(policies))
    if problems:
        raise PackError(problems, str(path))
    files = _pack_files(src.root) if path.is_dir() else [path]
    digest = _digest(src.root, files)
    meta = src.meta
    pid = meta.id if meta else path.stem
    return Pack(id=pid, title=text_of(_lbl(meta.title)) if meta else Text(pid, pid),
                version=meta.version if meta else "0", digest=digest, policies=policies,
                groups=groups, catalogue=cat, path=str(path))


class _Sources:
    """Where a pack's policies are: its root, pack.yaml (read), the policy files, and why
    each file is read (given, listed, no_list, no_pack_file)."""

    def __init__(self, root: Path, files: list[Path], why: str, meta: F.Pack | None = None,
                 doc: Document | None = None, problems: list[Problem] | None = None) -> None:
        self.root, self.files, self.why, self.meta, self.doc = root, files, why, meta, doc
        self.problems = problems or []

    @classmethod
    def of(cls, path: Path) -> _Sources:
        if path.is_file():
            return cls(path.parent, [path], "given")
        pack_file = path / PACK_FILE
        if not pack_file.is_file():
            return cls(path, _yaml_files(path), "no_pack_file")
        try:
            pdoc = load_file(pack_file, display=_display(pack_file))
            meta = F.Pack.model_validate(pdoc.data)
        except YamlProblems as exc:
            raise PackError(exc.problems, str(path)) from None
        except ValidationError as exc:
            raise PackError(validation_problems(exc, pdoc), str(path)) from None
        if meta.policies is None:
            return cls(path, _yaml_files(path), "no_list", meta, pdoc)
        files = [path / p for p in meta.policies]
        problems = [pdoc.problem("pack.policy_missing", ("policies", i), file=str(meta.policies[i]))
                    for i, f in enumerate(files) if not f.is_file()]
        return cls(path, files, "listed", meta, pdoc, problems)


def _yaml_files(root: Path) -> list[Path]:
    """The policy files of a folder without a list of them: every .yaml but pack.yaml and
    the facts the pack declares."""
    return sorted(p for p in root.glob("*.yaml") if p.name not in (PACK_FILE, DECLARED_FILE))


def _pack_catalogue(root: Path, base: Catalogue) -> Catalogue:
    """``base`` with the facts declared in ``root/facts.yaml``, if there is one; a problem
    there refuses the pack at once (the policies' problems would only follow from it)."""
    declared = root / DECLARED_FILE
    if not declared.is_file():
        return base
    return declared_catalogue(declared, base, _display(declared))


def _load_policies(files: list[Path], cat: Catalogue, why: str, problems: list[Problem]
                   ) -> list[PolicySpec]:
    policies: list[PolicySpec] = []
    index0 = 0
    for f in files:
        if not f.is_file():
            continue
        try:
            doc = load_file(f, display=_display(f))
        except YamlProblems as exc:
            problems.extend(exc.problems)
            continue
        if not _looks_like_policy(doc.data):
            problems.append(_not_a_policy(doc, f, why))
            continue
        pl = _PolicyLoader(doc, f, cat, index0)
        model = pl.structure()
        spec = pl.build(model) if model is not None else None
        problems.extend(pl.problems)
        if spec is not None:
            policies.append(spec)
            index0 += len(spec.clauses)
    return policies


def _duplicate_ids(policies: list[PolicySpec]) -> list[Problem]:
    out: list[Problem] = []
    ids: dict[str, str] = {}
    for p in policies:
        if p.id in ids:
            out.append(Problem(code="policy.duplicate_id",
                               message=message("policy.duplicate_id", id=p.id, other=ids[p.id]),
                               file=p.file, line=1))
        ids[p.id] = p.file
    return out


def _pack_groups(meta: F.Pack, pdoc: Document, policies: list[PolicySpec],
                 problems: list[Problem]) -> list[GroupSpec]:
    """The stacking groups pack.yaml declares across its policies."""
    groups: list[GroupSpec] = []
    all_keys = {c.key for p in policies for c in p.clauses}
    for gi, pg in enumerate(meta.groups or []):
        for ci, ref in enumerate(pg.clauses):
            if ref not in all_keys:
                sugg = difflib.get_close_matches(ref, sorted(all_keys), n=3)
                problems.append(pdoc.problem("group.unknown_clause",
                                             ("groups", gi, "clauses", ci), ref=ref,
                                             suggestions=", ".join(sugg) or "-"))
        cap = None
        if pg.cap is not None:
            try:
                cap = Decimal(literal_value(pg.cap, T.MONEY)[0])
            except CheckError as exc:
                problems.append(pdoc.problem(exc.code, ("groups", gi, "cap"),
                                             **exc.params))  # type: ignore[arg-type]
        if pg.kind == "cap" and pg.cap is None:
            problems.append(pdoc.problem("group.no_cap", ("groups", gi), id=pg.id))
        groups.append(GroupSpec(id=pg.id, label=text_of(_lbl(pg.label)), kind=pg.kind,
                                clauses=list(pg.clauses), cap=cap,
                                cite=Citation(assumed=pg.assumed)))
    return groups


def _cross_refs(policies: list[PolicySpec]) -> list[Problem]:
    """Cross-policy references written inside a policy file."""
    all_keys = {c.key for q in policies for c in q.clauses}
    return [Problem(code="group.unknown_clause",
                    message=message("group.unknown_clause", ref=ref, suggestions="-"),
                    file=p.file)
            for p in policies for g in p.groups for ref in g.clauses if ref not in all_keys]


#: a file with none of these is not a policy at all (a test-case file, notes, …)
_POLICY_KEYS = ("clauses", "source", "issuer", "dates")


def _looks_like_policy(data: Any) -> bool:
    return isinstance(data, dict) and any(k in data for k in _POLICY_KEYS)


def _not_a_policy(doc: Document, f: Path, why: str) -> Problem:
    """Say that ``f`` is no policy, and why it was read as one."""
    reason = {
        "listed": Text(f"pack.yaml 的 policies 列出了 {f.name}",
                       f"pack.yaml lists {f.name} under policies"),
        "no_list": Text("pack.yaml 没有 policies 列表,于是包目录中的每个 .yaml 文件都当作政策读入",
                        "pack.yaml has no policies list, so every .yaml file in the pack's "
                        "folder is read as a policy"),
        "no_pack_file": Text("该目录没有 pack.yaml,于是其中每个 .yaml 文件都当作政策读入",
                             "the folder has no pack.yaml, so every .yaml file in it is read as "
                             "a policy"),
        "given": Text("它被指定为政策文件", "it was given as a policy file"),
    }[why]
    found = ", ".join(str(k) for k in doc.data) if isinstance(doc.data, dict) else "-"
    return doc.problem("pack.not_a_policy", (), file=f.name, found=found,
                       reason_zh=reason.zh, reason_en=reason.en)


def _display(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


__all__ = ["ValueSpec", "find_packs", "load_pack", "validation_problems"]
