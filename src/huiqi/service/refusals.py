"""Refused anonymous requests, counted rather than written one by one.

An anonymous client that is refused again and again (no sign-in, a wrong or expired
token, too many requests) would otherwise add one audit entry per request, each under the
database's write lock. Instead, per client address × route × minute × outcome and reason:

- the first refusal is written at once (an entry with ``count`` 1), so a single refusal
  is in the log as before;
- the ones after it in that minute are counted in memory and written as one entry with
  their ``count`` once the minute is over.

So a client refused thousands of times a minute adds at most two entries a minute per
route and server process. While the server runs, its writer (:func:`flush`, every second,
in a worker thread) writes them: a refused request never waits for the database's write
lock on the event loop. Elsewhere (a script, a test) they are written as they come.
Counts not yet written are lost if the process is killed.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

from .audit import record
from .context import Context, Platform

_KEY = ("refusals",)
FLUSH_EVERY_S = 1.0


@dataclass(frozen=True)
class Refusal:
    """What refusals are counted together by."""

    ip: str | None
    route: str | None
    minute: dt.datetime
    outcome: str
    reason: str
    who: str


@dataclass
class Tally:
    """Refusals seen and not yet written, per :class:`Refusal`."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    seen: dict[Refusal, int] = field(default_factory=dict)
    fresh: list[Refusal] = field(default_factory=list)  # firsts the writer is to write
    writers: int = 0  # servers whose writer runs (:func:`flush` in the background)

    def note(self, r: Refusal) -> bool:
        """Count one; True if it is the first of its kind and no writer will write it."""
        with self.lock:
            n = self.seen.get(r)
            self.seen[r] = 0 if n is None else n + 1
            if n is None and self.writers:
                self.fresh.append(r)
                return False
            return n is None

    def take(self, before: dt.datetime | None
             ) -> tuple[list[Refusal], list[tuple[Refusal, int]]]:
        """The firsts not yet written, and the counts of the refusals after them in the
        minutes before ``before`` (all, if None), forgotten."""
        with self.lock:
            fresh, self.fresh = self.fresh, []
            done = [r for r in self.seen if before is None or r.minute < before]
            return fresh, [(r, n) for r in done if (n := self.seen.pop(r)) > 0]


def tally_of(platform: Platform) -> Tally:
    found = platform.cache.get(_KEY)
    if found is None:
        with platform.lock:
            found = platform.cache.setdefault(_KEY, Tally())
    assert isinstance(found, Tally)
    return found


def _minute(t: dt.datetime) -> dt.datetime:
    return t.replace(second=0, microsecond=0)


def refused(platform: Platform, *, ip: str | None, route: str | None, outcome: str,
            reason: str, who: str = "anonymous") -> None:
    """Audit one refusal of an anonymous request (see the module's docstring)."""
    r = Refusal(ip, route, _minute(platform.now()), outcome, reason, who[:64])
    tally = tally_of(platform)
    if tally.note(r):
        _write(platform, [(r, 1, reason)])
    if not tally.writers:
        flush(platform, before=r.minute)


def flush(platform: Platform, before: dt.datetime | None = None) -> int:
    """Write the first refusals not yet written and the counts of the minutes that are
    over (every count, if ``before`` is None: when the server stops); returns how many
    entries were written."""
    fresh, counted = tally_of(platform).take(before)
    due = [(r, 1, r.reason) for r in fresh] + [
        (r, n, f"{r.reason}; {n} more in the minute from {r.minute:%Y-%m-%d %H:%M} UTC")
        for r, n in counted]
    if due:
        _write(platform, due)
    return len(due)


def _write(platform: Platform, due: list[tuple[Refusal, int, str]]) -> None:
    """The entries, in one transaction (one wait for the write lock)."""
    with platform.db.write() as s:
        for r, count, detail in due:
            ctx = Context(platform, platform.system().actor, r.ip)
            record(s, ctx, "access", outcome=r.outcome, actor=r.who, target=r.route,
                   detail=detail, count=count)


__all__ = ["FLUSH_EVERY_S", "Refusal", "Tally", "flush", "refused", "tally_of"]
