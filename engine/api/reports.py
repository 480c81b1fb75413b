"""Reports over the store through the Engine: coverage, effectiveness, rules, the store's health.

Each reads only the store (``store``: the handle of ``engine.api.stores``), so each method is static: a command
calls ``Engine.rule_report(store)`` without loading playbooks. The shapes they answer with, and the rule report's
flag thresholds, are re-exported here for the front ends that render them.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import EngineParts

if TYPE_CHECKING:  # the store's report modules (sqlite3, statistics) load when a report is asked for, not with Engine
    from ..store.figures import LastRun
    from ..store.reports import Coverage, Effect
    from ..store.rule_reports import FLAG_MIN_DISMISSED, FLAG_MIN_RATE, FLAG_RATIO, RuleUse
    from ..store.store import Store

__all__ = [
    "FLAG_MIN_DISMISSED", "FLAG_MIN_RATE", "FLAG_RATIO", "Coverage", "Effect", "LastRun", "ReportsAPI", "RuleUse",
]  # fmt: skip
#: Where each re-exported name lives; imported from there when first asked for (PEP 562).
_HOMES = {
    "FLAG_MIN_DISMISSED": "rule_reports", "FLAG_MIN_RATE": "rule_reports", "FLAG_RATIO": "rule_reports",
    "RuleUse": "rule_reports", "Coverage": "reports", "Effect": "reports", "LastRun": "figures",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"..store.{_HOMES[name]}", __package__), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value


class ReportsAPI(EngineParts):
    """The Engine's part for reports over the store."""

    @staticmethod
    def coverage(store: Store, rule_ids: Iterable[str]) -> Coverage:
        """The latest run's accounts that got no recommendation, and the rules of ``rule_ids`` that never fired."""
        from ..store import reports

        return reports.coverage(store, rule_ids)

    @staticmethod
    def effectiveness(store: Store, by: str = "action") -> list[Effect]:
        """Per action (or ``by="rule"``): how the stance of the contacts it was done on moved afterwards, against
        comparable contacts (same starting stance, same dates) who did not get it."""
        from ..store import reports

        return reports.effectiveness(store, by)

    @staticmethod
    def rule_report(store: Store, since: dt.date | None = None) -> list[RuleUse]:
        """Per rule: what people did with its advice (first given on or after ``since``), the stance it moved, and
        whether it is flagged as dismissed far more than the others (``FLAG_*``)."""
        from ..store import rule_reports

        return rule_reports.rule_report(store, since)

    @staticmethod
    def store_trouble(path: Path) -> str | None:
        """What keeps the store's file at ``path`` from being read now, or None: read through a fresh read-only
        connection (the header, the schema, the first page of each table every request reads)."""
        from ..store.health import file_trouble

        return file_trouble(path)

    @staticmethod
    def last_finished_run(store: Store) -> LastRun | None:
        """The latest finished batch run (accounts, failures, when and how long), for ``GET /metrics``."""
        from ..store import figures

        return figures.last_finished_run(store)

    @staticmethod
    def store_bytes(store: Store) -> int:
        """The store's size in bytes, for ``GET /metrics``."""
        from ..store import figures

        return figures.store_bytes(store)
