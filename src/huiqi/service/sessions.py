"""Signing in and out: passwords, lockout, the TOTP second factor, expiring bearer tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pyotp
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from huiqi.errors import AuthenticationError, InputError
from huiqi.messages import message
from huiqi.settings import Settings
from huiqi.store.models import Account, AuthSession, Entity

from . import passwords
from .audit import record
from .context import Actor, Context, Platform
from .permissions import Role
from .seal import is_sealed, seal, unseal

_DUMMY_HASH: dict[int, str] = {}

#: The signed-in account of a token, built once: this runs on every request, and building
#: the statement cost more than running it
_BY_TOKEN = (
    select(AuthSession.expires_at, AuthSession.revoked_at, Account.username, Account.role,
           Account.id, Account.entity_id, Account.active, Entity.credit_code)
    .join(Account, Account.id == AuthSession.account_id)
    .outerjoin(Entity, Entity.id == Account.entity_id)
    .where(AuthSession.token_hash == bindparam("token_hash")))


@dataclass(frozen=True)
class SignIn:
    token: str
    expires_at: dt.datetime
    actor: Actor


def token_hash(platform: Platform, token: str) -> str:
    return hmac.new(platform.settings.secret(), token.encode(), hashlib.sha256).hexdigest()


def login(platform: Platform, username: str, password: str, totp: str | None = None,
          ip: str | None = None) -> SignIn:
    """Check the password (and the one-time code if the account has TOTP) and open a session.

    Every attempt is audited. After ``login_max_failures`` failures in a row the account is
    locked for ``lockout_minutes``; while locked, even the right password is refused.
    """
    settings = platform.settings
    now = platform.now()
    ctx = platform.system() if ip is None else Context(platform, platform.system().actor, ip)
    failure: AuthenticationError | None = None
    with platform.db.write() as s:
        acc = s.scalar(select(Account).where(Account.username == username))
        if acc is None:
            _waste_time(platform, password)
            failure = AuthenticationError("auth.bad_credentials")
            record(s, ctx, "login", outcome="failed", actor=username[:64],
                   detail="unknown user name")
        elif acc.locked_until is not None and acc.locked_until > now:
            failure = AuthenticationError("auth.locked", until=_local(acc.locked_until))
            record(s, ctx, "login", outcome="locked", actor=acc.username, target=acc.username)
        elif not acc.active:
            failure = AuthenticationError("auth.inactive")
            record(s, ctx, "login", outcome="failed", actor=acc.username, detail="inactive")
        elif not passwords.verify_password(settings, acc.password_hash, password):
            failure = _failed(platform, acc, ctx, s, "wrong password")
        elif acc.totp_enabled and not totp:
            failure = AuthenticationError("auth.totp_required")
            record(s, ctx, "login", outcome="failed", actor=acc.username,
                   detail="one-time code missing")
        elif acc.totp_enabled and (key := _totp_key(settings, acc)) is None:
            failure = AuthenticationError("auth.totp_unreadable")
            record(s, ctx, "login", outcome="failed", actor=acc.username,
                   detail="one-time-code key cannot be unsealed")
        elif acc.totp_enabled and not _totp_ok(key or "", totp or "", now):
            failure = _failed(platform, acc, ctx, s, "wrong one-time code")
        else:
            if acc.totp_secret and not is_sealed(acc.totp_secret):  # stored before sealing
                acc.totp_secret = seal(settings, _purpose(acc), acc.totp_secret)
            acc.failed_logins = 0
            acc.locked_until = None
            if passwords.needs_rehash(settings, acc.password_hash):
                acc.password_hash = passwords.hash_password(settings, password)
            token = secrets.token_urlsafe(32)
            expires = now + dt.timedelta(minutes=settings.session_ttl_minutes)
            s.add(AuthSession(account_id=acc.id, token_hash=token_hash(platform, token),
                              created_at=now, expires_at=expires))
            record(s, ctx, "login", outcome="ok", actor=acc.username, target=acc.username)
            actor = _actor(s, acc)
    if failure is not None:
        raise failure
    return SignIn(token=token, expires_at=expires, actor=actor)


def _failed(platform: Platform, acc: Account, ctx: Context, s: Session,
            why: str) -> AuthenticationError:
    settings = platform.settings
    acc.failed_logins += 1
    outcome = "failed"
    if acc.failed_logins >= settings.login_max_failures:
        acc.locked_until = platform.now() + dt.timedelta(minutes=settings.lockout_minutes)
        acc.failed_logins = 0
        outcome = "locked"
        why += f"; locked for {settings.lockout_minutes} min"
    record(s, ctx, "login", outcome=outcome, actor=acc.username, target=acc.username,
           detail=why)
    if outcome == "locked":
        assert acc.locked_until is not None
        return AuthenticationError("auth.locked", until=_local(acc.locked_until))
    if "code" in why:
        return AuthenticationError("auth.totp_invalid")
    return AuthenticationError("auth.bad_credentials")


def _local(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")


def _waste_time(platform: Platform, password: str) -> None:
    """Spend as long on an unknown user name as on a wrong password."""
    key = id(platform.settings)
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = passwords.hash_password(platform.settings, "not-a-password-1A!")
    passwords.verify_password(platform.settings, _DUMMY_HASH[key], password)


def _purpose(acc: Account) -> str:
    return f"totp:{acc.id}"


def _totp_key(settings: Settings, acc: Account) -> str | None:
    """The account's TOTP key, unsealed; ``None`` if it has none or it does not open. A key
    stored before keys were sealed is read as it is (and sealed at the next sign-in)."""
    stored = acc.totp_secret
    if not stored:
        return None
    return unseal(settings, _purpose(acc), stored) if is_sealed(stored) else stored


def _totp_ok(secret: str, code: str, now: dt.datetime) -> bool:
    code = code.strip().replace(" ", "")
    if not code.isdigit():
        return False
    return bool(pyotp.TOTP(secret).verify(code, for_time=now, valid_window=1))


def _actor(s: Session, acc: Account) -> Actor:
    code = None
    if acc.entity_id is not None:
        code = s.scalar(select(Entity.credit_code).where(Entity.id == acc.entity_id))
    return Actor(username=acc.username, role=Role(acc.role), account_id=acc.id,
                 entity_id=acc.entity_id, entity_code=code)


def authenticate(platform: Platform, token: str | None, ip: str | None = None) -> Actor:
    """The actor a bearer token stands for; refuses (and audits) a missing, wrong or old one."""
    if not token:
        _refused(platform, ip, "auth.required")
    now = platform.now()
    with platform.db.rows() as s:  # plain rows, no session: this runs on every request
        row = s.execute(_BY_TOKEN, {"token_hash": token_hash(platform, token or "")}).first()
    if row is None or row[1] is not None:
        _refused(platform, ip, "auth.invalid_token")
    expires, _revoked, username, role, account_id, entity_id, active, code = row  # type: ignore[misc]
    if expires <= now:
        _refused(platform, ip, "auth.expired", username)
    if not active:
        _refused(platform, ip, "auth.inactive", username)
    return Actor(username=username, role=Role(role), account_id=account_id,
                 entity_id=entity_id, entity_code=code)


def _refused(platform: Platform, ip: str | None, reason: str, who: str = "anonymous") -> None:
    ctx = Context(platform, platform.system().actor, ip)
    with platform.db.write() as s:
        record(s, ctx, "access", outcome="unauthenticated", actor=who, detail=reason)
    raise AuthenticationError(reason)


def logout(ctx: Context, token: str) -> None:
    with ctx.db.write() as s:
        sess = s.scalar(select(AuthSession).where(
            AuthSession.token_hash == token_hash(ctx.platform, token)))
        if sess is not None and sess.revoked_at is None:
            sess.revoked_at = ctx.now()
        record(s, ctx, "logout", target=ctx.actor.username)


def change_password(ctx: Context, current: str, new: str) -> None:
    settings = ctx.settings
    with ctx.db.write() as s:
        acc = _me(s, ctx)
        if not passwords.verify_password(settings, acc.password_hash, current):
            raise InputError(message("password.wrong_current"))
        passwords.check_policy(settings, new, acc.username)
        if passwords.verify_password(settings, acc.password_hash, new):
            raise InputError(message("password.policy", reasons_zh=message("password.reused").zh,
                                     reasons_en=message("password.reused").en))
        acc.password_hash = passwords.hash_password(settings, new)
        acc.password_changed_at = ctx.now()
        record(s, ctx, "account.password", target=acc.username)


def totp_begin(ctx: Context) -> tuple[str, str]:
    """Start binding an authenticator app: a new secret and its ``otpauth://`` address."""
    secret = pyotp.random_base32()
    with ctx.db.write() as s:
        acc = _me(s, ctx)
        acc.totp_secret = seal(ctx.settings, _purpose(acc), secret)
        acc.totp_enabled = False
        record(s, ctx, "account.totp_begin", target=acc.username)
    uri = pyotp.TOTP(secret).provisioning_uri(name=ctx.actor.username, issuer_name="huiqi 惠企")
    return secret, uri


def totp_confirm(ctx: Context, code: str) -> None:
    """Turn the second factor on once the app shows a right code."""
    with ctx.db.write() as s:
        acc = _me(s, ctx)
        key = _totp_key(ctx.settings, acc)
        if key is None:
            raise InputError(message("auth.totp_not_started"))
        if not _totp_ok(key, code, ctx.now()):
            raise InputError(message("auth.totp_invalid"))
        acc.totp_enabled = True
        record(s, ctx, "account.totp_enable", target=acc.username)


def _me(s: Session, ctx: Context) -> Account:
    acc = s.get(Account, ctx.actor.account_id) if ctx.actor.account_id else None
    if acc is None:
        raise AuthenticationError("auth.required")
    assert isinstance(acc, Account)
    return acc
