"""The platform's fact catalogue: the base catalogue and the facts every published pack
declares (``facts.yaml``).

Imports, the enterprises' facts endpoints, the calculator and park-wide matching read
facts with it, so a fact a pack declares is a fact of the platform from the moment the pack
is published (and not before: a draft's facts are its own). It is kept per process and
rebuilt when the set of published versions changes — a publish or a retirement, in this
process or another — which one small query per use tells.

A pack is published only if its facts agree with those of every other published pack
(:func:`others`): a fact declared again must mean the same.
"""

from __future__ import annotations

import dataclasses

from huiqi.errors import PackError
from huiqi.facts.catalogue import Catalogue, default_catalogue
from huiqi.facts.declared import extend
from huiqi.packs import versions as PV
from huiqi.store.models import PackVersion

from .context import Context

_CACHE = "platform-catalogue"


def _published(ctx: Context) -> list[tuple[str, PackVersion]]:
    with ctx.db.read() as s:
        return PV.all_published(s)


def platform_catalogue(ctx: Context) -> Catalogue:
    """The base catalogue and the facts of every published pack."""
    published = _published(ctx)
    stamp = tuple((k, v.id) for k, v in published)
    hit = ctx.platform.cache.get(_CACHE)
    if hit is not None and hit[0] == stamp:
        return hit[1]  # type: ignore[no-any-return]
    cat = _combined(ctx, published)
    ctx.platform.cache[_CACHE] = (stamp, cat)
    return cat


def others(ctx: Context, key: str) -> Catalogue:
    """The base catalogue and the facts of every published pack but ``key``: what a version
    of ``key`` is checked against (its facts may not clash with them)."""
    return _combined(ctx, [(k, v) for k, v in _published(ctx) if k != key])


def _combined(ctx: Context, published: list[tuple[str, PackVersion]]) -> Catalogue:
    from .policies import loaded

    cat = default_catalogue()
    for key, v in published:
        full = loaded(ctx, key, v).catalogue
        # its own facts only (a version published here was checked against the others', and
        # its catalogue holds theirs too: one of them retired since must not linger)
        own = dataclasses.replace(full, declared={
            k: w for k, w in full.declared.items() if w[0].startswith(f"{key}/")})
        if not own.declared:
            continue
        try:
            cat = extend(cat, own)
        except PackError:
            continue  # published before its clash could be refused: the first one stands
    return cat


__all__ = ["others", "platform_catalogue"]
