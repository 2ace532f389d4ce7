"""Sealed secrets: only the same key and the same purpose open them; anything altered fails."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st

from huiqi.service.seal import PREFIX, is_sealed, seal, unseal
from service_fixtures import make_settings

SETTINGS = make_settings()
OTHER_KEY = make_settings(secret_key="another-secret-" + "q7w2" * 8)


@given(st.text(max_size=64), st.text(min_size=1, max_size=20))
def test_what_is_sealed_opens_with_the_same_key_and_purpose(plain: str, purpose: str) -> None:
    sealed = seal(SETTINGS, purpose, plain)
    assert is_sealed(sealed) and sealed.isascii()
    assert unseal(SETTINGS, purpose, sealed) == plain
    assert unseal(SETTINGS, purpose + "x", sealed) is None
    assert unseal(OTHER_KEY, purpose, sealed) is None


def test_the_sealed_form_hides_the_secret_and_differs_each_time() -> None:
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    a, b = seal(SETTINGS, "totp:1", secret), seal(SETTINGS, "totp:1", secret)
    assert a != b and secret not in a
    assert len(a) <= 255  # the column's width


@given(st.integers(min_value=0), st.integers(min_value=1, max_value=255))
def test_an_altered_seal_does_not_open(at: int, flip: int) -> None:
    # the bytes themselves are altered, not their base64 text: a changed character can
    # touch only the unused bits of the last group and decode to the same bytes
    sealed = seal(SETTINGS, "totp:1", "JBSWY3DPEHPK3PXP")
    raw = bytearray(base64.urlsafe_b64decode(sealed[len(PREFIX):]))
    raw[at % len(raw)] ^= flip
    altered = PREFIX + base64.urlsafe_b64encode(bytes(raw)).decode("ascii")
    assert unseal(SETTINGS, "totp:1", altered) is None


def test_text_that_is_not_a_seal_does_not_open() -> None:
    for text in ("", "JBSWY3DPEHPK3PXP", "v1:", "v1:!!!", "v1:AAAA"):
        assert unseal(SETTINGS, "totp:1", text) is None
