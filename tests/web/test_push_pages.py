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


def test_a_user_sets_their_own_subscription_in_the_pages(site: Site) -> None:
    site.sign_in("enterprise")
    r = site.client.get("/inbox/settings/mine")
    assert r.status_code == 200 and "我的订阅" in r.text and 'name="programme"' in r.text
    r = site.client.post("/inbox/settings/mine", data={
        "csrf": site.csrf(), "channels": "email", "email": "me@firm.cn",
        "programme": "gl-2025、nb-cert", "quiet_from": "22", "quiet_until": "8",
        "digest": "weekly", "active": "on"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/inbox/settings/mine?saved=true"
    me = site.world.ctx("enterprise")
    sub = push.my_subscription(me, site.world.own)
    assert (sub.email, sub.topics, sub.digest, sub.quiet_from) == (
        "me@firm.cn", {"programme": ["gl-2025", "nb-cert"]}, "weekly", 22)
    assert push.subscription(me, site.world.own).unsubscribe == ""  # the enterprise's: none
    r = site.client.get("/inbox/settings/mine?saved=true")
    assert 'value="gl-2025, nb-cert"' in r.text and "/unsubscribe/" in r.text
