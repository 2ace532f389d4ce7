"""Benchmark of the one-enterprise fast path (issue 18): the seed pack, one enterprise at a
time — hand-written plain Python of the same rules (:mod:`bench.seedhand`), the straight-line
path (``Matcher.decide``: statuses, amounts, failed conditions, gaps, missing facts), the
full path (``Matcher.match``: the same, every value seen recorded for explanations) and one
clause's explanation built on demand (``explain_clause``), interleaved enterprise by
enterprise in one process so that the machine's load falls on all of them alike.

    .venv/bin/python -m bench.fastpath [--enterprises 2000] [--repeat 5] [--no-record]

Before timing, the straight path is checked to give what the full path gives (the API's
match without explanations, field by field) and the hand-written rules to give the same
statuses and amounts, on every enterprise (a third of them with every review decided, so
that reviews are exercised too). The objects built while setting up are set aside from the
garbage collector (``gc.freeze()``), as the server does after compiling its packs.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.machine import describe, record
from bench.seedhand import AS_OF, baseline
from huiqi.engine.explain import explain_clause
from huiqi.engine.matcher import Matcher
from huiqi.engine.serialize import pack_match_dict
from huiqi.facts.enterprise import Enterprise
from huiqi.generator import enterprises as generate
from huiqi.rules import ir
from huiqi.rules.loader import load_pack

SEED = Path(__file__).parents[1] / "policies" / "seed"


def with_reviews(m: Matcher, firms: list[Enterprise]) -> list[Enterprise]:
    """Every third enterprise with each review of the pack decided (yes, no, in turn)."""
    keys = [c.expr.key for cl in m.clauses for c in cl.spec.all_conditions()
            if isinstance(c.expr, ir.Review)]
    return [dataclasses.replace(e, reviews={k: (i + j) % 2 == 0 for j, k in enumerate(keys)})
            if i % 3 == 0 else e for i, e in enumerate(firms)]


def check(m: Matcher, firms: list[Enterprise]) -> int:
    """The fast path gives the full path's results and the hand rules its statuses and
    amounts; the number of clause results compared."""
    n = 0
    for e in firms:
        fast = m.decide(e)
        if pack_match_dict(fast, "seed") != pack_match_dict(m.match(e), "seed"):
            raise AssertionError(f"{e.id}: the fast path differs from the full path")
        want = baseline(e)
        for c in fast.clauses:
            if (c.status.value, c.amount) != want[c.key]:
                raise AssertionError(f"{e.id} {c.key}: engine {(c.status.value, c.amount)}, "
                                     f"by hand {want[c.key]}")
            n += 1
    return n


def interleaved(contenders: dict[str, Callable[[int, Enterprise], Any]],
                firms: list[Enterprise], repeat: int) -> dict[str, list[float]]:
    """Per contender, the median µs per enterprise of each repeat; every enterprise is run
    by each contender in turn before the next."""
    out: dict[str, list[float]] = {k: [] for k in contenders}
    fns = list(contenders.items())
    for _ in range(repeat):
        times: dict[str, list[int]] = {k: [] for k in contenders}
        for i, e in enumerate(firms):
            for name, fn in fns:
                t = time.perf_counter_ns()
                fn(i, e)
                times[name].append(time.perf_counter_ns() - t)
        for k, v in times.items():
            out[k].append(statistics.median(v) / 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--enterprises", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-record", action="store_true")
    args = ap.parse_args()
    m = Matcher(load_pack(SEED), AS_OF)
    firms = with_reviews(m, generate(args.enterprises, 0, AS_OF))
    compared = check(m, firms)
    keys = [c.key for c in m.clauses]
    contenders: dict[str, Callable[[int, Enterprise], Any]] = {
        "hand": lambda i, e: baseline(e),
        "fast": lambda i, e: m.decide(e),
        "full": lambda i, e: m.match(e),
        "explain": lambda i, e: explain_clause(m, e, keys[i % len(keys)]),
    }
    gc.collect()
    gc.freeze()
    load_before = os.getloadavg()[0]
    for i, e in enumerate(firms[:200]):  # warm up
        for fn in contenders.values():
            fn(i, e)
    us = interleaved(contenders, firms, args.repeat)
    load_after = os.getloadavg()[0]
    med = {k: statistics.median(v) for k, v in us.items()}
    hand = med["hand"]
    rows = [
        ("hand-written plain Python (bench/seedhand.py): statuses and amounts", "hand"),
        ("fast path, `Matcher.decide`: statuses, amounts, failed conditions, gaps, missing "
         "facts, reviews", "fast"),
        ("full path, `Matcher.match`: the same, every value seen recorded", "full"),
        ("one clause's explanation on demand, `explain_clause` (the fast path for the "
         "others, the full path and the explanation tree for that clause)", "explain"),
    ]
    lines = [
        "",
        f"## One enterprise, the seed pack: the fast path ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Machine: {describe(load=False)}; load average {load_before:.2f} before the timed "
        f"runs, {load_after:.2f} after (the machine is shared). Command: `python -m "
        f"bench.fastpath --enterprises {args.enterprises} --repeat {args.repeat}`. Pack: "
        f"policies/seed, {len(m.clauses)} clauses in force on {AS_OF}; enterprises "
        f"`huiqi.generator.enterprises(n, 0, {AS_OF})`, every third with each review decided. "
        f"Before timing, the fast path gave the full path's results (the API's match without "
        f"explanations) and the hand-written rules the same statuses and amounts on all "
        f"{compared:,} clause results. Each enterprise is run by every contender in turn "
        f"(interleaved); the objects of the set-up are frozen out of the garbage collector.",
        "",
        "| what (per enterprise) | median µs | × hand Python |",
        "|---|---:|---:|",
        *[f"| {label} | {med[k]:.1f} | {med[k] / hand:.2f} |" for label, k in rows],
        "",
        f"Medians of {args.repeat} repeats, each the median over the enterprises: "
        + "; ".join(f"{k} {', '.join(f'{x:.1f}' for x in v)}" for k, v in us.items()) + ". "
        f"Targets (issue 18): fast path ≤ 1.5× hand Python — "
        f"{'met' if med['fast'] <= 1.5 * hand else 'not met'} ({med['fast'] / hand:.2f}×); "
        f"one clause's explanation ≤ 300 µs — "
        f"{'met' if med['explain'] <= 300 else 'not met'} ({med['explain']:.0f} µs).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_record:
        record(text)


if __name__ == "__main__":
    main()
