"""Population commands: ``huiqi match-all``, ``huiqi near-miss``, ``huiqi simulate``.

Registered on the app by :func:`register`; heavy imports happen inside the commands.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from huiqi.engine.result import STATUS_ORDER
from huiqi.population.comparison import Comparison
from huiqi.text import Lang, Text

DataOpt = Annotated[Path | None, typer.Option(
    "--data", "-d", help="企业数据(Parquet,生成器的格式)/ enterprises (Parquet, the generator's layout)")]
PoliciesOpt = Annotated[Path | None, typer.Option("--policies", "-p", help="政策包 / policy pack")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="评估日期 / evaluation date")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="zh 或 en / zh or en")]
BatchOpt = Annotated[int, typer.Option("--batch-size", min=1, help="每批企业数 / enterprises per batch")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="结果 Parquet 文件 / results file")]
FormatOpt = Annotated[str | None, typer.Option(
    "--format", help="结果格式(DuckDB 与 Spark 相同):compact(默认,每家企业一行,长格式可用 "
    "huiqi results long 导出)或 long(每家企业每个条款一行)/ results form, the same on DuckDB "
    "and Spark: compact (default: one row per enterprise; the long form on demand with huiqi "
    "results long) or long (one row per enterprise and clause)")]
DuckOpt = Annotated[Path | None, typer.Option(
    "--duckdb", help="同时写入此 DuckDB 数据库的 match_results 表 / also load into this DuckDB database")]
SummaryOpt = Annotated[Path | None, typer.Option(
    "--summary", help="汇总 CSV 输出目录 / folder for summary CSVs")]
ResultsOpt = Annotated[Path | None, typer.Option(
    "--results", help="match-all 的结果文件;省略则现算 / results of match-all; computed if omitted")]
BaselineOpt = Annotated[Path | None, typer.Option(
    "--baseline", help="基线结果(match-all 的输出);省略则现算 / baseline results; computed if omitted")]
ReportOpt = Annotated[Path | None, typer.Option(
    "--out", "-o", help="报告目录(CSV、PNG、HTML)/ report folder")]
ReviewsOpt = Annotated[Path | None, typer.Option(
    "--reviews", help="评审决定表(Parquet,见 huiqi.facts.decisions)/ review decisions (Parquet)")]


def _progress(console: Console, total: int, label: str) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=False)


@contextlib.contextmanager
def _with_reviews(source: Path, reviews: Path | None, pack_id: str
                  ) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The population with the recorded review decisions of ``reviews`` (a temporary copy
    with their columns), and the decisions; the population itself when there are none."""
    if reviews is None:
        yield source, {}
        return
    from huiqi.errors import NotFoundError
    from huiqi.facts import decisions as D

    if not reviews.exists():
        raise NotFoundError(Text("评审决定表", "table of review decisions"), str(reviews))
    found = D.read(reviews, pack_id)
    with tempfile.TemporaryDirectory(prefix="huiqi-reviews-") as tmp:
        yield D.population_with(source, found, Path(tmp) / "population.parquet"), found


def _population(data: Path | None) -> Path:
    from huiqi.errors import NotFoundError
    from huiqi.settings import get_settings

    path = data or get_settings().population
    if not path.exists():
        raise NotFoundError(Text("企业数据文件(可用 huiqi generate 生成)",
                                 "enterprise file (make one with huiqi generate)"), str(path))
    return path


MasterOpt = Annotated[str | None, typer.Option(
    "--master", help="Spark 主节点,如 spark://host:7077(默认取 Spark 配置,否则 local[*]) / "
    "Spark master, e.g. spark://host:7077 (default: Spark's configuration, else local[*])")]
KernelOpt = Annotated[str | None, typer.Option(
    "--kernel", help="Spark 上计算每行结果的内核:duckdb(默认,每个任务内用 DuckDB 计算本分区,"
    "执行器的 Python 须装有 duckdb)或 sql(Spark SQL,执行器无须 Python)/ what computes the "
    "rows on Spark: duckdb (default: DuckDB in each task, over its partition; the executors' "
    "Python needs duckdb) or sql (Spark SQL; no Python needed on the executors)")]
SparkConfOpt = Annotated[list[str] | None, typer.Option(
    "--spark-conf", help="Spark 设置 key=value,可重复 / a Spark setting key=value (repeatable)")]


def _spark_conf(pairs: list[str]) -> dict[str, str]:
    from huiqi.errors import UsageError

    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(Text(f"--spark-conf 须写成 key=value,而不是“{pair}”",
                                  f"--spark-conf takes key=value, not “{pair}”"))
        out[key.strip()] = value.strip()
    return out


def _money(d: Any) -> str:
    from huiqi.engine.format import fmt_money

    return fmt_money(d)


def match_all(data: DataOpt = None, policies: PoliciesOpt = None, as_of: AsOfOpt = None,
              out: OutOpt = None, duckdb_file: DuckOpt = None,
              engine: Annotated[str, typer.Option(help="duckdb 或 spark")] = "duckdb",
              summary_dir: SummaryOpt = None,
              batch_size: BatchOpt = 100_000, lang: LangOpt = None,
              master: MasterOpt = None, spark_conf: SparkConfOpt = None,
              reviews: ReviewsOpt = None, form: FormatOpt = None,
              kernel: KernelOpt = None) -> None:
    """为全部企业匹配全部条款(DuckDB 或 Spark),按批流式处理;输出结果与按条款、行业、规模、区县的汇总。

    Match every enterprise against every clause (DuckDB or Spark), streamed in batches;
    write the results and summaries by clause, industry, size band and district.
    """
    from huiqi.cli.app import handles_errors

    handles_errors(_match_all)(data=data, policies=policies, as_of=as_of, out=out,
                               duckdb_file=duckdb_file, engine=engine, summary_dir=summary_dir,
                               batch_size=batch_size, lang=lang, master=master,
                               spark_conf=spark_conf or [], reviews=reviews, form=form,
                               kernel=kernel)


def _match_all(data: Path | None, policies: Path | None, as_of: str | None, out: Path | None,
               duckdb_file: Path | None, engine: str, summary_dir: Path | None, batch_size: int,
               lang: str | None, master: str | None = None,
               spark_conf: list[str] | None = None, reviews: Path | None = None,
               form: str | None = None, kernel: str | None = None) -> None:
    from huiqi.cli.app import _as_of, _lang, _one_pack
    from huiqi.errors import UsageError

    if engine != "spark" and (master or spark_conf or kernel):
        raise UsageError(Text("--master、--spark-conf 与 --kernel 只用于 --engine spark",
                              "--master, --spark-conf and --kernel are for --engine spark only"))
    kernel = kernel or "duckdb"
    if kernel not in ("duckdb", "sql"):
        raise UsageError(Text(f"--kernel 须为 duckdb 或 sql,而不是“{kernel}”",
                              f"--kernel must be duckdb or sql, not “{kernel}”"))
    form = form or "compact"
    if form not in ("compact", "long"):
        raise UsageError(Text(f"--format 须为 compact 或 long,而不是“{form}”",
                              f"--format must be compact or long, not “{form}”"))
    conf = _spark_conf(spark_conf or [])
    lg = _lang(lang)
    day = _as_of(as_of)
    pack = _one_pack(policies)
    stack = contextlib.ExitStack()
    source, _ = stack.enter_context(_with_reviews(_population(data), reviews, pack.id))
    with stack:
        _match_all_on(source, pack, day, out, duckdb_file, engine, summary_dir, batch_size, lg,
                      master, conf, form, kernel)


def _match_all_on(source: Path, pack: Any, day: dt.date, out: Path | None,
                  duckdb_file: Path | None, engine: str, summary_dir: Path | None,
                  batch_size: int, lg: Lang, master: str | None, conf: dict[str, str],
                  form: str = "compact", kernel: str = "duckdb") -> None:
    from huiqi.cli.app import _console
    from huiqi.errors import UsageError
    from huiqi.population.runner import Runner, count_rows, to_duckdb_table

    console = _console()
    out = out or Path("var") / f"results-{pack.id}-{day.isoformat()}.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    total = count_rows(source)
    started = time.perf_counter()
    if engine not in ("duckdb", "spark"):
        raise UsageError(Text(f"--engine 须为 duckdb 或 spark,而不是“{engine}”",
                              f"--engine must be duckdb or spark, not “{engine}”"))
    if engine == "spark":
        enterprises, results, summary = _spark_run(console, pack, day, source, out, lg,
                                                   master, conf, form, kernel)
    else:
        runner = Runner(pack, day)
        label = "匹配" if lg == "zh" else "matching"
        with _progress(console, total, label) as bar:
            task = bar.add_task(label, total=total)
            stats = runner.run(source, out, batch_size, lambda n: bar.advance(task, n),
                               form=form)
        enterprises, results, summary = stats.enterprises, stats.results, stats.summary
    elapsed = time.perf_counter() - started
    if duckdb_file is not None:
        to_duckdb_table(out, duckdb_file)
    _report(console, pack, day, lg, engine, enterprises, results, summary, elapsed, out,
            summary_dir)


def _spark_run(console: Any, pack: Any, day: Any, source: Path, out: Path, lg: Lang,
               master: str | None = None, conf: dict[str, str] | None = None,
               form: str = "compact", kernel: str = "duckdb") -> tuple[int, int, Any]:
    """Match on Spark (a results folder at ``out``, in ``form``, the rows computed by
    ``kernel``), then count the results by
    clause and dimension as the DuckDB engine does while it streams."""
    import duckdb

    from huiqi.population import results as R
    from huiqi.population import spark as S
    from huiqi.population.summary import Summary

    S.require_spark()
    with console.status("Spark …" if lg != "zh" else "Spark 计算中 …"):
        spark = S.session(master, conf=conf)
        S.match_parquet(spark, pack, day, source, out, form=form, kernel=kernel)
        if pack.reported(day):
            from huiqi.population.runner import values_path

            S.values_parquet(spark, pack, day, source, values_path(out))
    con = duckdb.connect()
    try:  # views over the files: DuckDB reads them as it counts, nothing is loaded whole
        files = source / "*.parquet" if source.is_dir() else source
        con.execute(f"CREATE VIEW enterprises AS SELECT * FROM read_parquet({_sql_text(files)})")
        # the long form of either results form (of a compact folder derived as it is read)
        name = R.relation(con, out, "long_results")
        con.execute(f"CREATE VIEW results AS SELECT enterprise_id, clause, status, amount, "
                    f"potential_amount FROM {name}")
        columns = [r[0] for r in con.execute("DESCRIBE enterprises").fetchall()]
        summary = Summary()
        summary.count(con, columns, day)
        counted = con.execute("SELECT count(*) FROM enterprises").fetchone()
    finally:
        con.close()
    assert counted is not None
    return int(counted[0]), R.count(out), summary


def _sql_text(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _report(console: Any, pack: Any, day: Any, lg: Lang, engine: str, enterprises: int,
            results: int, summary: Any, elapsed: float, out: Path, summary_dir: Path | None
            ) -> None:
    """The table by clause, the totals and the time; the CSV summaries with ``--summary``.
    The product counts only the clauses in force on the day (the others give no result)."""
    clauses = {c.key: c for c in pack.clauses()}
    in_force = [c for p in pack.policies if p.in_force(day) for c in p.clauses]
    idle = len(clauses) - len(in_force)
    zh = lg == "zh"
    t = Table(title=(f"{pack.title.get(lg)} · {pack.version_id} · "
                     + ("评估日 " if zh else "as of ") + day.isoformat()))
    for h in (("条款", "Clause"), ("符合", "Eligible"), ("需审核", "Review"), ("待补充", "Undetermined"),
              ("不符合", "Not eligible"), ("应付合计", "Payable")):
        t.add_column(h[0] if zh else h[1], justify="left" if h[1] == "Clause" else "right")
    from huiqi.cli.render import assumed_mark, assumed_part

    assumed = {k for k, c in clauses.items() if c.benefit is not None and c.benefit.assumed}
    grand = grand_assumed = Decimal(0)
    for key, row in summary.by_clause().items():
        spec = clauses.get(key)
        mark = " " + assumed_mark(lg) if key in assumed and row.amount else ""
        t.add_row(spec.title.get(lg) if spec else key,
                  *(f"{row.counts[s]:,}" for s in STATUS_ORDER), _money(row.amount) + mark)
        grand += row.amount
        if key in assumed:
            grand_assumed += row.amount
    console.print(t)
    rate = results / elapsed if elapsed else 0
    payable = _money(grand) + assumed_part(grand_assumed, lg)
    aside = ((f"(另有 {idle} 个条款在评估日未生效或已失效)" if zh else
              f" ({idle} more not in force on the day)") if idle else "")
    console.print(
        (f"{engine}:{enterprises:,} 家企业 × {len(in_force)} 个现行条款{aside} = {results:,} 条结果,"
         f"{elapsed:.1f} 秒({rate:,.0f} 条/秒),应付合计 {payable} → {out}") if zh else
        (f"{engine}: {enterprises:,} enterprises × {len(in_force)} clauses in force{aside} = "
         f"{results:,} results in {elapsed:.1f} s ({rate:,.0f}/s); payable {payable} → {out}"))
    from huiqi.population.runner import values_path

    if values_path(out).exists() and pack.reported(day):
        console.print(("列出的数值 → " if zh else "reported values → ") + str(values_path(out)))
    if summary_dir is not None:
        _write_summaries(summary, summary_dir, assumed)
        console.print(f"✓ {summary_dir}")


def _write_summaries(summary: Any, folder: Path, assumed: set[str]) -> None:
    """CSV summaries; ``amount_assumed`` says which clauses' amounts the text does not give."""
    from huiqi.cells import csv_writer

    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "by_clause.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv_writer(fh)
        w.writerow(["clause", *(s.value for s in STATUS_ORDER), "amount", "potential_amount",
                    "amount_assumed"])
        for key, r in summary.by_clause().items():
            w.writerow([key, *(r.counts[s] for s in STATUS_ORDER), r.amount, r.potential,
                        "true" if key in assumed else "false"])
    for dim in ("industry", "size_band", "district"):
        with (folder / f"by_{dim}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv_writer(fh)
            w.writerow(["clause", dim, *(s.value for s in STATUS_ORDER), "amount", "amount_assumed"])
            for (key, value), r in summary.by(dim).items():
                w.writerow([key, value, *(r.counts[s] for s in STATUS_ORDER), r.amount,
                            "true" if key in assumed else "false"])


def near_miss(clause: Annotated[str, typer.Argument(help="条款,如 policy/clause / the clause")],
              k: Annotated[int, typer.Option("--k", min=1, help="恰好不满足的条件数 / conditions failed")] = 1,
              limit: Annotated[int, typer.Option(min=1)] = 30,
              results: ResultsOpt = None,
              data: DataOpt = None, policies: PoliciesOpt = None, as_of: AsOfOpt = None,
              json_out: Annotated[bool, typer.Option("--json")] = False,
              batch_size: BatchOpt = 100_000, lang: LangOpt = None,
              reviews: ReviewsOpt = None) -> None:
    """列出恰好差 k 个条件即可符合某条款的企业,按差距从小到大,并说明还差什么。

    List the enterprises that fail a clause on exactly k conditions, closest first, and
    what they lack.
    """
    from huiqi.cli.app import handles_errors

    handles_errors(_near_miss)(clause=clause, k=k, limit=limit, results=results, data=data,
                               policies=policies, as_of=as_of, json_out=json_out,
                               batch_size=batch_size, lang=lang, reviews=reviews)


def _near_miss(clause: str, k: int, limit: int, results: Path | None, data: Path | None,
               policies: Path | None, as_of: str | None, json_out: bool, batch_size: int,
               lang: str | None, reviews: Path | None = None) -> None:
    import difflib

    from huiqi.cli.app import _as_of, _lang, _one_pack
    from huiqi.errors import NotFoundError

    lg = _lang(lang)
    day = _as_of(as_of)
    pack = _one_pack(policies)
    spec = pack.clause(clause)
    if spec is None:
        keys = [c.key for c in pack.clauses()]
        raise NotFoundError(Text("条款", "clause"), clause,
                            difflib.get_close_matches(clause, keys, n=3, cutoff=0.3))
    with _with_reviews(_population(data), reviews, pack.id) as (source, decided):
        _near_miss_on(source, decided, pack, spec, day, k, limit, results, json_out,
                      batch_size, lg)


def _near_miss_on(source: Path, decided: dict[str, Any], pack: Any, spec: Any, day: dt.date,
                  k: int, limit: int, results: Path | None, json_out: bool, batch_size: int,
                  lg: Lang) -> None:
    import pyarrow.parquet as pq

    from huiqi.cli.app import _console
    from huiqi.engine.explain import Explainer
    from huiqi.engine.matcher import matcher_for
    from huiqi.facts.columnar import table_to_enterprises
    from huiqi.facts.decisions import merged
    from huiqi.population.nearmiss import counts_by_failures, near_misses
    from huiqi.population.runner import Runner, count_rows

    console = _console()
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if results is None:
        tmp = tempfile.TemporaryDirectory(prefix="huiqi-near-miss-")
        results = Path(tmp.name) / "results.parquet"
        label = "计算" if lg == "zh" else "computing"
        with _progress(console, count_rows(source), label) as bar:
            task = bar.add_task(label, total=count_rows(source))
            Runner(pack, day, clauses=[spec]).run(source, results, batch_size,
                                                  lambda n: bar.advance(task, n), summarize=False)
    try:
        from huiqi.rules.fixed import fixed_paths

        rows = near_misses(results, spec.key, k, limit, fixed=fixed_paths(spec))
        dist = counts_by_failures(results, spec.key)
    finally:
        if tmp is not None:
            tmp.cleanup()
    ids = [r.enterprise_id for r in rows]
    facts = [c for c in pq.read_schema(source).names
             if not c.startswith(("choice:", "review:", "scored:", "score:"))]
    table = pq.read_table(source, columns=facts, filters=[("id", "in", ids)]) if ids else None
    firms = {e.id: merged(e, decided) for e in table_to_enterprises(table, pack.catalogue)} \
        if table is not None else {}
    m = matcher_for(pack, day)
    ex = Explainer(m)
    conds = {c.path: c for c in spec.all_conditions()}
    items: list[dict[str, Any]] = []
    for r in rows:
        firm = firms.get(r.enterprise_id)
        lacks: list[str] = []
        if firm is not None:
            res = m.match(firm).by_key(spec.key)
            if res is not None:
                expl = ex.explain_one(res)
                for c in expl.conditions:
                    if c.outcome == "not_met":
                        lacks.append(f"{c.label.get(lg)}: "
                                     + (c.gap.get(lg) if c.gap else
                                        ("不满足" if lg == "zh" else "not met")))
        items.append({"enterprise_id": r.enterprise_id, "name": firm.name if firm else "",
                      "failed": r.failed,
                      "gaps": {c: str(v) for c, v in r.gaps.items()}, "lacks": lacks})
    if json_out:
        console.print_json(json.dumps({"clause": spec.key, "k": k, "as_of": day.isoformat(),
                                       "failing_by_count": dist, "near_misses": items},
                                      ensure_ascii=False))
        return
    zh = lg == "zh"
    t = Table(title=(f"{spec.title.get(lg)}:恰好差 {k} 个条件的企业(共 {dist.get(k, 0):,} 家,列出 "
                     f"{len(items)} 家)") if zh else
              f"{spec.title.get(lg)}: enterprises {k} condition(s) away ({dist.get(k, 0):,}; "
              f"{len(items)} shown)")
    t.add_column("企业" if zh else "Enterprise", overflow="fold")
    t.add_column("还差什么" if zh else "What it lacks", overflow="fold")
    for it in items:
        why = "\n".join(it["lacks"]) or "、".join(conds[f].label.get(lg) for f in it["failed"]
                                                  if f in conds)
        t.add_row(f"{it['name']}\n[dim]{it['enterprise_id']}[/dim]", why)
    console.print(t)


def simulate(reform: Annotated[Path, typer.Option("--reform", help="改革方案文件 / reform file")],
             data: DataOpt = None, policies: PoliciesOpt = None, as_of: AsOfOpt = None,
             baseline: BaselineOpt = None, out: ReportOpt = None,
             batch_size: BatchOpt = 100_000, lang: LangOpt = None,
             reviews: ReviewsOpt = None) -> None:
    """政策模拟:改革方案会多花多少钱,谁受益、谁受损、谁新符合、谁不再符合,按行业、规模、区县。

    Simulate a reform: its cost, who gains, loses, newly qualifies or drops out, by
    industry, size band and district; tables, CSV and a chart (PNG and HTML).
    """
    from huiqi.cli.app import handles_errors

    handles_errors(_simulate)(reform=reform, data=data, policies=policies, as_of=as_of,
                              baseline=baseline, out=out, batch_size=batch_size, lang=lang,
                              reviews=reviews)


def _simulate(reform: Path, data: Path | None, policies: Path | None, as_of: str | None,
              baseline: Path | None, out: Path | None, batch_size: int, lang: str | None,
              reviews: Path | None = None) -> None:
    from huiqi.cli.app import _as_of, _console, _lang, _load_packs
    from huiqi.errors import UsageError
    from huiqi.population.reform import load_reform
    from huiqi.population.runner import count_rows
    from huiqi.population.simulate import simulate as run
    from huiqi.population.simulate import write_chart, write_csv

    lg = _lang(lang)
    day = _as_of(as_of)
    packs = _load_packs(policies)
    if len(packs) != 1:
        raise UsageError(Text("模拟一次针对一个政策包,请用 --policies 指定,如 policies/seed",
                              "a simulation works on one pack: name it with --policies, e.g. "
                              "policies/seed"))
    ref = load_reform(reform, packs[0])
    stack = contextlib.ExitStack()
    source, _ = stack.enter_context(_with_reviews(_population(data), reviews, packs[0].id))
    out = out or Path("var") / f"simulation-{ref.id}"
    console = _console()
    n = count_rows(source)
    runs = 1 if baseline is not None else 2
    label = "模拟" if lg == "zh" else "simulating"
    started = time.perf_counter()
    with stack, _progress(console, n * runs, label) as bar, \
            tempfile.TemporaryDirectory(prefix="huiqi-simulate-") as work:
        task = bar.add_task(label, total=n * runs)
        rep = run(ref, source, day, Path(work), baseline, batch_size,
                  lambda k: bar.advance(task, k))
    elapsed = time.perf_counter() - started
    csvs = write_csv(rep, out)
    from huiqi.population.summary import SIZE_BANDS

    industries = packs[0].catalogue.enums["industry"].values
    labels = {k: v.get(lg) for k, v in industries.items()} | {k: v.get(lg) for k, v in SIZE_BANDS}
    png, page = write_chart(rep, out, {k: v.zh for k, v in industries.items()},
                            {k: v.en for k, v in industries.items()})
    print_report(console, rep, lg, labels)
    console.print(("报告" if lg == "zh" else "report") + f": {', '.join(map(str, csvs))}, {png}, "
                  f"{page} ({elapsed:.1f} s)")


def print_report(console: Console, rep: Comparison, lg: Lang, labels: dict[str, str]) -> None:
    zh = lg == "zh"
    head = Table(title=f"{rep.title.get(lg)} ({rep.reform})", show_header=False)
    head.add_column()
    head.add_column(justify="right")
    for k, v in ((("评估日期", "as of"), rep.as_of.isoformat()),
                 (("企业数", "enterprises"), f"{rep.entities:,}"),
                 (("重新计算的条款", "clauses re-matched"), ", ".join(rep.clauses)),
                 (("受益", "gain"), f"{rep.gainers:,}"), (("受损", "lose"), f"{rep.losers:,}"),
                 (("新符合", "newly qualify"), f"{rep.newly_qualify:,}"),
                 (("不再符合", "drop out"), f"{rep.drop_out:,}"),
                 (("改革前成本", "cost before"), _money(rep.cost_before)),
                 (("改革后成本", "cost after"), _money(rep.cost_after)),
                 (("成本变化", "cost change"), _money(rep.cost_change))):
        head.add_row(k[0] if zh else k[1], v)
    console.print(head)
    for dim, title in (("industry", ("按行业", "by industry")), ("size_band", ("按规模", "by size band")),
                       ("district", ("按区县", "by district"))):
        t = Table(title=title[0] if zh else title[1])
        for h in (("", ""), ("改革前", "before"), ("改革后", "after"), ("变化", "change"),
                  ("受益", "gain"), ("受损", "lose")):
            t.add_column(h[0] if zh else h[1], justify="right" if h[1] else "left")
        for c in rep.by.get(dim, [])[:10]:
            t.add_row(labels.get(c.key, c.key), _money(c.before), _money(c.after),
                      _money(c.change), f"{c.gainers:,}", f"{c.losers:,}")
        console.print(t)
    t = Table(title="变化最大的企业" if zh else "Largest changes")
    for h in (("企业", "enterprise"), ("改革前", "before"), ("改革后", "after"), ("变化", "change")):
        t.add_column(h[0] if zh else h[1], justify="left" if h[1] == "enterprise" else "right")
    for eid, name, b, a in rep.largest[:10]:
        t.add_row(f"{name}\n[dim]{eid}[/dim]", _money(b), _money(a), _money(a - b))
    console.print(t)


def register(app: typer.Typer) -> None:
    app.command(name="match-all")(match_all)
    app.command(name="near-miss")(near_miss)
    app.command(name="simulate")(simulate)


__all__ = ["dt", "register"]
