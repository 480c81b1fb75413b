"""The week plan through the Engine: from snapshots or from the store."""

from __future__ import annotations

from .base import EngineParts


class WeekAPI(EngineParts):
    """The Engine's part for the week plan."""
