"""What the cases' timers do when they fire: importing this module registers every handler
with the worker (the weekly-contact check of approval projects, the escalation of overdue
measures, the breach of a working-day target)."""

from __future__ import annotations

from .agency import CONTACT_CHECK
from .sla import CHECK
from .supervision import ESCALATE

KINDS = (CONTACT_CHECK, ESCALATE, CHECK)

__all__ = ["KINDS"]
