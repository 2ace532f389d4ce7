"""Reforms: a file that changes a pack's parameters or tables, or replaces, adds or
removes clauses — checked like a pack, all or nothing.

    id: rd-share-15
    title: {zh: 研发补助比例提高到15%, en: R&D subsidy share raised to 15%}
    changes:
      - parameter: nbgx-ip/pledge_share       # policy/parameter: its dated values
        values: {2023-01-01: 60%}
      - table: zjtx-2022/sp_rd_ratio_points     # policy/table: new bands or entries
        bands: [{range: "[10%, ∞)", value: 10}, …]
      - clause: nbgx-ip/ip_insurance            # replace a clause whole
        replace: {id: ip_insurance, title: …, conditions: […], benefit: {…}}
      - clause: nbgx-ip/trade_secret_demo       # or remove it
        remove: true
      - policy: nbgx-ip                         # or add one
        add_clause: {id: new_clause, …}

Only the clauses a reform touches are matched again: those it replaces or adds, those
whose expressions use a changed parameter, table or named value, and the clauses that
share a stacking group with any of them.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from huiqi.errors import PackError, Problem
from huiqi.messages import message
from huiqi.rules.loader import PACK_FILE, load_pack, validation_problems
from huiqi.rules.model import Pack
from huiqi.text import Text, text_of
from huiqi.yamldoc import YamlProblems, load_file


class Change(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parameter: str | None = Field(default=None, description="policy/parameter")
    values: dict[dt.date, Any] | None = None
    table: str | None = Field(default=None, description="policy/table")
    bands: list[Any] | None = None
    entries: dict[str, Any] | None = None
    clause: str | None = Field(default=None, description="policy/clause")
    replace: dict[str, Any] | None = None
    remove: bool | None = None
    policy: str | None = None
    add_clause: dict[str, Any] | None = None


class ReformFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str | dict[str, str]
    description: str | dict[str, str] | None = None
    changes: list[Change]


@dataclass
class Reform:
    id: str
    title: Text
    baseline: Pack
    pack: Pack
    affected: list[str]  # clause keys matched again (reform side)
    removed: list[str]
    added: list[str]


def _split(ref: str, what: str, doc: Any, path: tuple[Any, ...]) -> tuple[str, str]:
    if "/" not in ref:
        raise PackError([doc.problem("reform.bad_ref", path, ref=ref, what=what)], doc.file)
    pol, _, name = ref.partition("/")
    return pol, name


def load_reform(path: Path, baseline: Pack) -> Reform:
    """Apply a reform file to a checked pack; the reformed pack is checked whole."""
    doc, spec = _read_reform(path)
    root = Path(baseline.path)
    raw: dict[str, Any] = {}
    docs: dict[str, Any] = {}
    for p in baseline.policies:
        f = Path(p.file)
        fpath = f if f.is_absolute() else Path.cwd() / f
        raw[p.id] = copy.deepcopy(load_file(fpath).data)
        docs[p.id] = fpath
    edits = _Edits(raw, doc)
    for i, ch in enumerate(spec.changes):
        edits.apply(ch, ("changes", i))
    if edits.problems:
        raise PackError(edits.problems, str(path))
    pack_raw = _pack_without(root, set(edits.removed))
    try:
        reformed = _write_and_load(baseline, root, raw, docs, pack_raw)
    except PackError as exc:
        # say where, in terms of the pack the person knows, that the reform broke it
        problems = [dataclasses.replace(p, file=_original(p.file, root)) for p in exc.problems]
        raise PackError(problems, f"{path} → {root}") from None
    affected = clauses_affected(reformed, edits.replaced, edits.changed_names)
    return Reform(id=spec.id, title=text_of(spec.title), baseline=baseline, pack=reformed,
                  affected=affected, removed=edits.removed, added=edits.added)


def _read_reform(path: Path) -> tuple[Any, ReformFile]:
    """The reform file read and checked: a mapping with changes."""
    try:
        doc = load_file(path)
    except YamlProblems as exc:
        raise PackError(exc.problems, str(path)) from None
    if doc.data is None or doc.data == {}:
        raise PackError([Problem(code="reform.empty", file=str(path), line=1,
                                 message=message("reform.empty"))], str(path))
    if not isinstance(doc.data, dict):
        found = "一个列表 / a list" if isinstance(doc.data, list) else f"“{str(doc.data)[:40]}”"
        raise PackError([Problem(code="reform.not_mapping", file=str(path), line=1,
                                 message=message("reform.not_mapping", found=found))], str(path))
    if not doc.data.get("changes"):
        raise PackError([Problem(code="reform.empty", file=str(path), line=1,
                                 message=message("reform.empty"))], str(path))
    try:
        return doc, ReformFile.model_validate(doc.data)
    except ValidationError as exc:
        raise PackError(validation_problems(exc, doc), str(path)) from None


def _kept_groups(groups: list[dict[str, Any]], gone: set[str]) -> list[dict[str, Any]]:
    """Groups without the clauses ``gone``; a group left too small is dropped (an exclusive
    one needs two clauses, another one)."""
    for g in groups:
        g["clauses"] = [c for c in g.get("clauses", []) if c not in gone]
    return [g for g in groups if len(g["clauses"]) >= (2 if g.get("kind") == "exclusive" else 1)]


def _pack_without(root: Path, removed: set[str]) -> dict[str, Any] | None:
    """The pack file (of a pack folder) with the removed clauses out of its groups."""
    if not (root.is_dir() and (root / PACK_FILE).is_file()):
        return None
    pack_raw: dict[str, Any] | None = copy.deepcopy(load_file(root / PACK_FILE).data)
    if pack_raw is not None and pack_raw.get("groups"):
        pack_raw["groups"] = _kept_groups(pack_raw["groups"], removed)
    return pack_raw


class _Edits:
    """The reform's changes made to the policies' raw data, with what they touched and the
    problems found (an unknown parameter, table, clause or policy; an empty change)."""

    def __init__(self, raw: dict[str, Any], doc: Any) -> None:
        self.raw, self.doc = raw, doc
        self.problems: list[Problem] = []
        self.changed_names: dict[str, set[str]] = {}
        self.replaced: set[str] = set()
        self.removed: list[str] = []
        self.added: list[str] = []

    def apply(self, ch: Change, p: tuple[Any, ...]) -> None:
        if ch.parameter:
            self._parameter(ch, p)
        elif ch.table:
            self._table(ch, p)
        elif ch.clause:
            self._clause(ch, p)
        elif ch.policy and ch.add_clause is not None:
            self._add_clause(ch, p)
        else:
            self.problems.append(self.doc.problem("reform.empty_change", p))

    def _unknown(self, p: tuple[Any, ...], key: str, ref: str, zh: str, en: str) -> None:
        self.problems.append(self.doc.problem("reform.unknown", (*p, key), ref=ref, what_zh=zh,
                                              what_en=en))

    def _parameter(self, ch: Change, p: tuple[Any, ...]) -> None:
        assert ch.parameter is not None
        pol, name = _split(ch.parameter, "parameter", self.doc, (*p, "parameter"))
        params = (self.raw.get(pol) or {}).get("parameters") or {}
        if name not in params:
            self._unknown(p, "parameter", ch.parameter, "参数", "parameter")
            return
        params[name]["values"] = {k.isoformat(): v for k, v in (ch.values or {}).items()}
        self.changed_names.setdefault(pol, set()).add(name)

    def _table(self, ch: Change, p: tuple[Any, ...]) -> None:
        assert ch.table is not None
        pol, name = _split(ch.table, "table", self.doc, (*p, "table"))
        tables = (self.raw.get(pol) or {}).get("tables") or {}
        if name not in tables:
            self._unknown(p, "table", ch.table, "分档表", "table")
            return
        for k in ("bands", "versions", "entries"):
            tables[name].pop(k, None)
        if ch.bands is not None:
            tables[name]["bands"] = ch.bands
        if ch.entries is not None:
            tables[name]["entries"] = ch.entries
        self.changed_names.setdefault(pol, set()).add(name)

    def _clause(self, ch: Change, p: tuple[Any, ...]) -> None:
        assert ch.clause is not None
        pol, cid = _split(ch.clause, "clause", self.doc, (*p, "clause"))
        clauses = (self.raw.get(pol) or {}).get("clauses") or []
        idx = next((j for j, c in enumerate(clauses) if c.get("id") == cid), None)
        if idx is None:
            self._unknown(p, "clause", ch.clause, "条款", "clause")
            return
        if ch.remove:
            clauses.pop(idx)
            self.removed.append(ch.clause)
            self.raw[pol]["groups"] = _kept_groups(self.raw[pol].get("groups") or [], {cid})
        elif ch.replace is not None:
            clauses[idx] = ch.replace
            self.replaced.add(f"{pol}/{ch.replace.get('id', cid)}")

    def _add_clause(self, ch: Change, p: tuple[Any, ...]) -> None:
        assert ch.policy is not None and ch.add_clause is not None
        if ch.policy not in self.raw:
            self._unknown(p, "policy", ch.policy, "政策", "policy")
            return
        self.raw[ch.policy].setdefault("clauses", []).append(ch.add_clause)
        key = f"{ch.policy}/{ch.add_clause.get('id')}"
        self.replaced.add(key)
        self.added.append(key)


def _original(file: str | None, root: Path) -> str | None:
    if file is None:
        return None
    marker = f"/{root.name}/"
    if "huiqi-reform-" in file and marker in file:
        return str(root / file.split(marker, 1)[1]) + " (改革后 / after the reform)"
    return file


def _write_and_load(baseline: Pack, root: Path, raw: dict[str, Any], files: dict[str, Path],
                    pack_raw: dict[str, Any] | None = None) -> Pack:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's C emitter when present
    tmp = Path(tempfile.mkdtemp(prefix="huiqi-reform-"))
    target = tmp / root.name
    if root.is_dir():
        shutil.copytree(root, target)
    else:
        target.mkdir(parents=True)
        shutil.copy(root, target / root.name)
    for pid, f in files.items():
        rel = f.relative_to(root.resolve()) if root.is_dir() and f.is_relative_to(root.resolve()) \
            else Path(f.name)
        (target / rel).write_text(yaml.dump(_plain(raw[pid]), Dumper=dumper,
                                                 allow_unicode=True, sort_keys=False), encoding="utf-8")
    if pack_raw is not None:
        (target / PACK_FILE).write_text(yaml.dump(_plain(pack_raw), Dumper=dumper,
                                                       allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        return load_pack(target if root.is_dir() else target / root.name, baseline.catalogue)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _plain(v: Any) -> Any:
    from decimal import Decimal

    if isinstance(v, dict):
        return {(k.isoformat() if isinstance(k, dt.date) else k): _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, Decimal):
        return str(v)
    return v


def clauses_affected(pack: Pack, replaced: set[str], changed: dict[str, set[str]]
                     ) -> list[str]:
    """The clauses whose results can change: those of ``replaced``, those whose expressions
    use a name of ``changed`` (per policy: parameters, tables, named values — and the named
    values using them), and the clauses sharing a stacking group with any of them."""
    keys: set[str] = set(replaced)
    for pol in pack.policies:
        names = set(changed.get(pol.id, set()))
        # named values that use a changed name are changed too (to a fixed point)
        grew = True
        while grew:
            grew = False
            for vname, v in pol.values.items():
                if vname not in names and _mentions(v.text, names):
                    names.add(vname)
                    grew = True
        if not names:
            continue
        for c in pol.clauses:
            texts = [k.text or "" for k in c.all_conditions()]
            texts += [e.when_text for k in c.all_conditions() for e in k.exceptions]
            texts += [v.text for v in c.values.values()]
            if c.benefit is not None:
                texts += [c.benefit.text or "", c.benefit.cap_text or ""]
                texts += [e.when_text + " " + (e.amount_text or "") for e in c.benefit.exceptions]
            if any(_mentions(t, names) for t in texts):
                keys.add(c.key)
    # stacking couples clauses: a group with an affected clause is matched whole
    grew = True
    while grew:
        grew = False
        for g in pack.groups:
            if keys & set(g.clauses) and not set(g.clauses) <= keys:
                keys |= set(g.clauses)
                grew = True
    existing = {c.key for c in pack.clauses()}
    return sorted(k for k in keys if k in existing)


def _mentions(text: str, names: set[str]) -> bool:
    return any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])", text) for n in names)


__all__ = ["PACK_FILE", "Reform", "clauses_affected", "load_reform"]
