"""Signing in: argon2id hashes, expiring tokens, lockout, TOTP, the password policy."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import select

from huiqi.errors import AuthenticationError, InputError
from huiqi.service import accounts, sessions
from huiqi.service.audit import AuditQuery, entries
from huiqi.service.context import Context, Platform
from huiqi.service.permissions import Role
from huiqi.store.models import Account, AuthSession
from service_fixtures import PASSWORD, Clock


@pytest.fixture
def alice(system: Context) -> str:
    accounts.create(system, "alice", "Alice", Role.POLICY_OFFICER, PASSWORD)
    return "alice"


def _audit(system: Context, action: str) -> list[tuple[str, str]]:
    _, rows = entries(system, AuditQuery(action=action, limit=500))
    return [(e.actor, e.outcome) for e in reversed(rows)]


def test_passwords_are_stored_as_argon2id(platform: Platform, alice: str) -> None:
    with platform.db.read() as s:
        stored = s.scalar(select(Account.password_hash).where(Account.username == alice))
    assert stored is not None and stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_login_gives_a_token_that_expires(platform: Platform, clock: Clock, alice: str) -> None:
    si = sessions.login(platform, alice, PASSWORD)
    assert sessions.authenticate(platform, si.token).username == alice
    assert (si.expires_at - clock.now).total_seconds() == 60 * platform.settings.session_ttl_minutes
    with platform.db.read() as s:  # only the token's HMAC is stored
        assert s.scalar(select(AuthSession.token_hash)) != si.token
    clock.advance(minutes=platform.settings.session_ttl_minutes)
    with pytest.raises(AuthenticationError) as exc:
        sessions.authenticate(platform, si.token)
    assert exc.value.reason == "auth.expired"
    assert "过期" in exc.value.message("zh") and "expired" in exc.value.message("en")


def test_logout_ends_the_session(platform: Platform, alice: str) -> None:
    si = sessions.login(platform, alice, PASSWORD)
    sessions.logout(platform.as_actor(si.actor), si.token)
    with pytest.raises(AuthenticationError, match="注销"):
        sessions.authenticate(platform, si.token)


def test_wrong_password_and_unknown_user_read_the_same(platform: Platform, alice: str) -> None:
    with pytest.raises(AuthenticationError) as a:
        sessions.login(platform, alice, "wrong")
    with pytest.raises(AuthenticationError) as b:
        sessions.login(platform, "nobody", "wrong")
    assert a.value.message("zh") == b.value.message("zh") == "用户名或密码错误"


def test_lockout_after_repeated_failures(platform: Platform, clock: Clock, system: Context,
                                         alice: str) -> None:
    limit = platform.settings.login_max_failures
    for _ in range(limit - 1):
        with pytest.raises(AuthenticationError, match="用户名或密码错误"):
            sessions.login(platform, alice, "wrong")
    with pytest.raises(AuthenticationError) as exc:
        sessions.login(platform, alice, "wrong")
    assert exc.value.reason == "auth.locked"
    # while locked, even the right password is refused
    with pytest.raises(AuthenticationError, match="锁定"):
        sessions.login(platform, alice, PASSWORD)
    clock.advance(minutes=platform.settings.lockout_minutes, seconds=1)
    assert sessions.login(platform, alice, PASSWORD).actor.username == alice
    outcomes = [o for a, o in _audit(system, "login") if a == alice]
    assert outcomes == ["failed"] * (limit - 1) + ["locked", "locked", "ok"]


def test_an_administrator_can_unlock(platform: Platform, system: Context, alice: str) -> None:
    for _ in range(platform.settings.login_max_failures):
        with pytest.raises(AuthenticationError):
            sessions.login(platform, alice, "wrong")
    assert accounts.get(system, alice).locked
    accounts.update(system, alice, unlock=True)
    assert sessions.login(platform, alice, PASSWORD)


def test_totp_second_factor(platform: Platform, clock: Clock, alice: str) -> None:
    ctx = platform.as_actor(sessions.login(platform, alice, PASSWORD).actor)
    secret, uri = sessions.totp_begin(ctx)
    assert uri.startswith("otpauth://totp/") and secret in uri
    with pytest.raises(InputError):
        sessions.totp_confirm(ctx, "000000" if pyotp.TOTP(secret).at(clock.now) != "000000"
                              else "111111")
    sessions.totp_confirm(ctx, pyotp.TOTP(secret).at(clock.now))
    with pytest.raises(AuthenticationError) as exc:
        sessions.login(platform, alice, PASSWORD)
    assert exc.value.reason == "auth.totp_required"
    with pytest.raises(AuthenticationError) as exc:
        sessions.login(platform, alice, PASSWORD, totp="123456" if pyotp.TOTP(secret).at(
            clock.now) != "123456" else "654321")
    assert exc.value.reason == "auth.totp_invalid"
    clock.advance(seconds=90)
    assert sessions.login(platform, alice, PASSWORD, totp=pyotp.TOTP(secret).at(clock.now))


def _totp_on(platform: Platform, clock: Clock, username: str) -> str:
    ctx = platform.as_actor(sessions.login(platform, username, PASSWORD).actor)
    secret, _ = sessions.totp_begin(ctx)
    sessions.totp_confirm(ctx, pyotp.TOTP(secret).at(clock.now))
    return secret


def _stored_totp(platform: Platform, username: str) -> str | None:
    with platform.db.read() as s:
        return s.scalar(select(Account.totp_secret).where(Account.username == username))


def test_totp_keys_are_sealed_at_rest(platform: Platform, clock: Clock, alice: str) -> None:
    secret = _totp_on(platform, clock, alice)
    stored = _stored_totp(platform, alice)
    assert stored is not None and stored.startswith("v1:") and secret not in stored


def test_a_totp_key_stored_before_sealing_still_works_and_is_sealed_at_sign_in(
        platform: Platform, clock: Clock, alice: str) -> None:
    secret = pyotp.random_base32()
    with platform.db.write() as s:
        acc = s.scalars(select(Account).where(Account.username == alice)).one()
        acc.totp_secret, acc.totp_enabled = secret, True
    assert sessions.login(platform, alice, PASSWORD, totp=pyotp.TOTP(secret).at(clock.now))
    stored = _stored_totp(platform, alice)
    assert stored is not None and stored.startswith("v1:") and secret not in stored
    clock.advance(seconds=90)
    assert sessions.login(platform, alice, PASSWORD, totp=pyotp.TOTP(secret).at(clock.now))


def test_a_sealed_key_copied_to_another_account_does_not_open(
        platform: Platform, clock: Clock, system: Context, alice: str) -> None:
    accounts.create(system, "mallory", "Mallory", Role.REVIEWER, PASSWORD)
    secret = _totp_on(platform, clock, alice)
    with platform.db.write() as s:
        mallory = s.scalars(select(Account).where(Account.username == "mallory")).one()
        mallory.totp_secret, mallory.totp_enabled = _stored_totp(platform, alice), True
    with pytest.raises(AuthenticationError) as exc:
        sessions.login(platform, "mallory", PASSWORD, totp=pyotp.TOTP(secret).at(clock.now))
    assert exc.value.reason == "auth.totp_unreadable"
    with platform.db.read() as s:  # not the user's mistake: not counted towards a lockout
        assert s.scalar(select(Account.failed_logins).where(Account.username == "mallory")) == 0
    # an administrator turns the second factor off; the account signs in and binds again
    accounts.update(system, "mallory", totp_off=True)
    assert _stored_totp(platform, "mallory") is None
    assert sessions.login(platform, "mallory", PASSWORD)


@pytest.mark.parametrize(("password", "words"), [
    ("Short-1a", ["至少 12 个字符"]),
    ("alllowercaseletters", ["至少 3 类"]),
    ("Xx-alice-1234567", ["不能包含用户名"]),
])
def test_password_policy(system: Context, password: str, words: list[str]) -> None:
    with pytest.raises(InputError) as exc:
        accounts.create(system, "alice", "Alice", Role.REVIEWER, password)
    for w in words:
        assert w in exc.value.message("zh")
    assert "password" in exc.value.message("en").lower()


def test_password_policy_is_configurable(platform: Platform) -> None:
    from huiqi.service.passwords import check_policy
    from service_fixtures import make_settings

    check_policy(make_settings(password_min_length=8, password_min_classes=1), "abcdefgh", "u")
    with pytest.raises(InputError):
        check_policy(platform.settings, "abcdefgh", "u")


def test_change_password(platform: Platform, alice: str) -> None:
    ctx = platform.as_actor(sessions.login(platform, alice, PASSWORD).actor)
    with pytest.raises(InputError, match="当前密码错误"):
        sessions.change_password(ctx, "wrong", "Another-Good-Pass-2")
    sessions.change_password(ctx, PASSWORD, "Another-Good-Pass-2")
    with pytest.raises(AuthenticationError):
        sessions.login(platform, alice, PASSWORD)
    assert sessions.login(platform, alice, "Another-Good-Pass-2")


def test_logins_are_audited(platform: Platform, system: Context, alice: str) -> None:
    sessions.login(platform, alice, PASSWORD, ip="10.0.0.1")
    with pytest.raises(AuthenticationError):
        sessions.login(platform, alice, "nope")
    with pytest.raises(AuthenticationError):
        sessions.login(platform, "mallory", "nope")
    assert _audit(system, "login") == [("alice", "ok"), ("alice", "failed"),
                                       ("mallory", "failed")]


def test_refused_tokens_are_audited(platform: Platform, system: Context) -> None:
    for token in (None, "forged"):
        with pytest.raises(AuthenticationError):
            sessions.authenticate(platform, token)
    assert _audit(system, "access") == [("anonymous", "unauthenticated")] * 2
