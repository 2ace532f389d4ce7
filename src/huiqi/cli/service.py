"""Commands of the platform service: ``serve``, ``init-demo``, ``import``, ``audit verify``.

They are registered on the ``huiqi`` app by one line at the end of
:mod:`huiqi.cli.app`. The server is imported only inside ``serve``.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import secrets
import string
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from huiqi.cli.app import _as_of, _console, _lang, app, handles_errors
from huiqi.errors import UsageError
from huiqi.files import owner_only
from huiqi.messages import message
from huiqi.text import Lang, Text

if TYPE_CHECKING:
    from huiqi.service.context import Actor, Context, Platform

DatabaseOpt = Annotated[str | None, typer.Option(
    "--database", help="数据库地址(默认取 HUIQI_DATABASE_URL)/ database URL")]


@contextmanager
def _platform(database: str | None) -> Iterator[Platform]:
    """The platform on the migrated database; its connections closed at the end. The
    schema is migrated by the owner (``HUIQI_MIGRATION_DATABASE_URL``, if set), the
    platform connects as the service (``HUIQI_DATABASE_URL`` or ``--database``)."""
    from huiqi.service.context import Platform
    from huiqi.settings import service_settings
    from huiqi.store.database import Database
    from huiqi.store.roles import migrate

    settings = service_settings(**({"database_url": database} if database else {}))
    with owner_only():  # what the command creates is its owner's alone (huiqi.files)
        migrate(settings.migration_database_url or settings.database_url,
                settings.database_url)
        db = Database.connect(settings.database_url)
        try:
            yield Platform(db, settings)
        finally:
            db.dispose()


def published_clashes(url: str, packs: list[Any], lg: Lang) -> list[str]:
    """For ``huiqi check``: each pack's declared facts against those of the packs published
    in the database at ``url`` (but its own earlier versions), without changing anything
    there; a message per pack whose facts clash (both files and lines), none if all agree."""
    from sqlalchemy.exc import SQLAlchemyError

    from huiqi.errors import PackError
    from huiqi.facts.declared import extend
    from huiqi.service.catalogue import others
    from huiqi.service.context import Platform
    from huiqi.settings import get_settings
    from huiqi.store.database import Database

    db = Database.connect(url)
    try:
        try:
            revision = db.revision()
        except SQLAlchemyError:
            raise UsageError(Text(
                f"无法读取数据库 {safe_url(url)}(未能连接或无权读取);请检查 --database 或 "
                "HUIQI_DATABASE_URL", f"cannot read the database {safe_url(url)} (no "
                "connection, or no right to read it); check --database or HUIQI_DATABASE_URL"
            )) from None
        if revision is None:
            raise UsageError(Text(
                f"数据库 {safe_url(url)} 尚未建立(没有已发布的政策包可供对照);"
                "请检查 --database 或 HUIQI_DATABASE_URL",
                f"the database {safe_url(url)} is not set up (no published packs to check "
                "against); check --database or HUIQI_DATABASE_URL"))
        ctx = Platform(db, get_settings().model_copy(update={"database_url": url})).system()
        out: list[str] = []
        for pack in packs:
            try:
                extend(others(ctx, pack.id), pack.catalogue)
            except PackError as exc:
                out.append((f"{pack.id}:与数据库 {safe_url(url)} 中已发布的政策包的自定义事实冲突\n"
                            if lg == "zh" else f"{pack.id}: its facts clash with those of the "
                            f"packs published in {safe_url(url)}\n") + exc.message(lg))
        return out
    finally:
        db.dispose()


def safe_url(url: str) -> str:
    """The database URL with its password masked (see :func:`huiqi.store.database.safe_url`)."""
    from huiqi.store.database import safe_url as masked

    return masked(url)


def _operator() -> Actor:
    from huiqi.service.context import Actor
    from huiqi.service.permissions import Role

    return Actor(username=f"cli:{getpass.getuser()}"[:64], role=Role.ADMIN)


@app.command()
@handles_errors
def serve(host: Annotated[str | None, typer.Option(help="监听地址 / address")] = None,
          port: Annotated[int | None, typer.Option(help="端口 / port")] = None,
          workers: Annotated[int | None, typer.Option(help="进程数 / processes")] = None,
          database: DatabaseOpt = None) -> None:
    """运行平台服务(默认 127.0.0.1,内嵌 SQLite)。/ Run the platform service.

    The schema is migrated to the latest version first. Settings come from HUIQI_*.
    """
    import uvicorn

    with _platform(database) as platform:
        settings = platform.settings
        _say_what_is_missing(platform)
    if database:
        os.environ["HUIQI_DATABASE_URL"] = database
    h, p = host or settings.host, port or settings.port
    _port_free(h, p)
    n = workers or settings.workers
    if n > 1 and settings.rate_limit_storage.startswith("memory"):
        _console().print(f"[yellow]频率限制在 {n} 个进程中各自计数(宽松 {n} 倍);多进程或多机请设 "
                         "HUIQI_RATE_LIMIT_STORAGE=redis://… / rate limits are counted in each "
                         f"of the {n} processes on its own ({n}× looser): set "
                         "HUIQI_RATE_LIMIT_STORAGE=redis://… to share them[/yellow]")
    _console().print(f"huiqi 惠企 → http://{h}:{p}/  (页面 / pages; 接口 / API: http://{h}:{p}/docs; "
                     f"{safe_url(settings.database_url)})", markup=False)
    with owner_only():  # the server's files too (its workers inherit the umask)
        uvicorn.run("huiqi.web.asgi:app", factory=True, host=h, port=p, workers=n,
                    log_level="warning", access_log=False)


def _port_free(host: str, port: int) -> None:
    """Refuse, saying so, a port another program listens on (instead of uvicorn's banner
    followed by ``[Errno 98]``)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise UsageError(Text(
                f"无法在 {host}:{port} 上启动:该端口已被占用或不可用({exc.strerror})。"
                f"可能已有一个 huiqi serve 在运行;换一个端口:huiqi serve --port {port + 1}"
                "(或设置 HUIQI_PORT)",
                f"Cannot listen on {host}:{port}: the port is taken or not available "
                f"({exc.strerror}). Another huiqi serve may be running; use another port: "
                f"huiqi serve --port {port + 1} (or set HUIQI_PORT)")) from None


def _say_what_is_missing(platform: Platform) -> None:
    """On a database nobody can use yet, say what to do (the server still starts)."""
    from sqlalchemy import func, select

    from huiqi.store.models import Account, PackVersion

    with platform.db.read() as s:
        people = s.scalar(select(func.count()).select_from(Account)
                          .where(Account.active.is_(True))) or 0
        packs = s.scalar(select(func.count()).select_from(PackVersion)
                         .where(PackVersion.status == "published")) or 0
    console = _console()
    where = safe_url(platform.settings.database_url)
    if not people:
        console.print(
            f"[yellow]! 数据库 {where} 中还没有账号,没有人能登录。创建第一个管理员:"
            "huiqi admin create NAME;或生成演示数据:huiqi init-demo(make demo 会自动完成)\n"
            f"! {where} has no accounts yet: nobody can sign in. Create the first "
            "administrator: huiqi admin create NAME; or demo data: huiqi init-demo[/yellow]")
    if not packs:
        console.print(
            "[yellow]! 还没有已发布的政策包:计算器与匹配结果都将为空。登录后在 /staff/policies "
            "上传并(由另一人)发布,或运行 huiqi init-demo\n"
            "! No policy pack is published yet: the calculator and matches will be empty. "
            "Upload one at /staff/policies and have another person publish it, or run "
            "huiqi init-demo[/yellow]")


def _audit(_entry: object) -> None:
    return None


def _password() -> str:
    """A random password that meets any policy huiqi allows (20 characters, 4 classes)."""
    pools = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "-_.!@#%")
    chars = [secrets.choice(p) for p in pools]
    chars += [secrets.choice("".join(pools)) for _ in range(16)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


@app.command(name="init-demo")
@handles_errors
def init_demo(database: DatabaseOpt = None,
              enterprises: Annotated[int, typer.Option(help="生成的企业数 / enterprises")] = 3000,
              seed: Annotated[int, typer.Option(help="随机种子 / seed")] = 42,
              as_of: Annotated[str | None, typer.Option("--as-of", help="评估日期 / date")] = None,
              policies: Annotated[Path | None, typer.Option(help="政策包目录 / packs")] = None,
              lang: Annotated[str | None, typer.Option("--lang")] = None,
              logins: Annotated[Path | None, typer.Option(
                  help="另将演示账号写入此文件(仅本人可读)/ also write the demo logins to this "
                       "file (readable by its owner only)")] = None) -> None:
    """创建演示数据库:发布政策包、生成园区企业、每个角色一个账号(随机密码只显示一次)。

    Create a demo database: the packs under policies/ published, a generated park,
    one account per role with a random password shown once, and stored match results.
    """
    lg = _lang(lang)
    day = _as_of(as_of)
    from huiqi.settings import get_settings

    url = database or get_settings().database_url
    target = sqlite_file(url)
    if target is None or target.exists():
        with _platform(database) as platform:
            _demo(platform, lg, day, enterprises, seed, policies, logins)
        return
    # a new SQLite file is built aside and put in place only once complete: an interrupted
    # init-demo (or first make demo) leaves no half-made database behind to be served
    partial = target.with_name(target.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    with owner_only():  # the folder too is its owner's alone (huiqi.files)
        partial.parent.mkdir(parents=True, exist_ok=True)
    with _platform(f"sqlite:///{partial}") as platform:
        _demo(platform, lg, day, enterprises, seed, policies, logins, shown_url=url)
    os.replace(partial, target)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database, or one in memory)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if not u.drivername.startswith("sqlite") or u.database in (None, "", ":memory:"):
        return None
    return Path(u.database)


def _demo(platform: Platform, lg: Lang, day: dt.date, enterprises: int, seed: int,
          policies: Path | None, logins: Path | None = None, shown_url: str | None = None
          ) -> None:
    from huiqi.settings import get_settings

    settings = platform.settings
    _demo_allowed(platform)
    console = _console()
    ctx = platform.as_actor(_operator())
    folder = policies or settings.policies
    published = _demo_packs(ctx, lg, folder, console)
    # the example packs beside the policies (examples/packs: a pack declaring its own facts),
    # published too so that the demo shows them; matched after the demo enterprise is chosen
    examples = folder.resolve().parent / "examples" / "packs"
    shown = _demo_packs(ctx, lg, examples, console) if examples.is_dir() else []
    _demo_enterprises(ctx, enterprises, seed, day, console)
    _demo_runs(ctx, published, day, console)
    first = _richest(platform) or _first_entity(platform)
    decided = _demo_decisions(platform, ctx, first, published + shown, console)
    _demo_runs(ctx, [k for k in published if k in decided] + shown, day, console)
    rows, panel = _demo_accounts(ctx, lg, first)
    _demo_areas(platform, ctx, day, panel, first, published, console)
    _demo_pages(ctx, first, published)
    _demo_logins_table(console, rows)
    _demo_cases(platform, first, console)
    from huiqi.push import demo as push_demo

    pushed = push_demo.populate(platform, first)
    console.print(f"[green]✓[/green] 推送 / push: {pushed.messages} messages, "
                  f"{pushed.deliveries} deliveries, {pushed.subscriptions} subscriptions")
    if first:
        console.print(f"demo_enterprise → {first}")
    if logins is not None:
        _write_logins(logins, rows, first)
    url = shown_url or settings.database_url
    if url == get_settings().database_url:
        console.print("→ huiqi serve", markup=False)
    else:
        console.print(f"→ huiqi serve --database {safe_url(url)}", markup=False)


def _demo_allowed(platform: Platform) -> None:
    """Demo data only outside production, and only into a database without accounts."""
    from huiqi.store.models import Account

    settings = platform.settings
    if settings.env == "production":
        raise UsageError(message("demo.production"))
    with platform.db.read() as s:
        if s.query(Account).count():
            where = safe_url(settings.database_url)
            raise UsageError(Text(f"数据库 {where} 已有账号;演示数据请用新的数据库",
                                  f"{where} already has accounts; use a new database for demo "
                                  "data"))


def _pack_key(root: Path) -> str:
    """A pack folder's id (its pack.yaml's ``id``, or the folder's name)."""
    import yaml

    try:
        meta = yaml.safe_load((root / "pack.yaml").read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return root.name
    return str(meta.get("id") or root.name)


def _demo_packs(ctx: Context, lg: Lang, where: Path, console: Any) -> list[str]:
    """Upload and publish every pack found; the keys published (one failing its checks
    stays a draft, said in red)."""
    from huiqi.errors import PackError
    from huiqi.packs.files import read_folder
    from huiqi.rules.loader import find_packs
    from huiqi.service import policies as svc

    published: list[str] = []
    for root in find_packs(where):
        if not root.is_dir():
            continue
        key = _pack_key(root)
        v = svc.upload(ctx, key, read_folder(root), note="init-demo")
        try:
            svc.publish(ctx, key, v.number)
        except PackError as exc:
            console.print(f"[red]✗ {exc.message(lg)}[/red]")
            continue
        published.append(key)
        console.print(f"[green]✓[/green] {key} #{v.number}")
    return published


def _demo_enterprises(ctx: Context, enterprises: int, seed: int, day: dt.date,
                      console: Any) -> None:
    """Generate the park's enterprises and import them (audited), with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from huiqi import generator
    from huiqi.registry.imports import import_enterprises
    from huiqi.service.audit import record
    from huiqi.service.catalogue import platform_catalogue

    platform = ctx.platform
    cat = platform_catalogue(ctx)  # the generated park holds the published packs' own facts
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console) as bar:
        task = bar.add_task("生成并写入企业 / enterprises", total=enterprises)
        ents = generator.enterprises(enterprises, seed, day, cat)
        import_enterprises(platform.db, cat, ents, by=ctx.actor.username, at=platform.now(),
                           source="generator", display=f"generator seed={seed} n={enterprises}",
                           batch_rows=1000,
                           progress=lambda _p, n, _s: bar.update(task, completed=n),
                           audit=lambda s, r: _audit(record(s, ctx, "import", target="generator",
                                                            after={"rows": r.rows})))


def _demo_runs(ctx: Context, published: list[str], day: dt.date, console: Any) -> None:
    from huiqi.service import matching

    for key in published:
        run = matching.run(ctx, key, day)
        console.print(f"[green]✓[/green] {key}: {run.results} results / 条结果 ({run.as_of})")


def _demo_decisions(platform: Platform, ctx: Context, first: str | None, packs: list[str],
                    console: Any) -> list[str]:
    """Review decisions in every state (passed, failed, a score missing, not reviewed) on
    the conditions a person judges; the packs with such conditions (to be matched again)."""
    from sqlalchemy import select

    from huiqi.service import decisions
    from huiqi.store.models import Entity

    if first is None:
        return []
    with platform.db.read() as s:
        others = list(s.scalars(select(Entity.credit_code).where(
            Entity.kind == "enterprise", Entity.credit_code != first)
            .order_by(Entity.credit_code).limit(2)))
    judged = [k for k, _title, _n in decisions.packs(ctx) if k in packs]
    n = decisions.demo(ctx, judged, [first, *others])
    console.print(f"[green]✓[/green] 人工审核 / review decisions: {n}")
    return judged


def _first_entity(platform: Platform) -> str | None:
    from sqlalchemy import select

    from huiqi.store.models import Entity

    with platform.db.read() as s:
        return s.scalar(select(Entity.credit_code).order_by(Entity.id).limit(1))


def _demo_accounts(ctx: Context, lg: Lang, first: str | None
                   ) -> tuple[list[tuple[str, str, str]], list[str]]:
    """One account of each role (the case officer of the demo enterprise's district), a
    second case officer of the district a demo move waits to enter, and a review panel of
    five; the rows to show (passwords once) and the panel."""
    from huiqi.cases.demo import AWAITING_ADMISSION
    from huiqi.service import accounts
    from huiqi.service.permissions import Role

    home = _district_of(ctx.platform, first)
    rows = []
    for role in Role:
        password = _password()
        accounts.create(ctx, f"demo_{role.value}", f"演示{role.label.zh}", role, password,
                        first if role is Role.ENTERPRISE else None,
                        district=home if role is Role.CASE_OFFICER else None)
        rows.append((f"demo_{role.value}", role.label.get(lg), password))
    password = _password()
    accounts.create(ctx, "demo_case_officer2", f"演示代办员({AWAITING_ADMISSION})",
                    Role.CASE_OFFICER, password, district=AWAITING_ADMISSION)
    rows.append(("demo_case_officer2", f"{Role.CASE_OFFICER.label.get(lg)} {AWAITING_ADMISSION}",
                 password))
    panel = ["demo_reviewer"]
    for n in range(2, 6):
        password = _password()
        accounts.create(ctx, f"demo_reviewer{n}", f"演示评审专家{n}", Role.REVIEWER, password)
        rows.append((f"demo_reviewer{n}", Role.REVIEWER.label.get(lg), password))
        panel.append(f"demo_reviewer{n}")
    return rows, panel


def _district_of(platform: Platform, code: str | None) -> str | None:
    from sqlalchemy import select

    from huiqi.store.models import Entity

    with platform.db.read() as s:
        return s.scalar(select(Entity.district).where(Entity.credit_code == (code or "")))


def _demo_areas(platform: Platform, ctx: Context, day: dt.date, panel: list[str],
                first: str | None, published: list[str], console: Any) -> None:
    """The programmes and vouchers (on the seed pack), the evaluation and the market."""
    def say(line: str) -> None:
        console.print(line, markup=False)

    if "seed" in published:
        from huiqi.programmes import demo as programmes_demo
        from huiqi.vouchers import demo as vouchers_demo

        programmes_demo.create(platform, day, panel, first, say)
        vouchers_demo.create(platform, day, panel, first, say)
    from huiqi.analytics import demo as analytics_demo

    made = analytics_demo.populate(ctx, day, first)
    console.print(f"[green]✓[/green] 园区评价 / evaluation: {made.parks} parks, {made.figures} "
                  f"figures, home park rank {made.home_rank}; 供需对接 / market: "
                  f"{made.listings} listings, {made.matches} matches")


def _demo_logins_table(console: Any, rows: list[tuple[str, str, str]]) -> None:
    from rich.table import Table

    t = Table(title="演示账号(密码只显示这一次)/ demo accounts (passwords shown once)")
    for col in ("用户名 / user", "角色 / role", "密码 / password"):
        t.add_column(col)
    for r in rows:
        t.add_row(*r)
    console.print(t)


def _demo_cases(platform: Platform, first: str | None, console: Any) -> None:
    """The service cases of the demo (issue 14), for the demo enterprise and 19 others."""
    from sqlalchemy import select

    from huiqi.cases import demo
    from huiqi.store.models import Entity

    with platform.db.read() as s:
        others = list(s.scalars(select(Entity.credit_code).where(
            Entity.kind == "enterprise", Entity.credit_code != (first or ""))
            .order_by(Entity.credit_code).limit(19)))
    codes = ([first] if first else []) + others
    if not codes:
        return
    counts = demo.seed(platform, codes)
    fired = demo.fire_due(platform)
    console.print(f"[green]✓[/green] 服务事项 / cases: {counts} ({fired} timers fired)")


#: The officers' 解读 the demo's policy library shows.
DEMO_NOTES = {
    ("seed", "xm-torch-voucher"): "在厦门火炬高新区注册的企业,可以每年申领火炬创新券,用于购买园区认定的"
    "服务平台(如工业仿真中心)的研发服务。\n额度按企业类别核定;券在当年有效,过期作废。\n"
    "准备:营业执照、上年度财务报表、与服务机构签订的服务合同。",
    ("national", "qsme"): "面向全国中小企业的创新型中小企业评价:按创新能力、成长性、专业化三类指标打分,"
    "60 分以上可获公告;满足直通条件之一(如有效期内的高新技术企业)可直接认定。\n"
    "每年随时可在省级平台提交自评。",
}


def _demo_pages(ctx: Context, enterprise: str | None, published: list[str]) -> None:
    """What the enterprise pages show in every state: values the demo enterprise gave (one
    waiting for staff, one confirmed, one rejected) and officers' 解读 in the library."""
    from huiqi.service import library, selfservice

    if enterprise:
        selfservice.demo(ctx, enterprise, "demo_enterprise")
    for (pack, policy), text in DEMO_NOTES.items():
        if pack in published:
            library.write_note(ctx, pack, policy, text)


def _richest(platform: Platform) -> str | None:
    """The enterprise the stored results pay the most: the demo's enterprise user sees
    clauses that fit, not an empty page."""
    from sqlalchemy import func, select

    from huiqi.store.models import Entity, MatchResult

    with platform.db.read() as s:
        return s.execute(select(Entity.credit_code)
                         .join(MatchResult, MatchResult.entity_id == Entity.id)
                         .where(MatchResult.status == "eligible", Entity.kind == "enterprise")
                         .group_by(Entity.credit_code)
                         .order_by(func.sum(MatchResult.amount).desc(), Entity.credit_code)
                         .limit(1)).scalar()


def _write_logins(path: Path, rows: list[tuple[str, str, str]], enterprise: str | None) -> None:
    """The demo logins as a small text file only its owner may read (a demo database's
    passwords, kept beside it so that ``make demo`` can show them again)."""
    from huiqi.files import write_private

    lines = ["演示账号 / demo logins (用户名 / user, 角色 / role, 密码 / password)"]
    lines += [f"  {u:<22} {r:<14} {p}" for u, r, p in rows]
    if enterprise:
        lines.append(f"  demo_enterprise → {enterprise}")
    write_private(path, "\n".join(lines) + "\n")


audit_app = typer.Typer(name="audit", no_args_is_help=True,
                        help="审计日志 / the audit log")
app.add_typer(audit_app)


@audit_app.command(name="verify")
@handles_errors
def audit_verify(database: DatabaseOpt = None,
                 lang: Annotated[str | None, typer.Option("--lang")] = None) -> None:
    """验证审计日志的哈希链,指出第一条被改动、删除或插入的记录(退出码 1)。

    Verify the audit log's hash chain: every entry against its content and the entry
    before it. Names the first entry changed, removed or inserted behind the service's
    back (exit code 1); changes nothing.
    """
    from huiqi.service import audit

    lg = _lang(lang)
    with _platform(database) as platform:
        verdict = audit.verify(platform.as_actor(_operator()))
    if verdict.ok:
        _console().print(f"[green]✓[/green] {audit.explain(verdict).get(lg)}")
        return
    from huiqi.cli.app import _error

    _error(audit.explain(verdict).get(lg))
    raise typer.Exit(1)


@app.command(name="import")
@handles_errors
def import_(file: Annotated[Path, typer.Argument(help="CSV 或 .xlsx 文件 / file")],
            mapping: Annotated[Path | None, typer.Option(help="列映射 YAML / mapping")] = None,
            database: DatabaseOpt = None, lang: Annotated[str | None, typer.Option("--lang")] = None
            ) -> None:
    """导入企业与年度数据(全部或全不;逐行检查;重复导入不改变任何数据)。

    Import entities and yearly facts from CSV or Excel: every row checked, all or nothing,
    streaming, with a progress bar; importing the same file again changes nothing.
    """
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    from huiqi.registry.columns import read_mapping
    from huiqi.service import imports

    lg = _lang(lang)
    if not file.is_file():
        from huiqi.errors import NotFoundError

        raise NotFoundError(Text("文件", "file"), str(file))
    mp = read_mapping(mapping) if mapping else None
    console = _console()
    with _platform(database) as platform, Progress(
            TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[rows]:,} 行 / rows"), console=console) as bar:
        ctx = platform.as_actor(_operator())
        tasks = {"check": bar.add_task("检查 / check", total=1.0, rows=0),
                 "write": bar.add_task("写入 / write", total=1.0, rows=0)}

        def progress(phase: str, n: int, share: float) -> None:
            bar.update(tasks[phase], completed=share, rows=n)

        report = imports.run(ctx, file, display=file.name, mapping=mp, progress=progress)
    if not report.changed:
        console.print("文件未带来任何变化 / nothing changed" if lg == "zh" else "nothing changed")
    console.print(f"✓ {report.file}: {report.rows:,} rows, +{report.entities_created:,} new, "
                  f"{report.entities_updated:,} updated, {report.facts_written:,} facts"
                  + (f" (import #{report.id})" if report.id else ""))


__all__ = ["audit_verify", "import_", "init_demo", "serve"]
