"""The site as a server starts it: with ``warm``, every page template is compiled before
the first request (not on the first view of each page in each server process)."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from huiqi.service.context import Platform
from huiqi.web import create_app


def test_a_warmed_up_site_has_compiled_every_template(platform: Platform) -> None:
    settings = platform.settings.model_copy(update={"match_precompute": False})
    try:
        for warm in (True, False):
            app = create_app(settings, platform=platform, warm=warm)
            env = app.state.templates
            assert len(env.cache) == 0
            with TestClient(app):
                compiled = len(env.cache)
            names = env.list_templates(filter_func=lambda n: n.endswith(".html"))
            assert compiled == (len(names) if warm else 0), (warm, compiled, len(names))
    finally:
        gc.unfreeze()  # the warm-up set the heap aside: give the test process its collector back
