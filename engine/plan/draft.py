"""A recommendation while it is being planned: what the plan's steps read and decide about it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..evaluate.rounding import hundredths
from ..model.actions import ActionType
from ..model.recommendation import Owner, Recommendation

Record = dict[str, Any]


@dataclass(slots=True)
class Draft:
    """One recommendation and the plan's decisions so far."""

    rec: Recommendation
    action: ActionType
    subject: Record | None  # the contact or opportunity record; None for the account
    deal: Record | None = None  # the opportunity it serves
    owner: Owner | None = None
    priority: float = 0.0
    due: dt.date = dt.date.min
    approach: str | None = None
    attendees: tuple[Owner, ...] = ()  # colleagues the occasion brings along besides its owner
    notes: list[str] = field(default_factory=list)  # how the plan shaped it, for explain
    compliance: list[str] = field(default_factory=list)  # approvals it needs, added to the rule's note

    def __post_init__(self) -> None:
        self.priority = self.rec.priority
        self.due = self.rec.due

    @property
    def customer_facing(self) -> bool:
        """A meeting, event, message, gift or care for a person or deal (not our own work)."""
        return self.action.kind != "internal"

    def finished(self) -> Recommendation:
        """The recommendation with the plan's decisions in it."""
        # dataclasses.replace validates and calls __init__: a fifth of the plan's time. The fields are the
        # dataclass's own, so a copy of the record's __dict__, with the plan's decisions set in it, is the same record.
        rec, owner = self.rec, self.owner
        state = rec.__dict__.copy()
        state["priority"] = hundredths(self.priority)
        state["due"] = self.due
        state["owner"] = owner
        state["owner_role"] = owner.role if owner else rec.owner_role
        state["approach"] = self.approach
        state["attendees"] = self.attendees
        state["opportunity_id"] = str(self.deal["id"]) if self.deal else None
        if self.compliance:
            state["compliance"] = "; ".join(filter(None, (rec.compliance, *self.compliance))) or None
        finished: Recommendation = object.__new__(Recommendation)
        object.__setattr__(finished, "__dict__", state)
        return finished
