"""Policy simulation: what a reform costs, and who gains and who loses.

The baseline is matched once (or its results reused); the reform matches only the
clauses it touches (:mod:`huiqi.population.reform`). Per enterprise, the change is the
reform's payable total over those clauses minus the baseline's. The report counts who
gains, loses, newly qualifies and drops out, gives the cost change in total and by
industry, size band and district, and the largest individual changes — as tables, CSV
files (safe to open in Excel: :mod:`huiqi.cells`) and a chart (PNG and HTML).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from huiqi.cells import csv_writer
from huiqi.rules.model import Pack

from .comparison import LARGEST, Change, Comparison, in_order, ranked, transitions
from .reform import Reform
from .results import relation
from .runner import Runner, count_rows
from .summary import dimensions_sql

Progress = Callable[[int], None]


def simulate(reform: Reform, population: Path, as_of: dt.date, workdir: Path,
             baseline_results: Path | None = None, batch_size: int = 100_000,
             progress: Progress | None = None, threads: int | None = None) -> Comparison:
    """Run the baseline (unless its results are given) and the reform; compare them."""
    workdir.mkdir(parents=True, exist_ok=True)
    base_pack: Pack = reform.baseline
    affected_base = [c for c in base_pack.clauses()
                     if c.key in set(reform.affected) | set(reform.removed)]
    if baseline_results is None:
        baseline_results = workdir / "baseline.parquet"
        Runner(base_pack, as_of, threads=threads).run(population, baseline_results, batch_size,
                                                     progress, summarize=False)
    reform_results = workdir / "reform.parquet"
    reform_clauses = [c for c in reform.pack.clauses() if c.key in set(reform.affected)]
    Runner(reform.pack, as_of, threads=threads, clauses=reform_clauses).run(
        population, reform_results, batch_size, progress, summarize=False)
    keys = sorted({c.key for c in affected_base} | {c.key for c in reform_clauses})
    return compare(reform, population, as_of, baseline_results, reform_results, keys)


def compare(reform: Reform, population: Path, as_of: dt.date, baseline: Path, reformed: Path,
            keys: list[str]) -> Comparison:
    con = duckdb.connect()
    cols = [r[0] for r in con.execute(
        f"DESCRIBE SELECT * FROM read_parquet('{population.as_posix()}')").fetchall()]
    con.execute(f"CREATE VIEW enterprises AS SELECT * FROM read_parquet('{population.as_posix()}')")
    con.execute(f"CREATE TABLE dims AS {dimensions_sql(cols, as_of)}")
    base = relation(con, baseline, "baseline", keys)   # only the clauses compared
    new = relation(con, reformed, "reformed")
    con.execute(f"""
        CREATE TABLE per_clause AS
        SELECT coalesce(b.enterprise_id, r.enterprise_id) AS enterprise_id,
               coalesce(b.clause, r.clause) AS clause,
               coalesce(b.status, 'absent') AS status_b, coalesce(r.status, 'absent') AS status_r,
               coalesce(b.amount, 0) AS amount_b, coalesce(r.amount, 0) AS amount_r
        FROM {base} b FULL JOIN {new} r
        ON b.enterprise_id = r.enterprise_id AND b.clause = r.clause""")
    con.execute("""
        CREATE TABLE per_firm AS
        SELECT enterprise_id, sum(amount_b) AS before, sum(amount_r) AS after,
               bool_or(status_b = 'eligible') AS qualified_b,
               bool_or(status_r = 'eligible') AS qualified_r
        FROM per_clause GROUP BY enterprise_id""")
    out = Comparison(reform=reform.id, title=reform.title, as_of=as_of,
                     baseline_version=reform.baseline.version_id,
                     reform_version=reform.pack.version_id, entities=count_rows(population),
                     clauses=keys)
    row = con.execute("""
        SELECT count_if(after > before), count_if(after < before),
               count_if(qualified_r AND NOT qualified_b), count_if(qualified_b AND NOT qualified_r),
               coalesce(sum(before), 0), coalesce(sum(after), 0) FROM per_firm""").fetchone()
    assert row is not None
    out.gainers, out.losers, out.newly_qualify, out.drop_out = (int(x) for x in row[:4])
    out.cost_before, out.cost_after = Decimal(row[4]), Decimal(row[5])
    for dim in ("industry", "size_band", "district"):
        out.by[dim] = ranked(Change(str(v), Decimal(b), Decimal(a), int(g), int(lo))
                             for v, b, a, g, lo in con.execute(f"""
            SELECT d.{dim}, coalesce(sum(f.before), 0), coalesce(sum(f.after), 0),
                   count_if(f.after > f.before), count_if(f.after < f.before)
            FROM per_firm f JOIN dims d ON f.enterprise_id = d.id GROUP BY 1""").fetchall())
    out.by_clause = in_order((Change(c, Decimal(b), Decimal(a), int(g), int(lo), int(eb), int(ea))
                              for c, b, a, g, lo, eb, ea in con.execute("""
        SELECT clause, sum(amount_b), sum(amount_r), count_if(amount_r > amount_b),
               count_if(amount_r < amount_b), count_if(status_b = 'eligible'),
               count_if(status_r = 'eligible')
        FROM per_clause GROUP BY clause""").fetchall()), keys)
    out.largest = [(eid, name or "", Decimal(b), Decimal(a)) for eid, name, b, a in con.execute(f"""
        SELECT f.enterprise_id, {'e.name' if 'name' in cols else 'NULL'}, f.before, f.after
        FROM per_firm f JOIN enterprises e ON f.enterprise_id = e.id
        WHERE f.after <> f.before ORDER BY abs(f.after - f.before) DESC, f.enterprise_id
        LIMIT {LARGEST}""").fetchall()]
    out.transitions = transitions({(c, b, r): int(k) for c, b, r, k in con.execute("""
        SELECT clause, status_b, status_r, count(*) FROM per_clause WHERE status_b <> status_r
        GROUP BY ALL""").fetchall()})
    con.close()
    return out


# ---------------------------------------------------------------------- outputs


def write_csv(rep: Comparison, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    p = folder / "summary.csv"
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv_writer(fh)
        w.writerow(["reform", "as_of", "baseline_version", "reform_version", "enterprises",
                    "gainers", "losers", "newly_qualify", "drop_out", "cost_baseline",
                    "cost_reform", "cost_change"])
        w.writerow([rep.reform, rep.as_of, rep.baseline_version, rep.reform_version,
                    rep.entities, rep.gainers, rep.losers, rep.newly_qualify, rep.drop_out,
                    rep.cost_before, rep.cost_after, rep.cost_change])
    out.append(p)
    for dim, rows in rep.by.items():
        p = folder / f"by_{dim}.csv"
        with p.open("w", newline="", encoding="utf-8") as fh:
            w = csv_writer(fh)
            w.writerow([dim, "cost_baseline", "cost_reform", "cost_change", "gainers", "losers"])
            for c in rows:
                w.writerow([c.key, c.before, c.after, c.change, c.gainers, c.losers])
        out.append(p)
    p = folder / "largest_changes.csv"
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv_writer(fh)
        w.writerow(["enterprise_id", "name", "before", "after", "change"])
        for eid, name, b, a in rep.largest:
            w.writerow([eid, name, b, a, a - b])
    out.append(p)
    return out


def write_chart(rep: Comparison, folder: Path, labels: dict[str, str] | None = None,
                labels_en: dict[str, str] | None = None) -> tuple[Path, Path]:
    """A bar chart of the cost change by industry: PNG, and an HTML page with it as SVG.

    The SVG keeps its text as text, so the browser draws the Chinese labels; the PNG uses
    the Chinese labels when a CJK font is installed and the English ones otherwise.
    """
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    labels = labels or {}
    labels_en = labels_en or labels
    rows = rep.by_industry[:12]
    change = [float(c.change / 10000) for c in rows]  # 万元, for drawing only
    cjk = [f.name for f in font_manager.fontManager.ttflist
           if any(k in f.name for k in ("Noto Sans CJK", "Noto Sans SC", "WenQuanYi", "Source Han",
                                        "SimHei", "Droid Sans Fallback"))]

    def draw(names: list[str], title: str, unit: str) -> Any:
        import warnings

        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
        colors = ["#2e7d32" if c >= 0 else "#c62828" for c in change]
        ax.barh(names[::-1], change[::-1], color=colors[::-1])
        ax.axvline(0, color="#555", linewidth=0.8)
        ax.set_title(title)
        ax.set_xlabel(unit)
        fig.tight_layout()
        return fig

    folder.mkdir(parents=True, exist_ok=True)
    zh_names = [labels.get(c.key, c.key) for c in rows]
    en_names = [labels_en.get(c.key, c.key) for c in rows]
    with plt.rc_context({"svg.fonttype": "none",
                         "font.sans-serif": [*cjk[:1], "DejaVu Sans"]}):
        if cjk:
            fig = draw(zh_names, f"{rep.title.zh}:各行业成本变化(万元)", "万元")
        else:
            fig = draw(en_names, f"{rep.title.en}: cost change by industry (10k yuan)",
                       "10k yuan")
        png = folder / "cost_by_industry.png"
        fig.savefig(png)
        plt.close(fig)
        fig = draw(zh_names, f"{rep.title.zh}:各行业成本变化(万元)", "万元")
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        plt.close(fig)
    page = folder / "report.html"
    rows_html = "".join(
        f"<tr><td>{html.escape(labels.get(c.key, c.key))}</td><td>{c.before:,.2f}</td>"
        f"<td>{c.after:,.2f}</td><td>{c.change:,.2f}</td><td>{c.gainers}</td>"
        f"<td>{c.losers}</td></tr>" for c in rows)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    page.write_text(
        "<!doctype html><html lang='zh'><meta charset='utf-8'>"
        f"<title>{html.escape(rep.title.zh)}</title>"
        "<style>body{font-family:'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;"
        "margin:2rem;max-width:60rem}svg text{font-family:inherit}"
        "table{border-collapse:collapse}td,th{padding:.3rem .6rem;border-bottom:1px solid #ddd;"
        "text-align:right}td:first-child,th:first-child{text-align:left}</style>"
        f"<h1>{html.escape(rep.title.zh)} <small>({html.escape(rep.reform)})</small></h1>"
        f"<p>评估日期 {rep.as_of} · 企业 {rep.entities:,} · 受益 {rep.gainers:,} · 受损 "
        f"{rep.losers:,} · 新符合 {rep.newly_qualify:,} · 不再符合 {rep.drop_out:,}</p>"
        f"<p>成本 ¥{rep.cost_before:,.2f} → ¥{rep.cost_after:,.2f}(变化 "
        f"¥{rep.cost_change:,.2f})</p>" + svg +
        "<table><tr><th>行业</th><th>改革前</th><th>改革后</th><th>变化</th><th>受益</th>"
        f"<th>受损</th></tr>{rows_html}</table></html>", encoding="utf-8")
    return png, page


def report_dict(rep: Comparison) -> dict[str, Any]:
    return {
        "reform": rep.reform, "title": rep.title.zh, "as_of": rep.as_of.isoformat(),
        "baseline_version": rep.baseline_version, "reform_version": rep.reform_version,
        "enterprises": rep.entities, "affected_clauses": rep.clauses,
        "gainers": rep.gainers, "losers": rep.losers, "newly_qualify": rep.newly_qualify,
        "drop_out": rep.drop_out, "cost_baseline": str(rep.cost_before),
        "cost_reform": str(rep.cost_after), "cost_change": str(rep.cost_change),
        "by": {d: [{"value": c.key, "before": str(c.before), "after": str(c.after),
                    "gainers": c.gainers, "losers": c.losers} for c in rows]
               for d, rows in rep.by.items()},
        "by_clause": [{"clause": c.key, "before": str(c.before), "after": str(c.after),
                       "eligible_before": c.eligible_before, "eligible_after": c.eligible_after}
                      for c in rep.by_clause],
        "largest": [{"enterprise_id": e, "name": n, "before": str(b), "after": str(a)}
                    for e, n, b, a in rep.largest],
        "clause_changes": [{"clause": c, "from": b, "to": r, "count": k}
                           for c, b, r, k in rep.transitions],
    }
