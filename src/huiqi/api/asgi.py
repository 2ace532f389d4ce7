"""The application for an ASGI server: ``uvicorn --factory huiqi.api.asgi:app``.

A factory, so that nothing is built at import time; the settings come from the
environment (``HUIQI_*``) and default secrets are refused outside development.
"""

from __future__ import annotations

from fastapi import FastAPI

from huiqi.settings import service_settings


def app() -> FastAPI:
    import os

    from huiqi.files import UMASK

    from . import create_app

    os.umask(UMASK)  # a server process: the files it creates are its owner's alone
    return create_app(service_settings(), warm=True)
