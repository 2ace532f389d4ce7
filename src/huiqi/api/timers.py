"""The modules whose timer handlers a worker needs (each area registers its handlers with
:func:`huiqi.workflow.timers.handler` when imported): read by ``huiqi worker`` and by the
worker ``huiqi serve`` runs inside itself. A new area with timers adds its module here."""

from __future__ import annotations

import importlib

HANDLER_MODULES = (
    "huiqi.cases.alerts",   # weekly-contact checks of approval projects, measure escalations
    "huiqi.push.delivery",  # delivers push messages every round
    "huiqi.push.triggers",  # published versions, programme stages, case updates
    "huiqi.push.facts",     # an enterprise's facts changed
    "huiqi.push.timed",     # versions taking effect, application windows opening / closing
    "huiqi.analytics.evaluation",  # the evaluation of changed park statistics, every round
)


def load_handlers() -> None:
    for name in HANDLER_MODULES:
        importlib.import_module(name)
