"""The rules of a person's decision on a stored recommendation: which status may go to which, a dismissal's reason,
a snooze's end, and the words that refuse one (no database needed). The statuses themselves are a data shape
(``engine/model/statuses.py``), re-exported here for the store's modules."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from ..model.statuses import CLOSED_FOR_COOLDOWN, LIVE, REOPENABLE, VERBS, Status

__all__ = [
    "API", "CLOSED_FOR_COOLDOWN", "COMMAND_LINE", "DEFAULT_EXPIRY_GRACE_DAYS", "LIVE", "MAX_REASON", "REOPENABLE",
    "VERBS", "Asked", "Status", "decision_error", "latest_snooze_end", "refusal",
]  # fmt: skip


#: Open advice that no run has given again this many days past due expires (``batch --grace-days``).
DEFAULT_EXPIRY_GRACE_DAYS = 14


class Asked(NamedTuple):
    """How the asker names a decision's fields and reopens advice, for the messages that refuse one."""

    prefix: str  # of the field names: "--until" on the command line, "until" in the API's body
    reopen: str  # how to reopen ({id} for the recommendation's)


COMMAND_LINE = Asked("--", "kamengine recs reopen {id}")
API = Asked("", "POST /v1/recommendations/{id}/reopen")


def refusal(rec_id: str, current: str, wanted: str, reopen: str = COMMAND_LINE.reopen) -> str | None:
    """Why a person may not move a recommendation from ``current`` to ``wanted``; None if they may. ``reopen``:
    how the asker reopens one (the command line's way, or the API's)."""
    if wanted == Status.OPEN:
        return (
            None if current in REOPENABLE else f"{rec_id} is {current}; only done, dismissed or expired advice reopens"
        )
    if current in (Status.DONE, Status.DISMISSED):
        return f"{rec_id} is {current}; reopen it first ({reopen.format(id=rec_id)})"
    if current == Status.RESOLVED and wanted != Status.DISMISSED:
        return f"{rec_id} is resolved (its reason is gone); it can only be dismissed"
    return None


#: The longest reason a person may give: a sentence or a paragraph, kept in every history entry.
MAX_REASON = 2000


def latest_snooze_end(today: dt.date) -> dt.date:
    """A snooze ends at most a year after ``today`` (28 February for a 29 February): further off, it is a
    dismissal without the reason a dismissal needs."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def decision_error(wanted: str, reason: str, until: dt.date | None, today: dt.date, prefix: str = "--") -> str | None:
    """What is wrong with a decision whatever it is about (a usage mistake); None if nothing. ``prefix`` names
    the fields as the asker wrote them: ``--reason`` on the command line, ``reason`` in the API's JSON body."""
    if len(reason) > MAX_REASON:
        return f"{prefix}reason is {len(reason):,} characters long: at most {MAX_REASON:,}"
    if wanted == Status.DISMISSED and not reason.strip():
        return f"a dismissal needs a reason ({prefix}reason): it is kept with the recommendation for whoever looks next"
    if wanted == Status.SNOOZED:
        if until is None:
            return f"a snooze needs an end date ({prefix}until)"
        if until < today:
            return (
                f"{prefix}until {until.isoformat()} is in the past: a snooze ends today ({today.isoformat()}) or later"
            )
        latest = latest_snooze_end(today)
        if until > latest:
            return (
                f"{prefix}until {until.isoformat()} is more than a year ahead: a snooze ends by {latest.isoformat()}"
                " at the latest (dismiss, with a reason, what will not matter within a year)"
            )
    return None
