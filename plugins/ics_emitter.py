"""Built-in emitter ``ics``: an iCalendar file proposing an all-day event per meeting, on its due date.

One event per approach: a meeting that carries several reasons (the executive visit that also
brings the birthday wishes) is one event, its companions listed in the description. The
summary names the company; the owner, when the plan named one, is the attendee.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from kamengine.engine.plugin import EmitContext, Emitter, Recommendation, hookimpl, write_atomically


class IcsEmitter(Emitter):
    PLUGIN_NAME = "ics"
    DESCRIPTION = (
        "an iCalendar (.ics) file at TARGET: one proposed event per meeting (visit-type action), on its due date"
    )
    TARGET_REQUIRED = True

    def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
        assert self.target
        import icalendar  # only when a calendar is written: it costs every process that imports it

        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//kamengine//recommendations//EN")
        calendar.add("version", "2.0")
        stamp = dt.datetime.now(dt.UTC)
        meetings = [group for group in _approaches(recommendations) if _is_visit(group[0], context)]
        for lead, *companions in meetings:
            calendar.add_component(_event(icalendar, lead, companions, stamp))
        write_atomically(self.target, calendar.to_ical())
        return f"{len(meetings)} proposed visits written to {self.target}"


def _approaches(recommendations: Sequence[Recommendation]) -> list[list[Recommendation]]:
    """Recommendations grouped by approach, lead first (they come in that order)."""
    groups: dict[str, list[Recommendation]] = {}
    for rec in recommendations:
        groups.setdefault(rec.approach or rec.id, []).append(rec)
    return list(groups.values())


def _is_visit(rec: Recommendation, context: EmitContext) -> bool:
    return rec.action in context.actions and context.actions[rec.action].visit


def _event(icalendar: Any, lead: Recommendation, companions: list[Recommendation], stamp: dt.datetime) -> Any:
    event = icalendar.Event()
    event.add("uid", f"{lead.approach or lead.id}@kamengine")  # stable: re-importing updates, not duplicates
    event.add("dtstamp", stamp)
    event.add("dtstart", lead.due)
    event.add("dtend", lead.due + dt.timedelta(days=1))
    event.add("summary", f"{lead.account_name}: {lead.title}" if lead.account_name else lead.title)
    owner = f"{lead.owner.name} ({lead.owner.role})" if lead.owner else lead.owner_role
    lines = [lead.rationale, *(f"Also: {c.title}" for c in companions), "", f"Rule: {lead.rule}. Owner: {owner}."]
    event.add("description", "\n".join(lines))
    event.add("categories", [lead.action, *(c.action for c in companions)])
    if lead.owner:
        attendee = icalendar.vCalAddress(f"urn:kamengine:member:{lead.owner.id}")
        attendee.params["cn"] = icalendar.vText(lead.owner.name)
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    event.add("status", "TENTATIVE")
    return event


@hookimpl
def kamengine_register_emitters() -> list[type[Emitter]]:
    return [IcsEmitter]
