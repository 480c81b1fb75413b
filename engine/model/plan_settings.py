"""How a plan weighs urgency and spreads work: the ``[plan]`` settings of kamengine.toml, with defaults."""

from __future__ import annotations

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
    weekly_capacity: int = 8  # customer actions one person can do in a week (kamengine plan)
    capacity: Mapping[str, int] = field(default_factory=dict)  # per team member id, over weekly_capacity
    year_end_break: bool = True  # where Christmas is a holiday, nothing falls due from Dec 24 to Dec 31
    quiet_stages: tuple[str, ...] = ("bidding", "negotiation")  # a deal being decided: hospitality needs approval
    urgency: Urgency = field(default_factory=Urgency)

    def capacity_of(self, member_id: str) -> int:
        return self.capacity.get(member_id, self.weekly_capacity)
