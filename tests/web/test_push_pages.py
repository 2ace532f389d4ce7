"""The unsubscribe link works without signing in and refuses a tampered token (pages)."""

from __future__ import annotations

from huiqi.push import service as push
from huiqi.push.schemas import SubscriptionSet

from .conftest import Site


def test_the_unsubscribe_link_works_signed_out_and_refuses_tampering(site: Site) -> None:
    sub = push.subscribe(site.world.ctx("admin"), site.world.own,
                         SubscriptionSet(channels=["email"], email="boss@firm.cn"))
    token = sub.unsubscribe.rsplit("/", 1)[1]
    site.sign_in(None)
    r = site.client.get(f"/unsubscribe/{token}")
    assert r.status_code == 200 and "确认退订" in r.text
    bad = site.client.post(f"/unsubscribe/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}",
                           data={"csrf": site.csrf()})
    assert 400 <= bad.status_code < 500
    assert push.subscription(site.world.ctx("admin"), site.world.own).active
    r = site.client.post(f"/unsubscribe/{token}", data={"csrf": site.csrf()})
    assert r.status_code == 200 and "已退订" in r.text
    assert not push.subscription(site.world.ctx("admin"), site.world.own).active
