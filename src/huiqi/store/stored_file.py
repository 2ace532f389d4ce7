"""Files kept in the database byte for byte — an application's materials, a case's
attachments and evidence: the columns they share, declared once (a mixin of the tables;
each table keeps its own owner, purpose and name columns)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .types import UTCDateTime

#: what a file of an unknown type is sent as
OCTET_STREAM = "application/octet-stream"


class StoredFile:
    """The columns of a stored file: its type, size, SHA-256 digest and bytes, who uploaded
    it and when. Mixed into a mapped table (``class CaseFile(StoredFile, Base)``)."""

    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    uploaded_by: Mapped[str] = mapped_column(String(64))


def stored(content: bytes, content_type: str | None, by: str, at: dt.datetime
           ) -> dict[str, Any]:
    """The values of :class:`StoredFile`'s columns for ``content``: its size and digest
    computed here, the type cut to the column (unknown: ``application/octet-stream``)."""
    return {"content_type": (content_type or OCTET_STREAM)[:100], "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(), "content": content,
            "uploaded_at": at, "uploaded_by": by}


__all__ = ["OCTET_STREAM", "StoredFile", "stored"]
