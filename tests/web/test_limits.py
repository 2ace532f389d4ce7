"""Limits on the pages: a zip bomb uploaded as a policy pack is refused as it unpacks, and a
body past the limit of its address is refused with a page that says so."""

from __future__ import annotations

import tracemalloc

import pytest

from bombs import zip_bomb
from huiqi.packs.files import read_folder
from huiqi.settings import Settings
from service_fixtures import make_settings

from .conftest import LANGUAGE, Site

MIB = 1024 * 1024


@pytest.fixture
def settings() -> Settings:
    return make_settings(request_max_kb=16, upload_max_mb=4)


def test_a_zip_bomb_policy_upload_is_refused_while_it_unpacks(site: Site) -> None:
    site.sign_in("policy_officer")
    data = zip_bomb(entries=20, size=8 * MIB)  # 160 KB that unpack to 160 MB
    tracemalloc.start()
    try:
        r = site.client.post("/staff/policies", data={"csrf": site.csrf(), "pack": "boom"},
                             files={"files": ("boom.zip", data, "application/zip")})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert r.status_code == 413 and "压缩炸弹" in r.text and "pack/0.yaml" in r.text
    assert peak < 24 * MIB, f"{peak / MIB:.0f} MB held while refusing"
    assert "boom" not in site.client.get("/staff/policies").text  # nothing stored


def test_a_body_past_the_limit_is_a_page_that_says_so(site: Site) -> None:
    r = site.client.post("/login", data={"username": "u_admin", "password": "x" * 40_000})
    assert r.status_code == 413 and "text/html" in r.headers["content-type"]
    assert "请求体过大" in r.text and "16 KB" in r.text
    site.sign_in("case_officer")
    big = b"id,name\n" + b"x" * (5 * MIB)
    r = site.client.post("/staff/imports", data={"csrf": site.csrf()},
                         files={"file": ("big.csv", big)})
    assert r.status_code == 413 and "请求体过大" in r.text and "4 MB" in r.text


def test_a_nul_in_a_form_field_is_a_page_that_says_so(site: Site) -> None:
    site.sign_in("policy_officer")
    r = site.client.post("/staff/policies", data={"csrf": site.csrf(), "pack": "language",
                                                  "note": "第二版\x00"},
                         files={"files": ("pack.yaml", b"id: language\n")})
    assert r.status_code == 422 and "“body.note”中含有不允许的空字符" in r.text


def test_a_drafts_file_page_checks_it_once_not_on_every_view(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    from huiqi.packs import versions

    loads: list[str] = []
    real = versions.load

    def counting(key: str, files: object, cat: object = None) -> object:
        loads.append(key)
        return real(key, files, cat)  # type: ignore[arg-type]

    monkeypatch.setattr(versions, "load", counting)
    site.sign_in("policy_officer")
    lang = dict(read_folder(LANGUAGE))
    draft = lang["lang.yaml"].decode().replace("rd_expense[-1]", "rd_expens[-1]", 1)
    r = site.client.post("/staff/policies/language/1/files/lang.yaml",
                         data={"content": draft, "csrf": site.csrf()})
    assert str(r.url).endswith("/staff/policies/language/2")
    loads.clear()
    for _ in range(3):
        page = site.client.get("/staff/policies/language/2/files/lang.yaml")
        assert page.status_code == 200 and "rd_expens" in page.text
    assert loads == ["language"]  # checked on the first view only
    checked = site.client.post("/staff/policies/language/2/check", data={"csrf": site.csrf()})
    assert checked.status_code == 422 and loads == ["language"]  # the same files, remembered


def test_a_billion_laughs_draft_is_refused_at_once(site: Site) -> None:
    from bombs import billion_laughs

    site.sign_in("policy_officer")
    r = site.client.post("/staff/policies/language/1/files/lang.yaml",
                         data={"content": billion_laughs(levels=6), "csrf": site.csrf()})
    assert str(r.url).endswith("/staff/policies/language/2")
    page = site.client.get("/staff/policies/language/2/files/lang.yaml")
    assert page.status_code == 200 and "YAML 别名展开过多" in page.text
