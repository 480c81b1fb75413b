"""Explaining advice through the Engine: why a rule fired, or did not."""

from __future__ import annotations

from .base import EngineParts


class ExplainAPI(EngineParts):
    """The Engine's part for explaining advice."""
