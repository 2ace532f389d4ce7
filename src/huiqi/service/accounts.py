"""Accounts, managed by administrators: one role each; an enterprise user is bound to one
enterprise. Passwords follow the configured policy and are stored as argon2id hashes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.errors import Conflict, InputError, NotFoundError
from huiqi.messages import message
from huiqi.store.models import Account, Entity
from huiqi.text import Text

from . import lockout, passwords, sessions
from .audit import record
from .context import Context, requires
from .permissions import Permission, Role


@dataclass(frozen=True)
class AccountView:
    username: str
    display_name: str
    role: Role
    enterprise: str | None
    active: bool
    totp_enabled: bool
    locked: bool
    district: str | None = None


def view(s: Session, acc: Account, ctx: Context) -> AccountView:
    code = None
    if acc.entity_id is not None:
        code = s.scalar(select(Entity.credit_code).where(Entity.id == acc.entity_id))
    locked = lockout.is_locked(s, acc.username, ctx.now())
    return AccountView(acc.username, acc.display_name, Role(acc.role), code, acc.active,
                       acc.totp_enabled, locked, acc.district)


def _snapshot(v: AccountView) -> dict[str, object]:
    return {"username": v.username, "display_name": v.display_name, "role": v.role.value,
            "enterprise": v.enterprise, "active": v.active, "totp_enabled": v.totp_enabled,
            "district": v.district}


def _district(role: Role, district: str | None) -> str | None:
    """A staff account's district (blank: none); an enterprise user has none (its
    enterprise has one)."""
    d = (district or "").strip()
    return (d or None) if role is not Role.ENTERPRISE else None


def _entity_id(s: Session, code: str | None) -> int | None:
    if code is None:
        return None
    eid = s.scalar(select(Entity.id).where(Entity.credit_code == code.strip().upper()))
    if eid is None:
        raise NotFoundError(Text("企业", "enterprise"), code)
    return eid


@requires(Permission.ACCOUNT_MANAGE)
def create(ctx: Context, username: str, display_name: str, role: Role, password: str,
           enterprise: str | None = None, district: str | None = None) -> AccountView:
    passwords.check_policy(ctx.settings, password, username)
    if role is Role.ENTERPRISE and not enterprise:
        raise InputError(message("account.needs_enterprise"))
    with ctx.db.write() as s:
        if s.scalar(select(Account.id).where(Account.username == username)) is not None:
            raise Conflict("account.exists", username=username)
        acc = Account(username=username, display_name=display_name, role=role.value,
                      entity_id=_entity_id(s, enterprise) if role is Role.ENTERPRISE else None,
                      district=_district(role, district),
                      password_hash=passwords.hash_password(ctx.settings, password),
                      password_changed_at=ctx.now(), totp_enabled=False, active=True,
                      created_at=ctx.now())
        s.add(acc)
        s.flush()
        v = view(s, acc, ctx)
        record(s, ctx, "account.create", target=username, after=_snapshot(v))
        return v


@requires(Permission.ACCOUNT_MANAGE)
def update(ctx: Context, username: str, *, display_name: str | None = None,
           role: Role | None = None, active: bool | None = None, unlock: bool = False,
           enterprise: str | None = None, password: str | None = None,
           totp_off: bool = False, district: str | None = None) -> AccountView:
    """Change an account. A new password ends every session of the account. An
    administrator resets the password or second factor of *other* accounts only: their own
    they change themselves, with their current password (and code). The last active
    administrator stays one. ``district``: the staff account's district ("" clears it)."""
    with ctx.db.write() as s:
        acc = _get(s, username, lock=True)
        if (password is not None or totp_off) and acc.id == ctx.actor.account_id:
            raise InputError(message("account.self_reset"))
        before = _snapshot(view(s, acc, ctx))
        if (role not in (None, Role.ADMIN) or active is False) and acc.active and \
                Role(acc.role) is Role.ADMIN:
            _keep_an_admin(s, acc)
        if display_name is not None:
            acc.display_name = display_name
        if role is not None:
            acc.role = role.value
        if enterprise is not None:
            acc.entity_id = _entity_id(s, enterprise)
        if district is not None:
            acc.district = _district(Role(acc.role), district)
        if Role(acc.role) is not Role.ENTERPRISE:
            acc.entity_id = None
        elif acc.entity_id is None:
            raise InputError(message("account.needs_enterprise"))
        else:
            acc.district = None
        if active is not None:
            acc.active = active
        if unlock:
            lockout.clear(s, acc.username)
        if totp_off:  # a lost phone, or a key sealed under a former secret key
            sessions.turn_totp_off(acc)
        ended = 0
        if password is not None:
            passwords.check_policy(ctx.settings, password, acc.username)
            acc.password_hash = passwords.hash_password(ctx.settings, password)
            acc.password_changed_at = ctx.now()
            ended = sessions.revoke(s, acc.id, ctx.now())
        v = view(s, acc, ctx)
        after = _snapshot(v)
        if password is not None:
            after["password"] = "changed"
        record(s, ctx, "account.update", target=username, before=before, after=after,
               detail=f"{ended} session(s) ended" if ended else None)
        return v


def _keep_an_admin(s: Session, acc: Account) -> None:
    """Refuse to demote or disable ``acc`` if it is the last active administrator. The
    administrators' rows are locked first, so that two of them cannot demote each other
    at the same moment."""
    admins = s.scalars(select(Account.id).where(Account.role == Role.ADMIN.value,
                                                 Account.active.is_(True))
                       .with_for_update()).all()
    if not [a for a in admins if a != acc.id]:
        raise Conflict("account.last_admin", username=acc.username)


@requires(Permission.ACCOUNT_MANAGE)
def list_accounts(ctx: Context) -> list[AccountView]:
    with ctx.db.read() as s:
        return [view(s, a, ctx) for a in s.scalars(select(Account).order_by(Account.username))]


@requires(Permission.ACCOUNT_MANAGE)
def get(ctx: Context, username: str) -> AccountView:
    with ctx.db.read() as s:
        return view(s, _get(s, username), ctx)


def me(ctx: Context) -> AccountView:
    """The signed-in account itself (every role may see its own)."""
    with ctx.db.read() as s:
        acc = s.get(Account, ctx.actor.account_id) if ctx.actor.account_id else None
        if acc is None:
            raise NotFoundError(Text("账号", "account"), ctx.actor.username)
        return view(s, acc, ctx)


def _get(s: Session, username: str, lock: bool = False) -> Account:
    stmt = select(Account).where(Account.username == username)
    acc = s.scalars(stmt.with_for_update() if lock else stmt).first()
    if acc is None:
        raise NotFoundError(Text("账号", "account"), username)
    return acc
