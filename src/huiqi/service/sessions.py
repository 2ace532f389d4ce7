"""Signing in and out: passwords, lockout, the TOTP second factor, expiring bearer tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import pyotp
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from huiqi.clock import shown
from huiqi.errors import AuthenticationError, InputError, RateLimited
from huiqi.messages import message
from huiqi.settings import Settings
from huiqi.store.models import Account, AuthSession, Entity, LoginFailure

from . import limiter, lockout, passwords, refusals
from .audit import record
from .context import Actor, Context, Platform
from .permissions import Role
from .seal import is_sealed, seal, unseal

_DUMMY_HASH: dict[tuple[int, int, int], str] = {}

#: The signed-in account of a token, built once: this runs on every request, and building
#: the statement cost more than running it
_KNOWN = ("sessions", "known")   # tokens found good or no good, in the platform's cache
_KNOWN_KEPT = 4096
GOOD_FOR_S = 60.0
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

    Every attempt is audited and costs one key derivation, whatever the outcome. An unknown
    name, a disabled account, a wrong password and a locked name-and-address pair all get
    the same answer (:mod:`huiqi.service.lockout`); only once the password is right does
    the answer speak of the one-time code.
    """
    settings = platform.settings
    now = platform.now()
    ctx = platform.system() if ip is None else Context(platform, platform.system().actor, ip)
    failure: AuthenticationError | None = None
    with platform.db.write() as s:
        acc = s.scalars(select(Account).where(Account.username == username)
                        .with_for_update()).first()
        tries = lockout.current(s, username, ip)
        # one key derivation on every path: an answer's cost tells nothing either
        right = passwords.verify_password(settings, acc.password_hash if acc else
                                          _dummy_hash(settings), password)
        who = acc.username if acc else username[:64]
        if lockout.locked_until(tries, now) is not None:
            failure = AuthenticationError("auth.bad_credentials")
            record(s, ctx, "login", outcome="locked", actor=who, target=acc.username if acc else None,
                   detail="locked for this address")
        elif acc is None or not acc.active or not right:
            why = ("unknown user name" if acc is None else "inactive" if not acc.active
                   else "wrong password")
            failure = _failed(platform, s, ctx, tries, username, acc, why)
        elif acc.totp_enabled and not totp:
            failure = AuthenticationError("auth.totp_required")
            record(s, ctx, "login", outcome="failed", actor=acc.username,
                   detail="one-time code missing")
        elif acc.totp_enabled and (key := _totp_key(settings, acc)) is None:
            failure = AuthenticationError("auth.totp_unreadable")
            record(s, ctx, "login", outcome="failed", actor=acc.username,
                   detail="one-time-code key cannot be unsealed")
        elif acc.totp_enabled and (step := _totp_step(key or "", totp or "", now,
                                                      acc.totp_last_step)) is None:
            failure = _failed(platform, s, ctx, tries, username, acc,
                              "wrong or used one-time code")
        else:
            if acc.totp_enabled:
                acc.totp_last_step = step
            if acc.totp_secret and not is_sealed(acc.totp_secret):  # stored before sealing
                acc.totp_secret = seal(settings, _purpose(acc), acc.totp_secret)
            lockout.succeed(s, username, ip)
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


def _failed(platform: Platform, s: Session, ctx: Context, tries: LoginFailure | None,
            username: str, acc: Account | None, why: str) -> AuthenticationError:
    """Count and audit a failed sign-in; the answer (the same for every failure but a wrong
    one-time code after the right password)."""
    until = lockout.fail(s, platform.settings, tries, username, ctx.ip, platform.now())
    if until is not None:
        why += f"; this address locked until {shown(until)}"
    record(s, ctx, "login", outcome="failed" if until is None else "locked",
           actor=acc.username if acc else username[:64], target=acc.username if acc else None,
           detail=why)
    if "code" in why:
        return AuthenticationError("auth.totp_invalid")
    return AuthenticationError("auth.bad_credentials")


def _dummy_hash(settings: Settings) -> str:
    """A hash made with the settings' parameters, checked when there is no account's hash to
    check: an unknown name costs as much as a wrong password."""
    key = (settings.password_hash_time_cost, settings.password_hash_memory_kib,
           settings.password_hash_parallelism)
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = passwords.hash_password(settings, secrets.token_urlsafe(16))
    return _DUMMY_HASH[key]


def _purpose(acc: Account) -> str:
    return f"totp:{acc.id}"


def _totp_key(settings: Settings, acc: Account, stored: str | None = None) -> str | None:
    """The account's TOTP key (or ``stored``, its key being bound), unsealed; ``None`` if
    there is none or it does not open. A key stored before keys were sealed is read as it
    is (and sealed at the next sign-in)."""
    stored = stored if stored is not None else acc.totp_secret
    if not stored:
        return None
    return unseal(settings, _purpose(acc), stored) if is_sealed(stored) else stored


def _totp_step(secret: str, code: str, now: dt.datetime, last: int | None) -> int | None:
    """The time-step ``code`` belongs to (this one, or the one before or after, for clocks
    a little apart), if it is later than ``last``: a code is accepted once."""
    code = code.strip().replace(" ", "")
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    here = totp.timecode(now)
    for step in (here - 1, here, here + 1):
        if (last is None or step > last) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _actor(s: Session, acc: Account) -> Actor:
    code = None
    if acc.entity_id is not None:
        code = s.scalar(select(Entity.credit_code).where(Entity.id == acc.entity_id))
    return Actor(username=acc.username, role=Role(acc.role), account_id=acc.id,
                 entity_id=acc.entity_id, entity_code=code)


def authenticate(platform: Platform, token: str | None, ip: str | None = None,
                 route: str | None = None) -> Actor:
    """The actor a bearer token stands for; refuses (and audits) a missing, wrong or old one.
    ``route``: what was asked for (``GET /enterprises/{code}``), for the audit log."""
    if not token:
        _refused(platform, ip, route, "auth.required")
    now = platform.now()
    with platform.db.rows() as s:  # plain rows, no session: this runs on every request
        row = s.execute(_BY_TOKEN, {"token_hash": token_hash(platform, token or "")}).first()
    reason = _refusal(row, now)
    if reason is not None:
        _refused(platform, ip, route, reason,
                 "anonymous" if row is None or reason == "auth.invalid_token" else row[2])
    _expires, _revoked, username, role, account_id, entity_id, _active, code = row  # type: ignore[misc]
    return Actor(username=username, role=Role(role), account_id=account_id,
                 entity_id=entity_id, entity_code=code)


def valid(platform: Platform, token: str) -> bool:
    """Whether ``token`` stands for a session that would be let in (not revoked, not
    expired, its account active) — asked before routing of a request from an address that
    is over its limit of anonymous requests (:mod:`huiqi.api.early`), a filter before the
    route's own check (:func:`authenticate`); audits nothing. Found good, a token is taken
    as good for :data:`GOOD_FOR_S` without asking again (the route still checks it: one
    signed out meanwhile is refused there); found no good (never issued, signed out,
    expired), it stays so."""
    digest = token_hash(platform, token)
    good, no_good = _known(platform)
    now = time.monotonic()
    if digest in no_good:
        no_good.move_to_end(digest)
        return False
    until = good.get(digest)
    if until is not None and until > now:
        return True
    with platform.db.rows() as s:
        row = s.execute(_BY_TOKEN, {"token_hash": digest}).first()
    reason = _refusal(row, platform.now())
    if reason is None:
        _keep(good, digest, now + GOOD_FOR_S)
        return True
    if reason != "auth.inactive":   # an inactive account's token may be let in again
        _keep(no_good, digest, None)
    return False


def _refusal(row: Any, now: dt.datetime) -> str | None:
    """Why a session (a row of ``_BY_TOKEN``, None if no such token) is not let in, if it
    is not: the reason's message code."""
    if row is None or row[1] is not None:
        return "auth.invalid_token"   # never issued, or signed out
    if row[0] <= now:
        return "auth.expired"
    if not row[6]:
        return "auth.inactive"
    return None


def _keep(known: OrderedDict[str, Any], digest: str, entry: Any) -> None:
    known[digest] = entry
    known.move_to_end(digest)
    if len(known) > _KNOWN_KEPT:
        known.popitem(last=False)


def _known(platform: Platform) -> tuple[OrderedDict[str, float], OrderedDict[str, None]]:
    """The tokens found good (until when) and no good, in the platform's cache."""
    found = platform.cache.get(_KNOWN)
    if found is None:
        found = platform.cache.setdefault(_KNOWN, (OrderedDict(), OrderedDict()))
    return found  # type: ignore[no-any-return]


def _refused(platform: Platform, ip: str | None, route: str | None, reason: str,
             who: str = "anonymous") -> None:
    """Refuse an unknown caller, audited in counted entries (:mod:`.refusals`). A token
    that is no good counts against the address's limit of anonymous requests (a request
    with no token at all was counted before it got here)."""
    if reason != "auth.required":
        try:
            limiter.of(platform).hit("anonymous", ip or "-")
        except RateLimited:
            refusals.refused(platform, ip=ip, route=route, outcome="rate_limited",
                             reason="rate.limited")
            raise
    refusals.refused(platform, ip=ip, route=route, outcome="unauthenticated", reason=reason,
                     who=who)
    raise AuthenticationError(reason)


def logout(ctx: Context, token: str) -> None:
    with ctx.db.write() as s:
        sess = s.scalar(select(AuthSession).where(
            AuthSession.token_hash == token_hash(ctx.platform, token)))
        if sess is not None and sess.revoked_at is None:
            sess.revoked_at = ctx.now()
        record(s, ctx, "logout", target=ctx.actor.username)


def revoke(s: Session, account_id: int, now: dt.datetime, keep: str | None = None) -> int:
    """End every open session of the account but the one whose token hash is ``keep``;
    how many were ended."""
    stmt = update(AuthSession).where(AuthSession.account_id == account_id,
                                     AuthSession.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(AuthSession.token_hash != keep)
    result = s.execute(stmt.values(revoked_at=now).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def change_password(ctx: Context, current: str, new: str, token: str | None = None) -> None:
    """Change the signed-in account's password (the current one is asked again). Every other
    session of the account ends; the one of ``token`` (the request's own) stays."""
    settings = ctx.settings
    with ctx.db.write() as s:
        acc = _me(s, ctx)
        refused = _reauthenticate(s, ctx, acc, current, None, "account.password")
        if refused is None:
            passwords.check_policy(settings, new, acc.username)
            if passwords.verify_password(settings, acc.password_hash, new):
                raise InputError(message("password.policy",
                                         reasons_zh=message("password.reused").zh,
                                         reasons_en=message("password.reused").en))
            acc.password_hash = passwords.hash_password(settings, new)
            acc.password_changed_at = ctx.now()
            ended = revoke(s, acc.id, ctx.now(), token_hash(ctx.platform, token) if token
                           else None)
            record(s, ctx, "account.password", target=acc.username,
                   detail=f"{ended} other session(s) ended")
    if refused is not None:
        raise refused


def totp_begin(ctx: Context, password: str, code: str | None = None) -> tuple[str, str]:
    """Start binding an authenticator app: a new key and its ``otpauth://`` address.

    The password is asked again, and, if a second factor is on, a current code from it:
    a session left open must not be enough to take the second factor over. The factor in
    use stays on until the new one is confirmed (:func:`totp_confirm`).
    """
    secret = pyotp.random_base32()
    with ctx.db.write() as s:
        acc = _me(s, ctx)
        refused = _reauthenticate(s, ctx, acc, password, code, "account.totp_begin")
        if refused is None:
            acc.totp_pending = seal(ctx.settings, _purpose(acc), secret)
            record(s, ctx, "account.totp_begin", target=acc.username)
    if refused is not None:
        raise refused
    uri = pyotp.TOTP(secret).provisioning_uri(name=ctx.actor.username, issuer_name="huiqi 惠企")
    return secret, uri


def totp_confirm(ctx: Context, code: str) -> None:
    """Turn the key being bound on once the app shows a right code (it replaces the key in
    use, if any)."""
    with ctx.db.write() as s:
        acc = _me(s, ctx)
        key = _totp_key(ctx.settings, acc, acc.totp_pending or "")
        if key is None:
            raise InputError(message("auth.totp_not_started"))
        step = _totp_step(key, code, ctx.now(), None)
        if step is None:
            raise InputError(message("auth.totp_invalid"))
        acc.totp_secret, acc.totp_pending = acc.totp_pending, None
        acc.totp_enabled = True
        acc.totp_last_step = step
        record(s, ctx, "account.totp_enable", target=acc.username)


def totp_disable(ctx: Context, password: str, code: str | None) -> None:
    """Turn the signed-in account's second factor off: the password and a current code."""
    with ctx.db.write() as s:
        acc = _me(s, ctx)
        refused = _reauthenticate(s, ctx, acc, password, code, "account.totp_disable")
        if refused is None:
            was = acc.totp_enabled
            turn_totp_off(acc)
            record(s, ctx, "account.totp_disable", target=acc.username,
                   before={"totp_enabled": was}, after={"totp_enabled": False})
    if refused is not None:
        raise refused


def turn_totp_off(acc: Account) -> None:
    """Forget the account's second factor (and any key being bound)."""
    acc.totp_enabled = False
    acc.totp_secret = acc.totp_pending = None
    acc.totp_last_step = None


def _reauthenticate(s: Session, ctx: Context, acc: Account, password: str,
                    code: str | None, action: str) -> InputError | None:
    """Ask a signed-in person for their password again (and a current one-time code if their
    second factor is on) before a change to how they sign in. Failures count and lock as
    at sign-in (per name and address), and are audited; the refusal is returned, to be
    raised once they are committed."""
    now = ctx.now()
    tries = lockout.current(s, acc.username, ctx.ip)
    right = passwords.verify_password(ctx.settings, acc.password_hash, password)
    until = lockout.locked_until(tries, now)
    why: str | None = None
    if until is not None:
        record(s, ctx, action, target=acc.username, outcome="locked",
               detail="locked for this address")
        return InputError(message("auth.paused", until=shown(until)))
    if not right:
        why, refusal = "wrong password", InputError(message("password.wrong_current"))
    elif acc.totp_enabled and not code:
        return InputError(message("auth.totp_required"))
    elif acc.totp_enabled:
        key = _totp_key(ctx.settings, acc)
        step = None if key is None else _totp_step(key, code or "", now, acc.totp_last_step)
        if step is None:
            why, refusal = "wrong or used one-time code", InputError(message("auth.totp_invalid"))
        else:
            acc.totp_last_step = step
    if why is None:
        return None
    until = lockout.fail(s, ctx.settings, tries, acc.username, ctx.ip, now)
    record(s, ctx, action, target=acc.username, outcome="failed" if until is None else "locked",
           detail=why)
    return refusal


def _me(s: Session, ctx: Context) -> Account:
    acc = s.get(Account, ctx.actor.account_id, with_for_update=True) \
        if ctx.actor.account_id else None
    if acc is None:
        raise AuthenticationError("auth.required")
    assert isinstance(acc, Account)
    return acc
