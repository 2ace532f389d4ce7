"""``huiqi generate``: write a realistic generated park to Parquet, YAML or JSON.

Registered on the app by one line at the end of :mod:`huiqi.cli.app`; the app's
helpers are imported when the command runs, so that either module may be imported
first.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from huiqi.facts.catalogue import Catalogue
    from huiqi.generator.output import Written

EnterprisesOpt = Annotated[int, typer.Option(
    "--enterprises", "-n", min=0,
    help="企业数(.parquet 可达千万级,YAML/JSON 至多 10 万) / number of enterprises "
         "(.parquet up to tens of millions, YAML/JSON at most 100,000)")]
SeedOpt = Annotated[int, typer.Option(
    "--seed", "-s", min=0,
    help="随机种子:同一种子与评估日期生成相同数据 / random seed: the same seed and date give the same data")]
OutOpt = Annotated[Path, typer.Option(
    "--out", "-o", help="输出文件:.parquet(分批流式写出)、.yaml 或 .json / output file: "
                        ".parquet (streamed in batches), .yaml or .json")]
AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", help="评估日期 YYYY-MM-DD,财务数据为其前五个财年 / evaluation date; figures "
                    "cover the five fiscal years before it")]
BatchOpt = Annotated[int, typer.Option(
    "--batch-size", min=1, help="每批企业数(Parquet 行组) / enterprises per batch (Parquet row group)")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="zh 或 en / zh or en")]
PoliciesOpt = Annotated[Path | None, typer.Option(
    "--policies", help="政策包:同时生成其 facts.yaml 声明的事实(在声明的范围内随机取值,部分缺失) / "
                       "policy packs: also generate the facts their facts.yaml declares (drawn "
                       "from the declared range, some left missing)")]


def generate(enterprises: EnterprisesOpt, out: OutOpt, seed: SeedOpt = 0, as_of: AsOfOpt = None,
             batch_size: BatchOpt = 50_000, lang: LangOpt = None,
             policies: PoliciesOpt = None) -> None:
    """生成逼真的园区企业数据:有效的统一社会信用代码、企业名称、园区与行业、五个财年的财务与知识产权数据、资质荣誉等。

    Generate a realistic park: valid credit codes, company names, parks and industries,
    five fiscal years of figures and IP, certifications and honours.
    """
    from huiqi.cli.app import handles_errors

    handles_errors(_run)(enterprises=enterprises, out=out, seed=seed, as_of=as_of,
                         batch_size=batch_size, lang=lang, policies=policies)


def _run(enterprises: int, out: Path, seed: int, as_of: str | None, batch_size: int,
         lang: str | None, policies: Path | None = None) -> None:
    from huiqi.cli.app import _as_of, _console, _lang, _one_pack
    from huiqi.errors import UsageError
    from huiqi.text import Text

    lg = _lang(lang)
    day = _as_of(as_of)
    started = time.perf_counter()
    try:
        cat = _one_pack(policies).catalogue if policies is not None else None
        written = _write(out, enterprises, seed, day, batch_size,
                         "生成企业" if lg == "zh" else "Generating", cat)
    except OSError as exc:
        raise UsageError(Text(f"无法写入 {out}:{exc.strerror or exc}",
                              f"cannot write {out}: {exc.strerror or exc}")) from None
    seconds = time.perf_counter() - started
    size = written.bytes / 1_000_000
    if lg == "zh":
        text = (f"✓ 已生成 {written.rows:,} 家企业 → {written.path}({size:,.1f} MB,{seconds:,.1f} 秒,"
                f"种子 {seed},评估日期 {day.isoformat()})")
    else:
        text = (f"✓ generated {written.rows:,} enterprises → {written.path} ({size:,.1f} MB, "
                f"{seconds:,.1f} s, seed {seed}, as of {day.isoformat()})")
    _console().print(text, markup=False)


def _write(out: Path, enterprises: int, seed: int, day: dt.date, batch_size: int, label: str,
           catalogue: Catalogue | None = None) -> Written:
    """Write with a progress bar on stderr."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from huiqi.cli.app import _console
    from huiqi.generator import write

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=_console(stderr=True)) as progress:
        task = progress.add_task(label, total=enterprises)
        return write(out, enterprises, seed, day, batch_size,
                     on_batch=lambda rows: progress.advance(task, rows), catalogue=catalogue)
