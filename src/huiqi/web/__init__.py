"""The web pages: the enterprise policy calculator, the staff console and the leadership
dashboard, served by the same application as the API. Build it with :func:`create_app`;
nothing is built at import time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from huiqi.settings import Settings

__all__ = ["create_app"]


def create_app(settings: Settings, **kwargs: Any) -> FastAPI:
    """The API of :func:`huiqi.api.create_app` with the pages added."""
    from huiqi.api import create_app as api

    from .app import install

    app = api(settings, **kwargs)
    install(app)
    return app
