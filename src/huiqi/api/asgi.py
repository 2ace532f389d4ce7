"""The application for an ASGI server: ``uvicorn --factory huiqi.api.asgi:app``.

A factory, so that nothing is built at import time; the settings come from the
environment (``HUIQI_*``) and default secrets are refused outside development.
"""

from __future__ import annotations

from fastapi import FastAPI

from huiqi.settings import service_settings


def app() -> FastAPI:
    from . import create_app

    return create_app(service_settings(), warm=True)
