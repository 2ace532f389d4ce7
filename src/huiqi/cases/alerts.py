"""What the cases' timers do when they fire (registered with the worker on import)."""

from __future__ import annotations
