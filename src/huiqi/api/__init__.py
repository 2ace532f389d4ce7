"""The REST API of the platform (FastAPI). Build it with :func:`create_app`; nothing is
built at import time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from huiqi.settings import Settings

__all__ = ["create_app"]


def create_app(settings: Settings, **kwargs: Any) -> FastAPI:
    from .app import create_app as _create

    return _create(settings, **kwargs)
