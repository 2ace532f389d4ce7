"""``huiqi worker``: fire due timers (reminders, escalations, weekly-contact alerts) and do
each round's work (push deliveries, the evaluation of changed park statistics) until
stopped. Several may run at once on PostgreSQL (each timer is fired by one of them, once);
``huiqi serve`` runs one inside itself unless ``HUIQI_WORKER_EMBEDDED=false``."""

from __future__ import annotations

import os
import signal
import socket
import threading
from typing import Annotated

import typer

from huiqi.cli.app import _console, app, handles_errors
from huiqi.cli.service import DatabaseOpt, _platform


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


@app.command()
@handles_errors
def worker(database: DatabaseOpt = None,
           once: Annotated[bool, typer.Option("--once", help="只处理当前到期的一轮 / fire what "
                                              "is due now, then stop")] = False,
           poll: Annotated[float | None, typer.Option(help="轮询间隔(秒)/ seconds between "
                                                      "rounds")] = None) -> None:
    """按时触发到期的定时任务(提醒、督办升级、每周联系预警)。/ Fire due timers until stopped.

    Timers live in the database: a worker stopped or killed half-way loses none, and on
    PostgreSQL several workers never fire one twice.
    """
    from huiqi.api.timers import load_handlers
    from huiqi.workflow.timers import Worker, rounds, run_due

    load_handlers()
    with _platform(database) as platform:
        name = worker_name()
        if once:
            n = run_due(platform, name)
            n += sum(fn(platform, name) for fn in rounds())
            _console().print(f"已触发 {n} 个 / fired {n}")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        _console().print(f"huiqi worker {name}: 每 {poll or platform.settings.worker_poll_seconds}"
                         " 秒检查到期任务 / looking for due timers", markup=False)
        Worker(platform, name, poll or platform.settings.worker_poll_seconds, stop).run()
