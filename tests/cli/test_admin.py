"""``huiqi admin create`` and ``huiqi admin reset``: the operator's way back in, audited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from huiqi.cli.app import app
from huiqi.errors import AuthenticationError
from huiqi.service import sessions
from huiqi.service.audit import AuditQuery, entries
from huiqi.service.context import Platform
from huiqi.store.database import Database
from service_fixtures import BACKENDS, CHEAP_HASHING, Backend, drop_backend, make_settings, new_backend

NEW = "Operator-Chosen-Pass-4"


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    b: Backend = new_backend(request.param, tmp_path, "admin")
    yield b.url if b.name == "sqlite" else b.url + "?options=" + quote(b.connect_args["options"])
    drop_backend(b)


@pytest.fixture
def platform(url: str) -> Iterator[Platform]:
    """The platform on the database the commands change, hashing as they do (the tests'
    cheap argon2 parameters: what is shown here is who gets in, not what a hash costs)."""
    db = Database.connect(url)
    yield Platform(db, make_settings())
    db.dispose()


def _run(*args: str, input: str | None = None) -> tuple[int, str]:
    r = CliRunner().invoke(app, list(args), input=input, env={"HUIQI_LANG": "zh",
                                                              "COLUMNS": "200", **CHEAP_HASHING})
    return r.exit_code, r.output


def test_admin_create_asks_for_the_password_twice(url: str, platform: Platform) -> None:
    code, out = _run("admin", "create", "ops", "--database", url, input=f"{NEW}\nother\n")
    assert code != 0  # the two entries differ
    code, out = _run("admin", "create", "ops", "--database", url, input=f"{NEW}\n{NEW}\n")
    assert code == 0, out
    assert NEW not in out  # a typed password is never echoed
    si = sessions.login(platform, "ops", NEW)
    assert si.actor.role.value == "admin"
    _, rows = entries(platform.system(), AuditQuery(action="account.create", target="ops"))
    assert rows[0].actor.startswith("cli:")


def test_admin_create_refuses_a_weak_password(url: str) -> None:
    code, out = _run("admin", "create", "ops", "--database", url, input="short\nshort\n")
    assert code == 2 and "至少 12 个字符" in out


def test_admin_reset_brings_a_locked_out_administrator_back(url: str,
                                                            platform: Platform) -> None:
    code, out = _run("admin", "create", "ops", "--database", url, "--generate")
    assert code == 0, out
    first = re.search(r"shown once\): (\S+)", out)
    assert first is not None and len(first.group(1)) >= 20
    token = sessions.login(platform, "ops", first.group(1)).token
    for _ in range(platform.settings.login_max_failures):
        with pytest.raises(AuthenticationError):
            sessions.login(platform, "ops", "guess")
    code, out = _run("admin", "reset", "ops", "--database", url, "--totp-off",
                     input=f"{NEW}\n{NEW}\n")
    assert code == 0, out
    with pytest.raises(AuthenticationError):  # the sessions of the old password end
        sessions.authenticate(platform, token)
    assert sessions.login(platform, "ops", NEW)  # unlocked
    _, rows = entries(platform.system(), AuditQuery(action="account.update", target="ops"))
    assert rows[0].actor.startswith("cli:") and rows[0].after["password"] == "changed"


def test_admin_reset_of_an_unknown_account(url: str) -> None:
    code, out = _run("admin", "reset", "ghost", "--database", url, "--generate")
    assert code == 2 and "ghost" in out
