"""The accounts page (issue 16, item 7): create (a password shown once), change the role,
reset, turn the second factor off, deactivate; the last active administrator protected."""

from __future__ import annotations

import re

from huiqi.service import accounts, sessions

from .conftest import Site


def test_an_administrator_manages_accounts_on_the_page(site: Site) -> None:
    site.sign_in("admin")
    page = site.client.get("/staff/accounts")
    assert page.status_code == 200 and "u_reviewer" in page.text and "未开启" in page.text
    assert 'href="/staff/accounts"' in page.text  # in the navigation
    made = site.client.post("/staff/accounts", data={
        "csrf": site.csrf(), "username": "zhang.san", "display_name": "张三",
        "role": "case_officer"})
    assert made.status_code == 201 and "仅显示这一次" in made.text
    m = re.search(r"<code data-password>([^<]+)</code>", made.text)
    assert m is not None and len(m.group(1)) >= 20  # a random first password
    first = m.group(1)
    assert sessions.login(site.platform, "zhang.san", first).actor.role.value == "case_officer"
    again = site.client.get("/staff/accounts")
    assert first not in again.text and "data-password" not in again.text  # once only
    taken = site.client.post("/staff/accounts", data={
        "csrf": site.csrf(), "username": "zhang.san", "display_name": "又一个", "role": "reviewer"})
    assert taken.status_code == 409 and "已被使用" in taken.text
    role = site.client.post("/staff/accounts/zhang.san", data={
        "csrf": site.csrf(), "action": "role", "role": "reviewer"})
    assert role.status_code == 200 and "已更改角色" in role.text
    reset = site.client.post("/staff/accounts/zhang.san", data={"csrf": site.csrf(),
                                                                "action": "reset"})
    m = re.search(r"<code data-password>([^<]+)</code>", reset.text)
    assert reset.status_code == 200 and m is not None and m.group(1) != first
    assert sessions.login(site.platform, "zhang.san", m.group(1)).actor.role.value == "reviewer"
    off = site.client.post("/staff/accounts/zhang.san", data={"csrf": site.csrf(),
                                                              "action": "deactivate"})
    assert off.status_code == 200 and "已停用" in off.text
    view = accounts.get(site.world.ctx("admin"), "zhang.san")
    assert not view.active and not view.totp_enabled
    # an administrator does not reset their own password here, and the last one stays
    own = site.client.post("/staff/accounts/u_admin", data={"csrf": site.csrf(), "action": "reset"})
    assert own.status_code == 422
    last = site.client.post("/staff/accounts/u_admin", data={"csrf": site.csrf(),
                                                             "action": "deactivate"})
    assert last.status_code == 409 and accounts.get(site.world.ctx("admin"), "u_admin").active
    assert site.client.post("/staff/accounts/nobody", data={
        "csrf": site.csrf(), "action": "unlock"}).status_code == 404


def test_only_administrators_open_the_accounts_page(site: Site) -> None:
    for role in ("policy_officer", "leadership", "enterprise"):
        site.sign_in(role)
        assert site.client.get("/staff/accounts").status_code == 403
