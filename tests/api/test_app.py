"""The application as a server starts it: packs warmed, then the heap set aside."""

from __future__ import annotations

import gc

import pytest
from fastapi.testclient import TestClient

from huiqi.api import create_app
from huiqi.service.context import Platform


def test_a_warmed_up_server_sets_what_is_alive_aside_from_the_collector(
        platform: Platform) -> None:
    settings = platform.settings.model_copy(update={"match_precompute": False})
    gc.unfreeze()
    try:
        app = create_app(settings, platform=platform, warm=True)
        assert gc.get_freeze_count() == 0  # nothing before the server starts
        with TestClient(app) as client:
            assert gc.get_freeze_count() > 0
            assert client.get("/health").json() == {"status": "ok"}
    finally:
        gc.unfreeze()  # give the test process its collector back


def test_a_warmed_up_server_has_built_its_routes_before_the_first_request(
        platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    """FastAPI builds a group of routes' dependencies and schemas on the group's first use
    (0.1-0.7 s of CPU each): a warmed-up server has done so at start-up, before its heap is
    set aside, and its first requests build nothing; one not warmed up builds them then."""
    import fastapi.routing as R

    from huiqi.web import create_app as site

    built: list[str] = []
    original = R._EffectiveRouteContext.from_api_route.__func__  # type: ignore[attr-defined]

    def counted(cls: type, *args: object, **kwargs: object) -> object:
        built.append("route")
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(R._EffectiveRouteContext, "from_api_route", classmethod(counted))
    settings = platform.settings.model_copy(update={"match_precompute": False})
    gc.unfreeze()
    try:
        for warm in (True, False):
            with TestClient(site(settings, platform=platform, warm=warm)) as client:
                started = len(built)
                assert client.get("/calculator").status_code == 200
                assert client.get("/health").status_code == 200
                assert (len(built) == started) == warm, (warm, started, len(built))
    finally:
        gc.unfreeze()
