"""The application as a server starts it: packs warmed, then the heap set aside."""

from __future__ import annotations

import gc

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
