"""The load at a glance, a section of the portfolio page: each person's customer meetings per ISO week of the
plan's horizon against their capacity, and what the plan could not place, with why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from kamengine.engine.api.week import PersonLoad, Unplanned

#: Not-planned rows shown on the page; the rest are counted (``kamengine plan --load`` lists them all).
NOT_PLANNED_SHOWN = 50


@dataclass(frozen=True)
class LoadSection:
    """The plan's weeks (this one first), each person's load over them, and what was not planned."""

    as_of: dt.date
    weeks: Sequence[str]
    people: Sequence[PersonLoad]
    not_planned: Sequence[Unplanned]

    @property
    def not_planned_shown(self) -> Sequence[Unplanned]:
        return self.not_planned[:NOT_PLANNED_SHOWN]


def level(meetings: int, capacity: int) -> str:
    """How full a person's week is, for its cell's class: free, some, full (at capacity) or over."""
    if meetings > capacity:
        return "over"
    if meetings == capacity:
        return "full"
    return "some" if meetings else "free"
