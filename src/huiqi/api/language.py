"""The language of a response: ``?lang=`` first, then ``Accept-Language``, then the
settings' default."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from huiqi.text import Lang


def request_lang(request: HTTPConnection, default: Lang = "zh") -> Lang:
    q = request.query_params.get("lang")
    if q in ("zh", "en"):
        return q  # type: ignore[return-value]
    header = request.headers.get("accept-language")
    if header:
        best: tuple[float, Lang] | None = None
        for part in header.split(","):
            tag, _, params = part.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            primary = tag.strip().lower().split("-")[0]
            lang: Lang | None = "zh" if primary == "zh" else "en" if primary == "en" else None
            if lang is not None and quality > 0 and (best is None or quality > best[0]):
                best = (quality, lang)
        if best is not None:
            return best[1]
    return default
