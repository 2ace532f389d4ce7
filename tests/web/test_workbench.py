"""The 工作台 with the officer's to-do counts (issue 16, item 7)."""

from __future__ import annotations

import re

from huiqi.packs.files import read_folder
from huiqi.service import policies

from .conftest import LANGUAGE, Site


def _count(html: str, key: str) -> int:
    m = re.search(rf'data-todo="{key}">.*?<div class="kpi" data-count>([\d,]+)<', html, re.S)
    assert m is not None, key
    return int(m.group(1).replace(",", ""))


def test_the_console_counts_what_waits_for_each_person(site: Site) -> None:
    policies.upload(site.world.ctx("policy_officer"), "language", read_folder(LANGUAGE), "修订")
    site.sign_in("admin")
    page = site.client.get("/staff").text
    assert _count(page, "review") == 1 and _count(page, "mine") == 0
    assert 'href="/staff/policies/language/2/diff"' in page
    assert _count(page, "no_totp") >= 4 and _count(page, "locked") == 0
    site.sign_in("policy_officer")
    page = site.client.get("/staff").text
    assert _count(page, "mine") == 1 and _count(page, "review") == 0  # not their own
    assert 'data-todo="locked"' not in page and 'data-todo="denied"' not in page
    site.client.get("/staff/audit")  # refused
    site.sign_in("admin")
    assert _count(site.client.get("/staff").text, "denied") >= 1
    site.sign_in("leadership")
    page = site.client.get("/staff").text
    assert "待办" not in page or 'data-todo="review"' not in page
