"""``huiqi results``: the results files of ``match-all`` — the long form of a compact results
folder (:mod:`huiqi.population.results`), for whoever needs one row per enterprise and clause."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from huiqi.cli.app import _console, handles_errors
from huiqi.errors import NotFoundError
from huiqi.text import Text

results = typer.Typer(help="match-all 的结果文件 / results files of match-all", no_args_is_help=True)
LangOpt = Annotated[str | None, typer.Option("--lang", help="zh 或 en / zh or en")]


@results.command("long")
@handles_errors
def long(source: Annotated[Path, typer.Argument(help="match-all 的结果 / results of match-all")],
         out: Annotated[Path, typer.Argument(help="长格式 Parquet 文件 / the long Parquet file")],
         lang: LangOpt = None) -> None:
    """把结果写成长格式:每家企业每个条款一行,含未满足的条件、差距、缺少的数据。

    Write results in the long form: one row per enterprise and clause, with the failed
    conditions, the gaps and the missing facts.
    """
    from huiqi.cli.app import _lang
    from huiqi.population.results import write_long

    if not source.exists():
        raise NotFoundError(Text("结果文件", "results file"), str(source))
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = write_long(source, out)
    _console().print(f"✓ {rows:,} " + ("条结果 → " if _lang(lang) == "zh" else "results → ")
                     + str(out))


def register(app: typer.Typer) -> None:
    app.add_typer(results, name="results")


__all__ = ["long", "register", "results"]
