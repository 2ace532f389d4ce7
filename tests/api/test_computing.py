"""The computing thread: work runs off the event loop, one call at a time, first come first
served, with one thread per event loop."""

from __future__ import annotations

import threading
import time

import anyio

from huiqi.api.computing import computed


def test_calls_run_off_the_loop_one_at_a_time_in_the_order_asked() -> None:
    ran: list[int] = []
    threads: set[int] = set()
    busy = [0, 0]  # running now, most at once

    def work(i: int) -> int:
        busy[0] += 1
        busy[1] = max(busy)
        threads.add(threading.get_ident())
        time.sleep(0.01)  # long enough for another thread to overlap, were one allowed
        ran.append(i)
        busy[0] -= 1
        return i * i

    async def main() -> list[int]:
        results: dict[int, int] = {}

        async def one(i: int) -> None:
            results[i] = await computed(work, i)

        async with anyio.create_task_group() as tg:
            for i in range(8):
                tg.start_soon(one, i)
                await anyio.sleep(0)  # each asks in turn
        return [results[i] for i in range(8)]

    assert anyio.run(main) == [i * i for i in range(8)]
    assert ran == list(range(8))
    assert busy[1] == 1
    assert threading.get_ident() not in threads


def test_each_event_loop_has_its_own_computing_thread() -> None:
    for _ in range(2):  # a limiter bound to a finished loop would fail here
        assert anyio.run(computed, sum, [1, 2, 3]) == 6
