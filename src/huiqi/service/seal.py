"""Secrets the platform must read back (the TOTP keys of accounts), sealed at rest.

AES-256-GCM with a key derived (HKDF-SHA256) from ``HUIQI_SECRET_KEY``; what the secret is
for (``"totp:17"``: account 17's second factor) is bound into the seal, so a sealed value
copied to another account or purpose does not open. A database dump alone gives no
second factor away.

Changing ``HUIQI_SECRET_KEY`` ends every session and leaves the sealed secrets unreadable:
accounts with a second factor then bind it again (an administrator turns it off for them).
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from huiqi.settings import Settings

PREFIX = "v1:"
_NONCE = 12


def _key(settings: Settings) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"huiqi sealed secrets v1").derive(settings.secret())


def seal(settings: Settings, purpose: str, plain: str) -> str:
    """``plain`` sealed for ``purpose``: text that only :func:`unseal` opens."""
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(_key(settings)).encrypt(nonce, plain.encode(), purpose.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def unseal(settings: Settings, purpose: str, stored: str) -> str | None:
    """The secret sealed in ``stored`` for ``purpose``; ``None`` if it does not open (another
    key, another purpose, altered)."""
    if not is_sealed(stored):
        return None
    try:
        raw = base64.urlsafe_b64decode(stored[len(PREFIX):].encode("ascii"))
        plain = AESGCM(_key(settings)).decrypt(raw[:_NONCE], raw[_NONCE:], purpose.encode())
    except (InvalidTag, ValueError):
        return None
    return plain.decode()
