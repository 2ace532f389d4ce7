"""Signing in: argon2id hashes, expiring tokens, lockout, TOTP, the password policy."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from sqlalchemy import select

from huiqi.errors import AuthenticationError, InputError
from huiqi.service import accounts, sessions
from huiqi.service.audit import AuditQuery, entries
from huiqi.service.context import Context, Platform
from huiqi.service.permissions import Role
from huiqi.store.models import Account, AuthSession, LoginFailure
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


def test_the_filter_before_routing_knows_good_tokens_for_a_while(platform: Platform,
                                                                 alice: str) -> None:
    """``valid`` (asked before routing, from an address over its anonymous limit): a token
    found good is taken as good for a minute without the database — the route's own check
    still refuses one signed out meanwhile; one found no good stays so."""
    si = sessions.login(platform, alice, PASSWORD)
    assert sessions.valid(platform, si.token)
    sessions.logout(platform.as_actor(si.actor), si.token)
    assert sessions.valid(platform, si.token)   # remembered: not asked again
    with pytest.raises(AuthenticationError, match="注销"):
        sessions.authenticate(platform, si.token)
    fresh = Platform(platform.db, platform.settings, platform.clock)   # nothing remembered
    assert not sessions.valid(fresh, si.token) and not sessions.valid(fresh, "forged")
    again = sessions.login(fresh, alice, PASSWORD)
    assert sessions.valid(fresh, again.token)


BAD = "用户名或密码错误(连续多次失败后,需等待一段时间才能再次登录)"


def _fail(platform: Platform, username: str, times: int, ip: str | None = None) -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationError) as exc:
            sessions.login(platform, username, "wrong", ip=ip)
        assert exc.value.message("zh") == BAD


@pytest.fixture
def kdf(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, int]]:
    """Every argon2id verification made, with the cost parameters of the hash it checked."""
    from argon2 import PasswordHasher, extract_parameters

    calls: list[dict[str, int]] = []
    real = PasswordHasher.verify

    def verify(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        p = extract_parameters(hash if isinstance(hash, str) else hash.decode())
        calls.append({"t": p.time_cost, "m": p.memory_cost, "p": p.parallelism})
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", verify)
    return calls


def test_every_failed_sign_in_reads_the_same_and_costs_one_key_derivation(
        platform: Platform, system: Context, alice: str, kdf: list[dict[str, int]]) -> None:
    accounts.create(system, "dora", "Dora", Role.REVIEWER, PASSWORD)
    accounts.update(system, "dora", active=False)
    accounts.create(system, "lola", "Lola", Role.REVIEWER, PASSWORD)
    _fail(platform, "lola", platform.settings.login_max_failures, ip="10.0.0.9")
    settings = platform.settings
    cost = {"t": settings.password_hash_time_cost, "m": settings.password_hash_memory_kib,
            "p": settings.password_hash_parallelism}
    answers = {}
    for case, (user, password) in {"wrong password": (alice, "wrong"),
                                   "unknown name": ("nobody", PASSWORD),
                                   "disabled": ("dora", PASSWORD),
                                   "locked, right password": ("lola", PASSWORD)}.items():
        kdf.clear()
        with pytest.raises(AuthenticationError) as exc:
            sessions.login(platform, user, password, ip="10.0.0.9")
        answers[case] = (exc.value.reason, exc.value.message("zh"), exc.value.message("en"))
        assert kdf == [cost], case  # one derivation, at the same cost, whatever failed
    assert len(set(answers.values())) == 1, answers
    assert answers["unknown name"][:2] == ("auth.bad_credentials", BAD)


def test_a_lock_holds_for_one_name_from_one_address(platform: Platform, clock: Clock,
                                                    system: Context, alice: str) -> None:
    limit = platform.settings.login_max_failures
    _fail(platform, alice, limit, ip="203.0.113.66")
    # from that address even the right password is refused, with the same answer
    with pytest.raises(AuthenticationError) as exc:
        sessions.login(platform, alice, PASSWORD, ip="203.0.113.66")
    assert exc.value.message("zh") == BAD
    assert accounts.get(system, alice).locked
    # the owner, from their own address, is not locked out
    assert sessions.login(platform, alice, PASSWORD, ip="10.0.0.1").actor.username == alice
    clock.advance(minutes=platform.settings.lockout_minutes, seconds=1)
    assert sessions.login(platform, alice, PASSWORD, ip="203.0.113.66")
    outcomes = [o for a, o in _audit(system, "login") if a == alice]
    assert outcomes == ["failed"] * (limit - 1) + ["locked", "locked", "ok", "ok"]


def test_each_further_lock_lasts_twice_as_long(platform: Platform, clock: Clock,
                                               alice: str) -> None:
    settings, ip = platform.settings, "203.0.113.66"
    for minutes in (settings.lockout_minutes, 2 * settings.lockout_minutes,
                    4 * settings.lockout_minutes):
        _fail(platform, alice, settings.login_max_failures, ip=ip)
        clock.advance(minutes=minutes - 1)
        with pytest.raises(AuthenticationError):
            sessions.login(platform, alice, PASSWORD, ip=ip)
        clock.advance(minutes=1, seconds=1)
    assert sessions.login(platform, alice, PASSWORD, ip=ip)


def test_unknown_names_lock_like_known_ones(platform: Platform, system: Context) -> None:
    limit = platform.settings.login_max_failures
    _fail(platform, "nobody", limit + 1, ip="203.0.113.66")
    outcomes = [o for a, o in _audit(system, "login") if a == "nobody"]
    assert outcomes == ["failed"] * (limit - 1) + ["locked", "locked"]


def test_an_administrator_can_unlock(platform: Platform, system: Context, alice: str) -> None:
    for ip in ("203.0.113.66", "203.0.113.67"):
        _fail(platform, alice, platform.settings.login_max_failures, ip=ip)
    assert accounts.get(system, alice).locked
    accounts.update(system, alice, unlock=True)
    assert not accounts.get(system, alice).locked
    for ip in ("203.0.113.66", "203.0.113.67"):
        assert sessions.login(platform, alice, PASSWORD, ip=ip)


def test_totp_second_factor(platform: Platform, clock: Clock, alice: str) -> None:
    ctx = platform.as_actor(sessions.login(platform, alice, PASSWORD).actor)
    secret, uri = sessions.totp_begin(ctx, PASSWORD)
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
    secret, _ = sessions.totp_begin(ctx, PASSWORD)
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
        assert s.scalar(select(LoginFailure.id).where(LoginFailure.username == "mallory")) is None
    # an administrator turns the second factor off; the account signs in and binds again
    accounts.update(system, "mallory", totp_off=True)
    assert _stored_totp(platform, "mallory") is None
    assert sessions.login(platform, "mallory", PASSWORD)


def _other(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_a_one_time_code_is_accepted_once(platform: Platform, clock: Clock, alice: str) -> None:
    secret = _totp_on(platform, clock, alice)
    totp = pyotp.TOTP(secret)
    clock.advance(seconds=60)
    code = totp.at(clock.now)
    assert sessions.login(platform, alice, PASSWORD, totp=code)
    for replayed in (code, totp.at(clock.now - dt.timedelta(seconds=30))):
        with pytest.raises(AuthenticationError) as exc:
            sessions.login(platform, alice, PASSWORD, totp=replayed)
        assert exc.value.reason == "auth.totp_invalid"
    assert sessions.login(platform, alice, PASSWORD, totp=totp.at(clock.now + dt.timedelta(
        seconds=30)))  # the next step (a clock a little ahead) is still new


def test_the_code_that_confirms_a_key_cannot_sign_in(platform: Platform, clock: Clock,
                                                     alice: str) -> None:
    secret = _totp_on(platform, clock, alice)
    with pytest.raises(AuthenticationError) as exc:
        sessions.login(platform, alice, PASSWORD, totp=pyotp.TOTP(secret).at(clock.now))
    assert exc.value.reason == "auth.totp_invalid"


def test_a_new_key_needs_the_password_and_a_current_code(platform: Platform, clock: Clock,
                                                         system: Context, alice: str) -> None:
    old = pyotp.TOTP(_totp_on(platform, clock, alice))
    clock.advance(seconds=60)
    ctx = platform.as_actor(sessions.login(platform, alice, PASSWORD, totp=old.at(clock.now)).actor)
    clock.advance(seconds=60)
    with pytest.raises(InputError, match="当前密码错误"):
        sessions.totp_begin(ctx, "wrong", old.at(clock.now))
    with pytest.raises(InputError, match="验证码"):
        sessions.totp_begin(ctx, PASSWORD)
    with pytest.raises(InputError, match="验证码"):
        sessions.totp_begin(ctx, PASSWORD, _other(old.at(clock.now)))
    secret, _ = sessions.totp_begin(ctx, PASSWORD, old.at(clock.now))
    assert accounts.get(system, alice).totp_enabled  # the old key works until the new one is on
    clock.advance(seconds=60)
    assert sessions.login(platform, alice, PASSWORD, totp=old.at(clock.now))
    new = pyotp.TOTP(secret)
    sessions.totp_confirm(ctx, new.at(clock.now))
    clock.advance(seconds=60)
    with pytest.raises(AuthenticationError):
        sessions.login(platform, alice, PASSWORD, totp=old.at(clock.now))
    assert sessions.login(platform, alice, PASSWORD, totp=new.at(clock.now))


def test_turning_the_second_factor_off_needs_the_password_and_a_current_code(
        platform: Platform, clock: Clock, system: Context, alice: str) -> None:
    totp = pyotp.TOTP(_totp_on(platform, clock, alice))
    clock.advance(seconds=60)
    ctx = platform.as_actor(sessions.login(platform, alice, PASSWORD, totp=totp.at(clock.now)).actor)
    clock.advance(seconds=60)
    for password, code in ((PASSWORD, None), ("wrong", totp.at(clock.now)),
                           (PASSWORD, _other(totp.at(clock.now)))):
        with pytest.raises(InputError):
            sessions.totp_disable(ctx, password, code)
        assert accounts.get(system, alice).totp_enabled
    sessions.totp_disable(ctx, PASSWORD, totp.at(clock.now))
    assert not accounts.get(system, alice).totp_enabled
    assert _stored_totp(platform, alice) is None
    assert sessions.login(platform, alice, PASSWORD)
    assert _audit(system, "account.totp_disable")[-1] == ("alice", "ok")


def test_administrators_reset_the_second_factor_of_others_only(
        platform: Platform, clock: Clock, system: Context, alice: str) -> None:
    accounts.create(system, "root", "Root", Role.ADMIN, PASSWORD)
    admin = platform.as_actor(sessions.login(platform, "root", PASSWORD).actor)
    _totp_on(platform, clock, "root")
    for change in ({"totp_off": True}, {"password": "Another-Good-Pass-2"}):
        with pytest.raises(InputError, match="不能在账号管理中重置自己的"):
            accounts.update(admin, "root", **change)  # type: ignore[arg-type]
    assert accounts.get(system, "root").totp_enabled
    _totp_on(platform, clock, alice)
    accounts.update(admin, alice, totp_off=True)
    assert not accounts.get(system, alice).totp_enabled
    _, rows = entries(system, AuditQuery(action="account.update", target=alice))
    assert rows[0].actor == "root"
    assert (rows[0].before["totp_enabled"], rows[0].after["totp_enabled"]) == (True, False)


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


def test_changing_the_password_ends_every_other_session(platform: Platform, alice: str) -> None:
    mine, other, third = (sessions.login(platform, alice, PASSWORD) for _ in range(3))
    sessions.change_password(platform.as_actor(mine.actor), PASSWORD, "Another-Good-Pass-2",
                             mine.token)
    assert sessions.authenticate(platform, mine.token).username == alice
    for si in (other, third):
        with pytest.raises(AuthenticationError) as exc:
            sessions.authenticate(platform, si.token)
        assert exc.value.reason == "auth.invalid_token"


def test_a_password_reset_by_an_administrator_ends_every_session(
        platform: Platform, system: Context, alice: str) -> None:
    tokens = [sessions.login(platform, alice, PASSWORD).token for _ in range(2)]
    accounts.update(system, alice, password="Reset-By-Admin-77")
    for token in tokens:
        with pytest.raises(AuthenticationError):
            sessions.authenticate(platform, token)
    assert sessions.login(platform, alice, "Reset-By-Admin-77")


def test_asking_for_the_password_again_counts_towards_the_lock(
        platform: Platform, system: Context, alice: str) -> None:
    si = sessions.login(platform, alice, PASSWORD)
    ctx = platform.as_actor(si.actor, ip="203.0.113.66")
    for _ in range(platform.settings.login_max_failures):
        with pytest.raises(InputError, match="当前密码错误"):
            sessions.change_password(ctx, "guess", "Another-Good-Pass-2", si.token)
    with pytest.raises(InputError, match="连续验证失败次数过多"):
        sessions.change_password(ctx, PASSWORD, "Another-Good-Pass-2", si.token)
    assert [o for _, o in _audit(system, "account.password")][-2:] == ["locked", "locked"]


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
