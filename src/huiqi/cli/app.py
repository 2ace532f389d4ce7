"""The ``huiqi`` command. A thin layer: it parses arguments, calls the library and
turns every :class:`~huiqi.errors.HuiqiError` into a message and an exit code
(2 for a mistake in what was given, 1 for anything else) — never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from huiqi.errors import HuiqiError, InputError, NotFoundError, UsageError
from huiqi.settings import get_settings
from huiqi.text import Lang, Text

app = typer.Typer(
    name="huiqi", no_args_is_help=True, add_completion=False, rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,  # a traceback must not print a password it held
    help="惠企 huiqi — 政策即代码:检查政策包、为企业匹配政策并解释结果。\n\n"
         "huiqi — policies as code: check packs, match enterprises, explain the results.")

F = TypeVar("F", bound=Callable[..., Any])

LangOpt = Annotated[str | None, typer.Option("--lang", help="zh 或 en / zh or en")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="评估日期 YYYY-MM-DD / evaluation date")]
PoliciesOpt = Annotated[Path | None, typer.Option("--policies", "-p",
                                                  help="政策包目录 / policy pack folder")]
DataOpt = Annotated[Path | None, typer.Option("--data", "-d",
                                              help="企业数据文件 / enterprise file")]


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _error(text: str) -> None:
    """An error for a person: red, never wrapped mid-path, never a traceback."""
    from rich.markup import escape

    _console(stderr=True).print(f"[red]{escape(text)}[/red]", soft_wrap=True)


def _lang(value: str | None) -> Lang:
    v = value or get_settings().lang
    if v not in ("zh", "en"):
        raise UsageError(Text(f"--lang 须为 zh 或 en,而不是“{v}”", f"--lang must be zh or en, not “{v}”"))
    return v  # type: ignore[return-value]


def _as_of(value: str | None) -> dt.date:
    if value is None:
        return get_settings().today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(Text(f"日期“{value}”应写成 YYYY-MM-DD",
                              f"the date “{value}” must be YYYY-MM-DD")) from None


def handles_errors(fn: F) -> F:
    """Report huiqi's errors in the user's language with a nonzero exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except HuiqiError as exc:
            lang: Lang = "en" if (kwargs.get("lang") or get_settings().lang) == "en" else "zh"
            _error(exc.message(lang))
            raise typer.Exit(2 if isinstance(exc, InputError | NotFoundError) else 1) from None

    return wrapper  # type: ignore[return-value]


def _load_packs(path: Path | None):  # type: ignore[no-untyped-def]
    from huiqi.rules.loader import find_packs, load_pack

    root = path or get_settings().policies
    return [load_pack(p) for p in find_packs(root)]


def _one_pack(path: Path | None):  # type: ignore[no-untyped-def]
    packs = _load_packs(path)
    if len(packs) == 1:
        return packs[0]
    # several packs are matched together as one (each keeps its own groups); the facts each
    # declares are in play together (a fact two of them declare differently is refused)
    from huiqi.facts.declared import combine
    from huiqi.rules.model import Pack

    merged = Pack(id="+".join(p.id for p in packs), title=Text("全部政策包", "all packs"),
                  version="+".join(p.version for p in packs),
                  digest="".join(p.digest[:12] for p in packs),
                  policies=[pol for p in packs for pol in p.policies],
                  groups=[g for p in packs for g in p.groups],
                  catalogue=combine(p.catalogue for p in packs),
                  path=str(path))
    return merged


def _find_enterprise(key: str, data: Path | None, pack: Any = None):  # type: ignore[no-untyped-def]
    """The enterprise ``key`` names; a declared choice not among the options of ``pack`` is
    refused with the file, line and column where it is written."""
    from huiqi.facts.io import load_enterprises

    choices = pack.choice_options() if pack is not None else None
    cat = pack.catalogue if pack is not None else None

    p = Path(key)
    if p.suffix.lower() in (".yaml", ".yml", ".json", ".csv") and p.is_file():
        es = load_enterprises(p, cat, check_codes=False, choices=choices)
        if len(es) != 1:
            raise UsageError(Text(f"文件 {key} 含 {len(es)} 家企业,请用 --data 指定文件并给出企业标识",
                                  f"{key} holds {len(es)} enterprises; pass it as --data and name one"))
        return es[0]
    source = data or get_settings().data
    if not source.exists():
        raise NotFoundError(Text("企业数据文件", "enterprise file"), str(source))
    es = load_enterprises(source, cat, check_codes=False, choices=choices)
    for e in es:
        if key in (e.id, e.name):
            return e
    hits = [e for e in es if key in e.name or e.id.startswith(key)]
    if len(hits) == 1:
        return hits[0]
    names = [e.name or e.id for e in (hits or es)][:5]
    raise NotFoundError(Text("企业", "enterprise"), key, names)


@app.command()
@handles_errors
def check(path: Annotated[Path, typer.Argument(help="政策包、目录或政策文件 / pack, folder or file")],
          citations: Annotated[bool, typer.Option("--citations",
                                                  help="列出每条规则的出处 / list every citation")] = False,
          database: Annotated[str | None, typer.Option(
              "--database", help="对照该数据库中已发布的政策包检查自定义事实(默认:设置了 "
              "HUIQI_DATABASE_URL 时用它)/ check declared facts against the packs published "
              "in this database (default: HUIQI_DATABASE_URL when set)")] = None,
          lang: LangOpt = None) -> None:
    """检查政策包:语法、名称、类型与单位、分档、出处。有任何问题则整包拒绝。
    配置了数据库时,还对照其中已发布的政策包检查自定义事实(同一标识、不同含义即拒绝)。

    Check policy packs: syntax, names, types and units, bands, citations. Any problem
    rejects the whole pack. With a database configured, a pack's declared facts are also
    checked against the packs published there (the same id with another meaning is refused).
    """
    from huiqi.errors import PackError
    from huiqi.rules.loader import find_packs, load_pack

    lg = _lang(lang)
    console = _console()
    failed = 0
    checked = []
    for root in find_packs(path):
        try:
            pack = load_pack(root)
        except PackError as exc:
            failed += 1
            _error("✗ " + exc.message(lg))
            continue
        checked.append(pack)
        n_clauses = len(pack.clauses())
        assumed = sum(1 for c in pack.clauses() for k in c.all_conditions()
                      if k.cite.assumed is not None)
        amounts = [c for c in pack.clauses() if c.benefit is not None and c.benefit.expr is not None]
        assumed_amounts = sum(1 for c in amounts if c.benefit is not None and c.benefit.assumed)
        console.print(
            f"[green]✓[/green] {pack.title.get(lg)} [dim]{pack.version_id}[/dim]: "
            + (f"{len(pack.policies)} 项政策,{n_clauses} 个条款,{assumed} 个条件为假定,"
               f"{len(amounts)} 个金额中 {assumed_amounts} 个为假定"
               if lg == "zh" else f"{len(pack.policies)} policies, {n_clauses} clauses, "
               f"{assumed} assumed conditions, {assumed_amounts} of {len(amounts)} amounts "
               "assumed")
            + (("," if lg == "zh" else ", ") + (f"{len(pack.catalogue.declared)} 个自定义事实"
               if lg == "zh" else f"{len(pack.catalogue.declared)} facts of its own")
               if pack.catalogue.declared else ""))
        if citations:
            from huiqi.cli.render import citations as show

            show(pack, lg, console)
    if len(checked) > 1:  # packs in play together: their own facts must agree
        from huiqi.facts.declared import combine

        try:
            combine(p.catalogue for p in checked)
        except PackError as exc:
            failed += 1
            _error("✗ " + exc.message(lg))
    url = database or _configured_database()
    if url is not None and any(p.catalogue.declared for p in checked):
        from huiqi.cli.service import published_clashes

        for problem in published_clashes(url, checked, lg):
            failed += 1
            _error("✗ " + problem)
    if failed:
        raise typer.Exit(2)


def _configured_database() -> str | None:
    """The platform's database when one is configured (``HUIQI_DATABASE_URL`` set)."""
    import os

    return get_settings().database_url if os.environ.get("HUIQI_DATABASE_URL") else None


@app.command()
@handles_errors
def match(enterprise: Annotated[str, typer.Argument(help="企业标识、名称或企业文件 / id, name or file")],
          as_of: AsOfOpt = None, json_out: Annotated[bool, typer.Option("--json")] = False,
          explain_all: Annotated[bool, typer.Option("--explain", help="逐条解释 / explain each")] = False,
          show_all: Annotated[bool, typer.Option("--all", help="列出全部条款 / list every clause")] = False,
          lang: LangOpt = None, policies: PoliciesOpt = None, data: DataOpt = None) -> None:
    """为一家企业匹配全部政策条款:状态、金额、原因与缺少的信息。

    Match one enterprise against every clause: status, amount, reasons, what is missing.
    """
    from huiqi.engine.matcher import matcher_for

    lg = _lang(lang)
    day = _as_of(as_of)
    pack = _one_pack(policies)
    e = _find_enterprise(enterprise, data, pack)
    m = matcher_for(pack, day)
    res = m.match(e) if explain_all or not json_out else m.decide(e)
    if json_out:
        from huiqi.engine.serialize import full_match_dict, match_dict

        out = full_match_dict(m, res, lg) if explain_all else match_dict(res)
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        return
    from huiqi.cli.render import explain_all as print_explanations
    from huiqi.cli.render import match_table

    console = _console()
    console.print(match_table(m, res, lg, show_all))
    if explain_all:
        print_explanations(m, res, lg, console)


@app.command()
@handles_errors
def explain(enterprise: Annotated[str, typer.Argument(help="企业标识、名称或企业文件")],
            clause: Annotated[str, typer.Argument(help="条款,如 policy/clause")],
            as_of: AsOfOpt = None, json_out: Annotated[bool, typer.Option("--json")] = False,
            lang: LangOpt = None, policies: PoliciesOpt = None, data: DataOpt = None) -> None:
    """解释一个条款对一家企业的结果:每个条件的出处、所见数值与结论,金额步骤,差距。

    Explain one clause for one enterprise: each condition's citation, values and outcome,
    the amount step by step, the gap.
    """
    from huiqi.engine.explain import Explainer
    from huiqi.engine.matcher import matcher_for

    lg = _lang(lang)
    pack = _one_pack(policies)
    e = _find_enterprise(enterprise, data, pack)
    m = matcher_for(pack, _as_of(as_of))
    res = m.match(e)
    r = res.by_key(clause)
    if r is None:
        keys = [c.key for c in res.clauses]
        import difflib

        raise NotFoundError(Text("条款", "clause"), clause,
                            difflib.get_close_matches(clause, keys, n=3, cutoff=0.3))
    ex = Explainer(m).explain_one(r)
    if json_out:
        from huiqi.engine.serialize import explanation_dict

        sys.stdout.write(json.dumps(explanation_dict(ex, lg), ensure_ascii=False, indent=2) + "\n")
        return
    from huiqi.cli.render import explanation_tree

    _console().print(explanation_tree(ex, lg))


@app.command()
@handles_errors
def facts(lang: LangOpt = None, policies: Annotated[Path | None, typer.Option(
        "--policies", help="并列出这些政策包在 facts.yaml 中声明的事实 / with the facts these packs "
                           "declare in facts.yaml")] = None) -> None:
    """列出事实目录 / list the fact catalogue."""
    from rich.table import Table

    from huiqi.facts.catalogue import default_catalogue

    lg = _lang(lang)
    cat = _one_pack(policies).catalogue if policies is not None else default_catalogue()
    t = Table(title="事实目录" if lg == "zh" else "Fact catalogue")
    for col in (("名称", "id"), ("类型", "type"), ("单位", "unit"), ("周期", "period"),
                ("来源", "source"), ("说明", "label")):
        t.add_column(col[0] if lg == "zh" else col[1])
    for f in cat.facts.values():
        src = cat.sources.get(f.source or "")
        t.add_row(f.id, f.kind + (f"<{f.enum or f.record}>" if f.enum or f.record else ""),
                  f.unit or ("元" if f.kind == "money" else ""),
                  ("按年度" if f.yearly else "静态") if lg == "zh" else f.period,
                  src.get(lg) if src else "", f.label.get(lg))
    _console().print(t)


@app.command()
@handles_errors
def schema(out: Annotated[Path, typer.Argument(help="输出目录 / output folder")] = Path("schema")
           ) -> None:
    """写出政策文件、政策包与 facts.yaml 的 JSON Schema / write the JSON Schemas of policy, pack
    and facts.yaml files."""
    from huiqi.facts.declared import facts_schema
    from huiqi.rules.format import pack_schema, policy_schema

    out.mkdir(parents=True, exist_ok=True)
    for name, sch in (("policy", policy_schema()), ("pack", pack_schema()),
                      ("facts", facts_schema())):
        (out / f"{name}.schema.json").write_text(
            json.dumps(sch, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _console().print(f"✓ {out}/policy.schema.json, {out}/pack.schema.json, "
                     f"{out}/facts.schema.json")


@app.command(hidden=True)
@handles_errors
def reference(out: Annotated[Path, typer.Argument()] = Path("docs")) -> None:
    """Write docs/errors.md and docs/cli.md from the code."""
    from huiqi.cli.reference import cli_markdown, errors_markdown

    out.mkdir(parents=True, exist_ok=True)
    (out / "errors.md").write_text(errors_markdown(), encoding="utf-8")
    (out / "cli.md").write_text(cli_markdown(), encoding="utf-8")


@app.command()
@handles_errors
def demo(lang: LangOpt = None, as_of: AsOfOpt = None,
         count: Annotated[int, typer.Option(help="展示的企业数 / enterprises shown")] = 3) -> None:
    """演示:加载政策包与演示企业,打印几家企业的匹配结果和解释。

    Demo: load the packs and demo enterprises, print a few matches with explanations.
    """
    from huiqi.cli.demo import run_demo

    run_demo(_lang(lang), _as_of(as_of), count, _console())


def _register_commands() -> None:
    from huiqi.cli import generate, population, results, testing

    app.command(name="generate")(generate.generate)
    population.register(app)
    results.register(app)
    testing.register(app)


_register_commands()
import huiqi.cli.admin  # noqa: E402 - registers admin create, admin reset
import huiqi.cli.service  # noqa: E402 - registers serve, init-demo, import
import huiqi.cli.workdays  # noqa: E402
import huiqi.cli.worker  # noqa: E402 - registers worker

huiqi.cli.workdays.register(app)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
