"""The limiter on its own: a refused key is remembered in the process until its
Retry-After has passed, so a flooding client costs the shared store one round trip per
window, not one per request."""

from __future__ import annotations

import secrets

import pytest

from huiqi.errors import RateLimited
from huiqi.service.limiter import Limiter
from service_fixtures import REDIS_URL, clear_of_minute_turn, make_settings, redis_or_skip


@pytest.fixture(autouse=True)
def _clear_of_minute_turn() -> None:
    clear_of_minute_turn()


@pytest.mark.parametrize("storage", ["memory://", REDIS_URL])
def test_a_refused_address_is_refused_again_without_asking_the_store(storage: str) -> None:
    if storage.startswith("redis"):
        redis_or_skip()
    prefix = f"huiqi-test-{secrets.token_hex(4)}"
    limiter = Limiter(make_settings(rate_limit_storage=storage,
                                    rate_limit_anonymous_per_minute=2), prefix=prefix)
    limiter.hit("anonymous", "192.0.2.1")
    limiter.hit("anonymous", "192.0.2.1")
    with pytest.raises(RateLimited) as first:
        limiter.hit("anonymous", "192.0.2.1")
    assert 1 <= first.value.retry_after <= 60
    limiter.hit("anonymous", "192.0.2.2")  # another address is counted on its own
    # the store forgets everything: the refusal still holds, from the process's memory
    item = limiter.items["anonymous"]
    limiter._shared.clear(item, "anonymous", "192.0.2.1")
    with pytest.raises(RateLimited) as again:
        limiter.hit("anonymous", "192.0.2.1")
    assert again.value.retry_after <= first.value.retry_after
    # a rule set to 0 is off
    off = Limiter(make_settings(rate_limit_anonymous_per_minute=0))
    for _ in range(500):
        off.hit("anonymous", "192.0.2.1")
    if storage.startswith("redis"):
        import redis

        r = redis.Redis.from_url(storage)
        keys = list(r.scan_iter(f"{prefix}*"))
        if keys:
            r.delete(*keys)
