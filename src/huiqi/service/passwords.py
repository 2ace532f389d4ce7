"""Passwords: hashed with argon2id (parameters from the settings), checked against the
configured policy (length, character classes, not the user name).

Hashing and checking run on threads of their own at the lowest CPU priority (nice 19; the
threads argon2 starts for its lanes inherit it): a hash is deliberately costly — about
0.1 s of every core — and a burst of sign-in attempts must not hold up the requests of the
people already signed in (bench/RESULTS.md, anonymous load). A sign-in waits a little longer
when the machine is busy, which costs an attacker more than anyone else."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from huiqi.errors import InputError
from huiqi.messages import message
from huiqi.settings import Settings
from huiqi.text import Text

T = TypeVar("T")
LOWEST = 19   # the nice value of the threads that hash


def _lower_priority() -> None:
    with suppress(AttributeError, OSError):   # where threads have no priority of their own
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST)


_KDF = ThreadPoolExecutor(max_workers=2, thread_name_prefix="huiqi-kdf",
                          initializer=_lower_priority)


def at_low_priority(work: Callable[[], T]) -> T:
    """``work()`` on a hashing thread (at the lowest CPU priority); its result or its error."""
    return _KDF.submit(work).result()


def hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(time_cost=settings.password_hash_time_cost,
                          memory_cost=settings.password_hash_memory_kib,
                          parallelism=settings.password_hash_parallelism, type=Type.ID)


def hash_password(settings: Settings, password: str) -> str:
    return at_low_priority(lambda: hasher(settings).hash(password))


def verify_password(settings: Settings, stored: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return hasher(settings).verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    return at_low_priority(verify)


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
