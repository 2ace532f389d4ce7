"""The stored-file columns are declared once (store.stored_file.StoredFile) and mixed into
every table that keeps files byte for byte: an application's materials, a case's files."""

from __future__ import annotations

import datetime as dt
import hashlib

from huiqi.cases.models import CaseFile
from huiqi.programmes.models import ApplicationMaterial
from huiqi.store.stored_file import OCTET_STREAM, StoredFile, stored

SHARED = ("content_type", "size", "sha256", "content", "uploaded_at", "uploaded_by")


def test_both_tables_take_the_columns_from_the_mixin() -> None:
    for model in (ApplicationMaterial, CaseFile):
        assert issubclass(model, StoredFile)
        cols = model.__table__.columns
        assert all(c in cols for c in SHARED), model
        assert (cols["content_type"].type.length, cols["sha256"].type.length) == (100, 64)


def test_the_values_of_a_stored_file() -> None:
    at = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
    got = stored(b"%PDF-1.4", None, "u_case_officer", at)
    assert got == {"content_type": OCTET_STREAM, "size": 8,
                   "sha256": hashlib.sha256(b"%PDF-1.4").hexdigest(), "content": b"%PDF-1.4",
                   "uploaded_at": at, "uploaded_by": "u_case_officer"}
    assert len(stored(b"x", "a" * 300, "u", at)["content_type"]) == 100
