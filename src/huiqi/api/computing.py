"""Work that takes milliseconds of CPU (matching an enterprise that is not remembered)
runs in one worker thread per event loop, in the order it was asked for.

Run on the event loop itself, such work holds up everything else the loop does; under
full load, uvloop then served some clients seconds late while others went on (p99 7.2 s
against p50 0.5 s). In one thread, queued first come first served, the loop keeps
answering remembered responses and writing finished ones out (p99 0.34 s; bench/
RESULTS.md, API load). One thread, not many: the work holds the interpreter lock, so
more threads would only take turns and cost switches.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar

P = ParamSpec("P")
R = TypeVar("R")

_limiter: RunVar[anyio.CapacityLimiter] = RunVar("huiqi_computing")


def _thread() -> anyio.CapacityLimiter:
    try:
        return _limiter.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(1)
        _limiter.set(limiter)
        return limiter


async def computed(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``fn(*args, **kwargs)`` in the computing thread, once the work before it is done."""
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs),
                                          limiter=_thread())
