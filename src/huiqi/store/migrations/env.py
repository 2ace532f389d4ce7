"""Alembic's entry point: runs the migrations on the connection huiqi hands it."""

from __future__ import annotations

from alembic import context

import huiqi.analytics.models
import huiqi.cases.models
import huiqi.programmes.models  # every area's tables on the metadata, for autogenerate
import huiqi.push.models
import huiqi.registry.changes
import huiqi.registry.claims
import huiqi.vouchers.models
import huiqi.workflow.models
import huiqi.workflow.timers  # noqa: F401
from huiqi.store.models import Base


def run() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()
