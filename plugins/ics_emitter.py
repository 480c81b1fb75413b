"""Built-in emitter ``ics``: an iCalendar file proposing an all-day event per visit on its due date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from kamengine.engine.plugin import EmitContext, Emitter, Recommendation, hookimpl


class IcsEmitter(Emitter):
    PLUGIN_NAME = "ics"
    DESCRIPTION = "an iCalendar (.ics) file at TARGET: one proposed event per visit-type action, on its due date"
    TARGET_REQUIRED = True

    def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
        assert self.target
        import icalendar  # only when a calendar is written: it costs every process that imports it

        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//kamengine//recommendations//EN")
        calendar.add("version", "2.0")
        stamp = dt.datetime.now(dt.UTC)
        visits = [r for r in recommendations if r.action in context.actions and context.actions[r.action].visit]
        for rec in visits:
            event = icalendar.Event()
            event.add("uid", f"{rec.id}@kamengine")  # stable: re-importing updates, not duplicates
            event.add("dtstamp", stamp)
            event.add("dtstart", rec.due)
            event.add("dtend", rec.due + dt.timedelta(days=1))
            event.add("summary", rec.title)
            event.add("description", f"{rec.rationale}\n\nRule: {rec.rule}. Owner: {rec.owner_role}.")
            event.add("categories", [rec.action])
            event.add("status", "TENTATIVE")
            calendar.add_component(event)
        Path(self.target).write_bytes(calendar.to_ical())
        return f"{len(visits)} proposed visits written to {self.target}"


@hookimpl
def kamengine_register_emitters() -> list[type[Emitter]]:
    return [IcsEmitter]
