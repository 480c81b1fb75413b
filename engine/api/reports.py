"""Reports over the store through the Engine: coverage, effectiveness, rules, the store's health."""

from __future__ import annotations

from .base import EngineParts


class ReportsAPI(EngineParts):
    """The Engine's part for reports."""
