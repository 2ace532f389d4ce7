"""Passwords: hashed with argon2id (parameters from the settings), checked against the
configured policy (length, character classes, not the user name)."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from huiqi.errors import InputError
from huiqi.messages import message
from huiqi.settings import Settings
from huiqi.text import Text


def hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(time_cost=settings.password_hash_time_cost,
                          memory_cost=settings.password_hash_memory_kib,
                          parallelism=settings.password_hash_parallelism, type=Type.ID)


def hash_password(settings: Settings, password: str) -> str:
    return hasher(settings).hash(password)


def verify_password(settings: Settings, stored: str, password: str) -> bool:
    try:
        return hasher(settings).verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(settings: Settings, stored: str) -> bool:
    return hasher(settings).check_needs_rehash(stored)


def classes(password: str) -> int:
    """How many of upper case, lower case, digits and symbols the password uses."""
    return sum((any(c.isupper() for c in password), any(c.islower() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password)))


def check_policy(settings: Settings, password: str, username: str) -> None:
    """Raise :class:`InputError` naming every rule of the policy the password breaks."""
    reasons: list[Text] = []
    if len(password) < settings.password_min_length:
        reasons.append(message("password.too_short", n=settings.password_min_length))
    if classes(password) < settings.password_min_classes:
        reasons.append(message("password.classes", n=settings.password_min_classes))
    if username and username.lower() in password.lower():
        reasons.append(message("password.has_username"))
    if reasons:
        raise InputError(message("password.policy", reasons_zh=";".join(r.zh for r in reasons),
                                 reasons_en="; ".join(r.en for r in reasons)))
