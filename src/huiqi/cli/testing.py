"""``huiqi test``: run a pack's YAML cases on every engine and show each failure with what
was expected beside what each engine gave and the engine's explanation (as ``openfisca
test`` does). The exit code is 0 when every case passes, 1 when one fails, 2 when the
cases or the pack cannot be read.

Registered on the app by :func:`register`; the heavy imports happen when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from huiqi.packs.testrun import Failure, Report
    from huiqi.text import Lang

TargetsArg = Annotated[list[Path], typer.Argument(
    help="用例文件、用例目录,或政策包目录(用其 cases/ 子目录) / case files, folders of cases, "
         "or a pack folder (its cases/ subfolder)")]
SparkOpt = Annotated[bool, typer.Option(
    "--spark", help="也在 Spark 上运行(须已安装 PySpark 与 Java) / also run on Spark (needs "
                    "PySpark and Java)")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="zh 或 en / zh or en")]


def test(targets: TargetsArg, spark: SparkOpt = False, lang: LangOpt = None) -> None:
    """运行政策包的 YAML 用例:一企引擎与 DuckDB(加 --spark 也用 Spark),列出期望与实际结果及解释;有失败时退出码为 1。

    Run a pack's YAML cases on the one-enterprise engine and the DuckDB population engine
    (and Spark with --spark); show each failure with the expected and the actual result and
    explanation side by side; exit 1 if any case fails.
    """
    from huiqi.cli.app import handles_errors

    handles_errors(_test)(targets=targets, spark=spark, lang=lang)


def _test(targets: list[Path], spark: bool, lang: str | None) -> None:
    from huiqi.cli.app import _console, _lang
    from huiqi.messages import message
    from huiqi.packs import testrun as T

    lg = _lang(lang)
    console = _console()
    files = T.case_files(targets)
    engines = [T.ENGINE, T.DUCKDB]
    session = None
    if spark:
        why = _spark_missing()
        if why is None:
            engines.append(T.SPARK)
            from huiqi.population import spark as S

            def session() -> Any:
                return S.session()
        else:
            console.print("[yellow]" + message("test.spark_unavailable", detail=why).get(lg)
                          + "[/yellow]")
    report = T.run(files, engines, spark=session)
    for f in _grouped(report.failures):
        console.print(_failure(f, lg))
    _summary(report, lg, console)
    if not report.ok:
        raise typer.Exit(1)


def _spark_missing() -> str | None:
    """Why Spark cannot run here, or None."""
    import importlib.util
    import os
    import shutil

    if importlib.util.find_spec("pyspark") is None:
        return "PySpark"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java"
    return None


def _grouped(failures: list[Failure]) -> list[list[Failure]]:
    """Failures of the same clause of the same case together, in the order met."""
    out: dict[tuple[str, int, str], list[Failure]] = {}
    for f in failures:
        out.setdefault((f.case.file, f.case.index, f.key), []).append(f)
    return list(out.values())


def _show(v: Any, lg: Lang) -> str:
    from decimal import Decimal

    from huiqi.messages import message
    from huiqi.packs.testrun import ABSENT

    if v == ABSENT:
        return message("test.absent").get(lg)
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v else "0"
    if isinstance(v, list):
        return "[" + ", ".join(_show(x, lg) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_show(x, lg)}" for k, x in v.items()) + "}"
    return "—" if v is None else str(v)


def _failure(group: list[Failure], lg: Lang) -> Any:
    """One clause of one case: a table of the fields that differ (expected, then each engine
    that got them wrong), and beside each other the case's whole expectation and the
    one-enterprise engine's explanation."""
    from rich.columns import Columns
    from rich.console import Group
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    from huiqi.cli.render import explanation_tree
    from huiqi.messages import message

    first = group[0]
    case = first.case
    head = message("test.case_head", name=case.name, key=first.key,
                   where=f"{case.file}:{case.line or 1}", as_of=case.as_of.isoformat()).get(lg)
    parts: list[Any] = []
    errors = [f for f in group if f.error is not None]
    for f in errors:
        assert f.error is not None
        parts.append("[red]" + escape(f.error.get(lg)) + "[/red]")
    wrong = [f for f in group if f.error is None]
    if wrong:
        fields = list(dict.fromkeys(name for f in wrong for name, _, _ in f.mismatches))
        t = Table(show_lines=False, expand=False)
        t.add_column(message("test.field").get(lg))
        t.add_column(message("test.expected").get(lg), style="green")
        for f in wrong:
            t.add_column(message("test.actual", engine=_engine(f.engine, lg)).get(lg), style="red")
        for name in fields:
            expected = next(e for f in wrong for n, e, _ in f.mismatches if n == name)
            cells = [escape(_show(expected, lg))]
            for f in wrong:
                got = next((a for n, _, a in f.mismatches if n == name), None)
                cells.append(escape(_show(got, lg)) if any(n == name for n, _, _ in f.mismatches)
                             else message("test.same").get(lg))
            t.add_row(name, *cells)
        parts.append(t)
        want = case.expect.get(first.key)
        wanted = want if isinstance(want, dict) else {"status": want}
        left = Panel("\n".join(f"{k}: {escape(_show(v, lg))}" for k, v in wanted.items()),
                     title=message("test.expected").get(lg), border_style="green", expand=False)
        ex = next((f.explanation for f in wrong if f.explanation is not None), None)
        right = Panel(explanation_tree(ex, lg) if ex is not None
                      else message("test.no_explanation").get(lg),
                      title=message("test.actual", engine=_engine("engine", lg)).get(lg),
                      border_style="red", expand=False)
        parts.append(Columns([left, right]))
    return Panel(Group(*parts), title="[red]✗[/red] " + escape(head), title_align="left",
                 border_style="red")


def _engine(name: str, lg: Lang) -> str:
    from huiqi.messages import message

    return message(f"test.engine.{name}").get(lg)


def _summary(report: Report, lg: Lang, console: Console) -> None:
    from huiqi.messages import message

    engines = ", ".join(_engine(e, lg) for e in report.engines)
    passed = report.cases - report.failed_cases
    text = message("test.summary", cases=report.cases, files=len(report.files), passed=passed,
                   failed=report.failed_cases, engines=engines).get(lg)
    console.print(("[green]✓ " if report.ok else "[red]✗ ") + text + "[/]")


def register(app: typer.Typer) -> None:
    app.command(name="test")(test)


__all__ = ["register", "test"]
