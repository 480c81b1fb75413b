"""Who may do what through the Engine: tokens, page sessions, the people a reader may see."""

from __future__ import annotations

from .base import EngineParts


class AccessAPI(EngineParts):
    """The Engine's part for tokens and sessions."""
