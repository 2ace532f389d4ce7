"""A test run of a pack's YAML cases on every engine, for the people who write policies.

``huiqi test`` reads case files (the format of :mod:`huiqi.packs.testcases`), runs each case with
the one-enterprise engine and with the population engine on DuckDB (and on Spark when
asked), and compares each clause's result with what the case expects. A failure keeps
what was expected, what each engine gave, and the one-enterprise engine's explanation, so
that the command can show them side by side, as OpenFisca's ``openfisca test`` does.

The population engines report status, amount, potential amount, failed conditions, gaps
and missing facts; a case's ``needs_review`` is checked on the one-enterprise engine only.
Spark matches only the clauses the cases check (with their stacking groups): its planner
takes seconds per clause of a query, and no other clause's result is compared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from huiqi.engine.explain import Explainer, Explanation
from huiqi.engine.matcher import matcher_for
from huiqi.errors import HuiqiError, UsageError
from huiqi.facts.enterprise import Enterprise
from huiqi.messages import message
from huiqi.packs import testcases as C
from huiqi.rules.loader import PACK_FILE
from huiqi.rules.model import ClauseSpec, Pack
from huiqi.text import Text
from huiqi.yamldoc import YamlProblems, load_file

ENGINE = "engine"
DUCKDB = "duckdb"
SPARK = "spark"
#: a pack's own cases live in this subfolder of the pack (subfolders are not read as policies)
CASES_FOLDER = "cases"
#: the actual "value" of a clause that is not among the results (no such clause, or its
#: policy is not in force on the case's date)
ABSENT = "<absent>"
_YEARS_BACK = 10


@dataclass
class Failure:
    """One clause of one case that an engine got wrong (or could not run)."""

    case: C.Case
    key: str  # the clause, as the case names it
    engine: str
    mismatches: list[tuple[str, Any, Any]]  # (field, expected, actual)
    explanation: Explanation | None = None
    error: Text | None = None  # the case could not be run at all


@dataclass
class Report:
    files: list[Path]
    engines: list[str]
    cases: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def failed_cases(self) -> int:
        return len({(f.case.file, f.case.index) for f in self.failures})

    @property
    def ok(self) -> bool:
        return not self.failures


def case_files(targets: Sequence[Path]) -> list[Path]:
    """The case files named by ``targets``: files, folders of case files (searched down),
    or pack folders (their ``cases/`` subfolder)."""
    out: list[Path] = []
    for t in targets:
        if t.is_file():
            out.append(t)
        elif (t / PACK_FILE).is_file():
            folder = t / CASES_FOLDER
            if not folder.is_dir():
                raise UsageError(message("test.no_cases_folder", pack=str(t), folder=str(folder)))
            out.extend(_cases_under(folder))
        elif t.is_dir():
            out.extend(_cases_under(t))
        else:
            raise UsageError(message("test.not_found", path=str(t)))
    if not out:
        raise UsageError(message("test.no_cases"))
    return list(dict.fromkeys(out))


def _cases_under(folder: Path) -> list[Path]:
    found = []
    for f in sorted(folder.rglob("*.yaml")):
        try:
            data = load_file(f).data
        except YamlProblems:
            found.append(f)  # reported when it is read
            continue
        if isinstance(data, dict) and "cases" in data and "pack" in data:
            found.append(f)
    return found


def run(files: Sequence[Path], engines: Sequence[str],
        spark: Callable[[], Any] | None = None,
        progress: Callable[[int], None] | None = None) -> Report:
    """Run every case of ``files`` on ``engines``; ``spark()`` gives a Spark session."""
    report = Report(files=list(files), engines=list(engines))
    groups: dict[tuple[Path, dt.date], list[C.Case]] = {}
    for f in files:
        for case in C.read_cases(f):
            report.cases += 1
            groups.setdefault((case.pack_path, case.as_of), []).append(case)
    for (pack_path, day), group in groups.items():
        pack = C.pack_at(pack_path)
        firms = _enterprises(group, report)
        if ENGINE in engines:
            _on_engine(pack, day, firms, report)
        table_engines = [e for e in engines if e in (DUCKDB, SPARK)]
        if table_engines and firms:
            table = _table(pack, day, [e for _, e in firms])
            for name in table_engines:
                rows = _rows(name, pack, day, table, spark, _checked(pack, day, group))
                _compare_rows(name, firms, rows, report)
        if progress is not None:
            progress(len(group))
    return report


def _enterprises(group: Sequence[C.Case], report: Report) -> list[tuple[C.Case, Enterprise]]:
    out = []
    for i, case in enumerate(group):
        try:
            e = C.enterprise_of(case)
        except HuiqiError as exc:
            report.failures.append(Failure(case, "-", ENGINE, [],
                                           error=Text(exc.message("zh"), exc.message("en"))))
            continue
        out.append((case, replace(e, id=f"case-{i}")))
    return out


def _on_engine(pack: Pack, day: dt.date, firms: Iterable[tuple[C.Case, Enterprise]],
               report: Report) -> None:
    m = matcher_for(pack, day)
    explainer = Explainer(m)
    for case, e in firms:
        res = m.match(e)
        for key, want in case.expect.items():
            r = res.by_key(key)
            if want == C.NOT_IN_FORCE:
                if r is not None or key.split("/")[0] not in res.not_in_force:
                    report.failures.append(Failure(case, key, ENGINE, [
                        ("status", C.NOT_IN_FORCE, r.status.value if r else ABSENT)]))
                continue
            if r is None:
                report.failures.append(Failure(case, key, ENGINE, [("clause", key, ABSENT)]))
                continue
            wrong = C.mismatches(want, C.actual_of(r))
            if wrong:
                report.failures.append(Failure(case, key, ENGINE, wrong,
                                               explainer.explain_one(r)))


def _table(pack: Pack, day: dt.date, firms: Sequence[Enterprise]) -> Any:
    """The enterprises in the columnar layout, with their declarations and review decisions."""
    from huiqi.facts.columnar import arrow_schema, enterprises_to_table, with_declarations

    years = {y for e in firms for y in e.years} | set(range(day.year - _YEARS_BACK, day.year + 1))
    table = enterprises_to_table(list(firms), arrow_schema(pack.catalogue, sorted(years)))
    return with_declarations(table, firms)


def _checked(pack: Pack, day: dt.date, group: Sequence[C.Case]) -> list[ClauseSpec]:
    """The clauses in force on ``day`` that the cases of ``group`` check (a key as the case
    names it: ``policy/clause`` or the clause's own id), with the other members of their
    stacking groups (whose amounts stacking changes), in pack order."""
    keys = {k for case in group for k, want in case.expect.items() if want != C.NOT_IN_FORCE}
    named = {c.key for c in pack.clauses() if any(c.key == k or c.key.endswith("/" + k)
                                                  for k in keys)}
    for g in pack.groups:
        if named & set(g.clauses):
            named |= set(g.clauses)
    in_force = {p.id for p in pack.policies if p.in_force(day)}
    return [c for c in pack.clauses() if c.key in named and c.policy in in_force]


def _rows(engine: str, pack: Pack, day: dt.date, table: Any, spark: Callable[[], Any] | None,
          clauses: list[ClauseSpec]) -> dict[tuple[str, str], dict[str, Any]]:
    """The results of ``engine``: DuckDB matches every clause; Spark only ``clauses`` (those
    the cases check), since its planner takes seconds per clause of the query."""
    from huiqi.population.compare import table_rows

    if engine == DUCKDB:
        from huiqi.population import duck

        return table_rows(duck.match_arrow(pack, day, table).to_pylist())
    from huiqi.population import spark as S

    assert spark is not None
    if not clauses:
        return {}
    return table_rows(S.match_arrow(spark(), pack, day, table, clauses).to_pylist())


def _compare_rows(engine: str, firms: Iterable[tuple[C.Case, Enterprise]],
                  rows: dict[tuple[str, str], dict[str, Any]], report: Report) -> None:
    keys = {k[1] for k in rows}
    for case, e in firms:
        for key, want in case.expect.items():
            if want == C.NOT_IN_FORCE:
                continue  # a policy not in force has no rows; the engine checks the rest
            full = key if key in keys else next((k for k in keys if k.endswith("/" + key)), key)
            got = rows.get((e.id, full))
            if got is None:
                report.failures.append(Failure(case, key, engine, [("clause", key, ABSENT)]))
                continue
            got = dict(got)
            if got["status"] != "eligible" and got["amount"] is None:
                got["amount"] = Decimal(0)
            wrong = [w for w in C.mismatches(want, got) if w[2] is not C.UNKNOWN]
            if wrong:
                report.failures.append(Failure(case, key, engine, wrong))


__all__ = ["ABSENT", "CASES_FOLDER", "DUCKDB", "ENGINE", "SPARK", "Failure", "Report", "case_files",
           "run"]
