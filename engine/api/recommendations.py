"""The stored recommendations through the Engine: list, show, decide, reopen."""

from __future__ import annotations

from .base import EngineParts


class RecommendationsAPI(EngineParts):
    """The Engine's part for stored recommendations."""
