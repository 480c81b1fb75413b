"""How a plan weighs urgency and spreads work: the ``[plan]`` settings of kamengine.toml, with defaults."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

_TIERS = {"strategic": 1.2, "key": 1.1, "standard": 1.0}
_STAGES = {"lead": 0.8, "qualified": 1.0, "bidding": 1.15, "negotiation": 1.25, "won": 1.1, "lost": 0.9}


@dataclass(frozen=True)
class Urgency:
    """priority = rule priority x influence x tier x deal; deal = value x stage x closing (docs/plan.md)."""

    tiers: Mapping[str, float] = field(default_factory=lambda: dict(_TIERS))
    stages: Mapping[str, float] = field(default_factory=lambda: dict(_STAGES))
    value_unit: float = 100_000.0  # a deal of this value counts 1 + value_slope * log10(2)
    value_slope: float = 0.25
    value_cap: float = 2.0
    close_horizon_days: int = 120  # closer than this, a deal's work grows more urgent ...
    close_boost: float = 0.5  # ... by up to this much the day before it closes
    overdue: float = 1.5  # a live deal past its close date


@dataclass(frozen=True)
class PlanSettings:
    """The plan's knobs; every one has a default and can be set in kamengine.toml ``[plan]``."""

    window_days: int = 14  # recommendations for one person within this many days are one approach
    weekly_capacity: int = 8  # customer meetings one person can do in a week, over all their accounts
    capacity: Mapping[str, int] = field(default_factory=dict)  # per team member id, over weekly_capacity
    daily_capacity: int = 3  # customer meetings one person can do in a day
    daily: Mapping[str, int] = field(default_factory=dict)  # per team member id, over daily_capacity
    horizon_weeks: int = 6  # weeks the plan books, this one included; what does not fit is listed, not planned
    # The year-end break, "MM-DD" to "MM-DD" (inclusive, across the new year; one date: that day): closed
    # in every region, whatever its public holidays say. () switches it off.
    closed: tuple[str, ...] = ("12-24", "01-01")
    lead_days: Mapping[str, int] = field(default_factory=dict)  # per action id, over the catalogue's lead time
    year_end_break: bool = True  # where Christmas is a holiday, nothing falls due from Dec 24 to Dec 31
    quiet_stages: tuple[str, ...] = ("bidding", "negotiation")  # a deal being decided: hospitality needs approval
    urgency: Urgency = field(default_factory=Urgency)

    def capacity_of(self, member_id: str) -> int:
        """Customer meetings a week for this member."""
        return self.capacity.get(member_id, self.weekly_capacity)

    def daily_capacity_of(self, member_id: str) -> int:
        """Customer meetings a day for this member."""
        return self.daily.get(member_id, self.daily_capacity)

    def is_closed(self, day: dt.date) -> bool:
        """Whether ``day`` falls in the year-end break (``closed``)."""
        if not self.closed:
            return False
        start, end = self.closed[0], self.closed[-1]
        key = f"{day.month:02d}-{day.day:02d}"
        return start <= key <= end if start <= end else key >= start or key <= end
