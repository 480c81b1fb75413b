"""Due dates a person can keep: on the day a greeting is for, before the deal it serves closes, on a working day.

An action that takes longer to organise (``lead_days``) than the time left before its deal
closes cannot serve the deal and is dropped. Greetings, festival visits and work for a live
deal move before a holiday; everything else moves to the next working day of the account's region.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .calendar import Calendar
from .draft import Draft

SLIPPED_DEAL_DAYS = 21  # how far ahead work for a deal whose close date passed is planned (issue 22 point 7)
UNREADY = " to organise; the occasion is on"  # why a draft cannot ride on an occasion too soon for it

#: Actions that are for a date: the field holding the days until it, and the offset from it.
ON_DATE = {
    "birthday_greeting": ("days_to_birthday", 0),  # on the birthday
    # The week before the festival: people leave for it, and a gift on its eve comes too late.
    "festival_visit": ("account.days_to_festival", -7),
    "compliant_gift": ("account.days_to_festival", -7),
}


def set_due(draft: Draft, as_of: dt.date, account: dict[str, Any], calendar: Calendar) -> str | None:
    """Date the draft; return why it cannot happen in time (and leave it undated), or None."""
    due = draft.due
    anchor = ON_DATE.get(draft.action.id)
    if anchor is not None:
        field, offset = anchor
        days = account.get(field[8:]) if field.startswith("account.") else (draft.subject or {}).get(field)
        if isinstance(days, int):
            due = as_of + dt.timedelta(days=max(0, days + offset))
    ready = as_of + dt.timedelta(days=draft.action.lead_days) if draft.action.lead_days else as_of
    due = max(due, ready)
    last = last_day(draft)
    if last is not None:
        if ready > last:
            deal = draft.deal or {}
            return (
                f"{draft.action.id} takes {draft.action.lead_days} days to organise; "
                f"{deal.get('name')} closes on {deal.get('close_date')}"
            )
        due = min(due, last)
    # Work for a closing deal moves before a holiday (the customer leaves for it; the deal does not wait).
    moved = _working_day(due, as_of, last, draft.action.before_holidays or last is not None, calendar)
    if moved < ready <= due:  # moving before a holiday never lands before it can be organised (lead time)
        moved = calendar.next_working_day(due)
        moved = moved if last is None or moved <= last else due
    if moved != due:
        draft.notes.append(f"due: {due.isoformat()} is not a working day in {calendar.region}; {moved.isoformat()}")
    draft.due = moved
    return None


def occasion_day(members: list[Draft], as_of: dt.date) -> dt.date:
    """The earliest date any member needs, unless the lead needs longer to organise."""
    lead = members[0]
    earliest = min(d.due for d in members) if len(members) > 1 else lead.due
    if not lead.action.lead_days:
        return max(earliest, min(lead.due, as_of))
    ready = as_of + dt.timedelta(days=lead.action.lead_days)
    return max(earliest, min(lead.due, ready))


def own_day(draft: Draft) -> dt.date | None:
    """The day a greeting, a festival gift or visit is for (its due date, set by ``set_due``); None for the rest."""
    return draft.due if draft.action.id in ON_DATE else None


def last_day(draft: Draft) -> dt.date | None:
    """The last day an action serving a live deal can happen: the day before it closes."""
    deal = draft.deal
    if deal is None or not deal.get("live") or deal.get("close_date") is None:
        return None
    close: dt.date = deal["close_date"]
    days_left = deal.get("days_to_close")
    if isinstance(days_left, int) and days_left < 1:
        # Slipped (overdue but live): its date says nothing any more, and until the customer confirms one
        # nothing for it is planned more than SLIPPED_DEAL_DAYS ahead (the confirmation itself is due at once).
        return close + dt.timedelta(days=SLIPPED_DEAL_DAYS - days_left)
    return close - dt.timedelta(days=1)


def _working_day(due: dt.date, as_of: dt.date, last: dt.date | None, before: bool, calendar: Calendar) -> dt.date:
    day = calendar.previous_working_day(due) if before else calendar.next_working_day(due)
    if day < as_of:
        day = calendar.next_working_day(as_of)
    if last is not None and day > last:
        day = max(calendar.previous_working_day(last), as_of)
    return day


def after_window(approach: Any, draft: Draft, window: int, calendar: Calendar | None) -> dt.date | None:
    """The first working day after an occasion's fortnight (``approach.day``), for what needs longer to
    organise than the occasion leaves it; None when the deal it serves closes before."""
    day = approach.day + dt.timedelta(days=window + 1)
    if calendar is not None:
        day = calendar.next_working_day(day)
    last = last_day(draft)
    return None if last is not None and day > last else day
