"""Rate limits per client address and per account, counted by the `limits` library, in
requests per minute (a setting of 0 turns a rule off):

- ``anonymous``, per client address: requests without a sign-in, and refused sign-ins
  (a wrong, expired or signed-out token) — ``HUIQI_RATE_LIMIT_ANONYMOUS_PER_MINUTE``;
- ``calculator``, per client address: the public calculator's pages, signed in or not
  (the costliest) — ``HUIQI_RATE_LIMIT_CALCULATOR_PER_MINUTE``;
- ``login``, per client address: attempts to sign in — ``HUIQI_RATE_LIMIT_LOGIN_PER_MINUTE``;
- ``login_account``, per user name: failed attempts to sign in as that account —
  ``HUIQI_RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE``.

Each rule is a sliding window of one minute (``limits``' sliding-window counter: two
counters per key, no burst at the turn of a minute). The counters live in the process
(``HUIQI_RATE_LIMIT_STORAGE=memory://``, the embedded default: with several workers,
each counts on its own) or in Redis (``redis://host:6379/0``: shared by every worker
and machine, updated atomically by Lua scripts). If Redis cannot be reached, the process
counts on its own until it can again, and says so in the log: a limit is never lifted
because its store is down.

A refusal is :class:`~huiqi.errors.RateLimited` (HTTP 429 with ``Retry-After``). Once a
key is refused, the process remembers it until its ``Retry-After`` has passed and refuses
it again without asking the store: a client that floods costs one round trip to Redis per
window, not one per request (each round trip, made on the event loop, held up every other
request of the process: bench/RESULTS.md, anonymous load).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

from huiqi.errors import AuthenticationError, RateLimited
from huiqi.settings import Settings

if TYPE_CHECKING:
    from limits import RateLimitItem
    from limits.strategies import RateLimiter

    from .context import Platform

log = logging.getLogger("huiqi.limits")
RULES = ("anonymous", "calculator", "login", "login_account")
_KEY = ("limiter",)
_WARN_EVERY_S = 60.0
_REMEMBERED = 10_000  # refused keys remembered before the lapsed ones are dropped


class Limiter:
    """The rules of one settings, over one store (built once per process)."""

    def __init__(self, settings: Settings, prefix: str = "huiqi") -> None:
        from limits import RateLimitItemPerMinute
        from limits.storage import MemoryStorage, storage_from_string
        from limits.strategies import SlidingWindowCounterRateLimiter

        per_minute = {"anonymous": settings.rate_limit_anonymous_per_minute,
                      "calculator": settings.rate_limit_calculator_per_minute,
                      "login": settings.rate_limit_login_per_minute,
                      "login_account": settings.rate_limit_login_account_per_minute}
        self.items: dict[str, RateLimitItem] = {
            rule: RateLimitItemPerMinute(n, namespace=prefix) for rule, n in per_minute.items()
            if n > 0}
        self.uri = settings.rate_limit_storage
        options: dict[str, float | str | bool] = {}
        if not self.uri.startswith("memory"):
            options = {"key_prefix": prefix, "socket_timeout": 0.5,
                       "socket_connect_timeout": 0.5}
        storage = storage_from_string(self.uri, wrap_exceptions=True, **options)
        self._shared: RateLimiter = SlidingWindowCounterRateLimiter(storage)
        self._local: RateLimiter = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._warned = 0.0
        self._refused: dict[tuple[str, str], float] = {}  # until when (monotonic)

    def hit(self, rule: str, key: str) -> None:
        """Count one request under ``rule`` for ``key``; refuse it if that passes the limit."""
        self._check(rule, key, consume=True)

    def test(self, rule: str, key: str) -> None:
        """Refuse if the limit of ``rule`` for ``key`` is used up already (counts nothing)."""
        self._check(rule, key, consume=False)

    def remembered(self, rule: str, key: str) -> int | None:
        """Seconds until ``key`` may be let through again under ``rule``, if this process
        has refused it and that time has not passed (asks no store)."""
        if rule not in self.items:
            return None
        until = self._refused.get((rule, key))
        now = time.monotonic()
        return None if until is None or until <= now else max(1, math.ceil(until - now))

    def _check(self, rule: str, key: str, consume: bool) -> None:
        item = self.items.get(rule)
        if item is None:
            return
        from limits.errors import StorageError

        now = time.monotonic()
        until = self._refused.get((rule, key))
        if until is not None and now < until:
            raise RateLimited(max(1, math.ceil(until - now)))
        try:
            self._apply(self._shared, item, rule, key, consume)
        except RateLimited as exc:
            if len(self._refused) > _REMEMBERED:
                self._refused = {k: t for k, t in self._refused.items() if t > now}
            self._refused[(rule, key)] = now + exc.retry_after
            raise
        except StorageError as exc:
            now = time.monotonic()
            if now - self._warned > _WARN_EVERY_S:
                self._warned = now
                log.warning("rate limits counted in this process only: %s is unreachable (%s)",
                            self.uri.split("@")[-1], exc.storage_error)
            self._apply(self._local, item, rule, key, consume)  # refusals not remembered

    @staticmethod
    def _apply(limiter: RateLimiter, item: RateLimitItem, rule: str, key: str,
               consume: bool) -> None:
        ok = limiter.hit(item, rule, key) if consume else limiter.test(item, rule, key)
        if not ok:
            reset = limiter.get_window_stats(item, rule, key).reset_time
            raise RateLimited(max(1, math.ceil(reset - time.time())))


def of(platform: Platform) -> Limiter:
    """The platform's limiter (built at its first use)."""
    found = platform.cache.get(_KEY)
    if found is None:
        with platform.lock:
            found = platform.cache.get(_KEY)
            if found is None:
                found = platform.cache[_KEY] = Limiter(platform.settings)
    assert isinstance(found, Limiter)
    return found


def use(platform: Platform, limiter: Limiter) -> None:
    """Make ``limiter`` the platform's (tests: a Redis key prefix of their own)."""
    with platform.lock:
        platform.cache[_KEY] = limiter


def account_key(username: str) -> str:
    return username.strip().lower()[:64]


@contextmanager
def sign_in(platform: Platform, username: str, ip: str | None = None,
            route: str | None = None) -> Iterator[None]:
    """Around an attempt to sign in as ``username``: refused at once (and audited, in
    counted entries) while the account's failures are over its limit; a failure counts
    against it."""
    limiter = of(platform)
    key = account_key(username)
    try:
        limiter.test("login_account", key)
    except RateLimited:
        from .refusals import refused

        refused(platform, ip=ip, route=route, outcome="rate_limited",
                reason="rate.login_account", who=key)
        raise
    try:
        yield
    except AuthenticationError:
        with suppress(RateLimited):  # this failure is counted; the next attempt is refused
            limiter.hit("login_account", key)
        raise


__all__ = ["RULES", "Limiter", "account_key", "of", "sign_in", "use"]
