"""The ``[retention]`` settings of kamengine.toml: how long the store keeps closed advice, snapshots, runs, the log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import limits


@dataclass(frozen=True)
class Retention(limits.Retention):
    """The decision log's days and ``log_advise`` (``limits.Retention``), and how many days ``kamengine store prune``
    and the nightly batch keep the rest by; None keeps it forever, as a store always did."""

    # Closed advice (done, dismissed, resolved, expired), by the day it closed: what a cooldown still holds stays.
    closed_recommendation_days: int | None = None
    # Snapshots older than this (by their date) go; each account's latest stays, and those the log still names.
    snapshot_days: int | None = None
    # Runs (and their per-account records and deliveries) by the day they started; the latest of each source stays.
    run_days: int | None = None

    @property
    def prunes(self) -> bool:
        """Whether any of the store's tables besides the decision log has a retention (the nightly run prunes them)."""
        return any(days is not None for days in (self.closed_recommendation_days, self.snapshot_days, self.run_days))


def cutoff(today: dt.date, days: int | None) -> str | None:
    """The first ISO date kept when ``days`` are kept up to ``today``; None when everything is kept."""
    return None if days is None else (today - dt.timedelta(days=days)).isoformat()
