"""Passwords: argon2id hashes, checked on hashing threads at the lowest CPU priority."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from huiqi.service import passwords
from service_fixtures import make_settings


def _nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_a_password_is_hashed_and_checked() -> None:
    settings = make_settings()
    stored = passwords.hash_password(settings, "Correct-horse-9")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(settings, stored, "Correct-horse-9")
    assert not passwords.verify_password(settings, stored, "correct-horse-9")
    assert not passwords.verify_password(settings, "not a hash", "Correct-horse-9")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="threads have a priority of their own on Linux")
def test_hashing_runs_at_the_lowest_priority_and_leaves_the_caller_alone() -> None:
    """A burst of sign-ins must not hold up the requests of those signed in: the hashing
    threads run at nice 19; the thread that asked keeps its own priority."""
    mine = _nice()
    assert passwords.at_low_priority(_nice) == passwords.LOWEST
    assert _nice() == mine
    with pytest.raises(ZeroDivisionError):   # the work's error reaches the caller
        passwords.at_low_priority(lambda: 1 // 0)
