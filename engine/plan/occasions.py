"""An occasion of an approach: what it is made of (its drafts, its day) and the scheduled activity it rides on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..model.actions import ActionType
from .draft import Draft


@dataclass(frozen=True)
class Scheduled:
    """An activity already in the calendar with a person: a fixed occasion plans can ride on."""

    action: ActionType
    day: dt.date
    activity_id: str


@dataclass
class Approach:
    """One occasion: its members (the lead first), its date, and what it rides on, if anything."""

    members: list[Draft]
    day: dt.date
    scheduled: Scheduled | None = None
    notes: list[str] = field(default_factory=list)
    dated: bool = False  # on a greeting's or festival's own day: never merged into another occasion
