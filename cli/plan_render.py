"""How ``kamengine plan`` shows a week: per person a table for a terminal or Markdown for a team meeting; JSON, CSV."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from itertools import groupby
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .output import Output

#: The flat form of a planned approach, for CSV (and JSON lines' neighbours: the rows of the table).
COLUMNS = (
    "owner_id", "owner", "week", "day", "moved_from", "over_capacity", "account_id", "company", "priority",
    "action", "what", "also", "compliance", "rationale", "id", "approach", "overdue_since", "attendees",
)  # fmt: skip


#: The items shown, and the person of ``--owner`` (None: everyone's plan).
Everyone = tuple[Sequence[Any], "str | None"]

#: A person plans by the day of the week (not the locale's names: the table reads the same everywhere).
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def render(output: Output, items: Sequence[Any], week: str, guest: str | None = None) -> str:
    """The week in the chosen format; JSON keeps the documents ``plan --format json`` has always given. With
    ``guest`` (``--owner``), a colleague's table holds the meetings the guest attends, and its heading says so."""
    from kamengine.plugins import text_formats as formats

    if output.format in ("table", "markdown") and not items:
        return f"Nothing planned for week {week}.\n"
    if output.format == "table":
        layout = formats.Layout.for_stream(sys.stdout)
        return "\n".join(_table(person, theirs, week, (items, guest), layout) for person, theirs in _people(items))
    if output.format == "markdown":
        return "\n".join(_markdown(person, theirs, week, (items, guest)) for person, theirs in _people(items))
    return output.text([_row(i) for i in items], COLUMNS, documents=[item_json(i) for i in items])


def _table(person: str, items: list[Any], week: str, everyone: Everyone, layout: Any) -> str:
    from kamengine.plugins.text_formats import table

    when = "every week" if week == "all" else f"week {week}"
    heading = f"{person} — {when}: {_counts(items, everyone)}"
    rows: list[dict[str, Any]] = []
    notes: list[list[str]] = []
    for number, (iso_week, theirs) in enumerate(_weeks(items) if week == "all" else [(week, items)]):
        if week == "all":  # the weeks read apart: a blank line, then the week and its load, in the day column
            rows += [{}] if number else []
            rows.append({"day": f"week {iso_week}", "what": _counts(theirs, everyone, iso_week)})
            notes += [[]] * (2 if number else 1)
        for item in theirs:
            row = _row(item)
            rows.append({**row, "day": f"{item.day.isoformat()} {_WEEKDAYS[item.day.weekday()]}"})
            notes.append(
                _with(item) + [f"+ {a}" for a in row["also"]] + [f"! {n}" for n in row["compliance"]] + _flags(item)
            )
    shown = ("day", "company", "priority", "what")
    return f"{heading}\n" + table(rows, shown, notes=notes, right=("priority",), layout=layout)


def _markdown(person: str, items: list[Any], week: str, everyone: Everyone) -> str:
    from kamengine.plugins.text_formats import markdown, markdown_text

    columns, headers = ("day", "company", "what", "with", "also", "why", "compliance"), {"why": "why first"}
    heading = f"## {markdown_text(person)} — {'every week' if week == 'all' else f'week {week}'}\n\n"
    if week != "all":
        return heading + markdown([_markdown_row(i) for i in items], columns, headers)
    return heading + "\n".join(
        f"### {iso_week}: {markdown_text(_counts(theirs, everyone, iso_week))}\n\n"
        + markdown([_markdown_row(i) for i in theirs], columns, headers)
        for iso_week, theirs in _weeks(items)
    )


def _markdown_row(item: Any) -> dict[str, Any]:
    row = _row(item)
    row["why"] = f"{' '.join(row['rationale'].split())} (priority {row['priority']})"
    row["why"] += "".join(f" [{flag}]" for flag in _flags(item))
    row["with"] = row["attendees"]
    return row


def _weeks(items: list[Any]) -> list[tuple[str, list[Any]]]:
    """A person's items by ISO week, in order (they come sorted by day)."""
    return [(iso_week, list(theirs)) for iso_week, theirs in groupby(items, key=lambda i: i.week)]


def _counts(items: list[Any], shown: Everyone, week: str | None = None) -> str:
    """What a person's items take: the customer meetings they lead and those they attend (as their capacity counts
    them), gifts and greetings (no meeting), our own work; ``shown`` holds every item shown (the meetings they may
    attend) and the guest of ``--owner``; ``week``: that week's only."""
    everyone, guest = shown
    everyone = [i for i in everyone if week in (None, i.week)]
    owner = items[0].owner_id if items else None
    if guest is not None and owner != guest:  # a colleague's meetings the guest attends, not all of theirs
        name = next((f"{a.name} ({a.role})" for i in items for a in i.attendees if a.id == guest), guest)
        return f"{_many(len(items), 'customer meeting', 'customer meetings')} {name} attends"
    customer = sum(1 for i in items if i.customer_action)
    own = _many(len(items) - customer, "of our own", "of our own")
    if owner is None:  # nobody to lead them yet: whether each would be a meeting is for whoever is staffed
        return f"{_many(customer, 'customer action', 'customer actions')}, {own}"
    led = sum(1 for i in items if i.meeting)
    attended = sum(1 for i in everyone if i.meeting and owner in (a.id for a in i.attendees))
    text = f"leads {_many(led, 'customer meeting', 'customer meetings')}" + (
        f", attends {attended}" if attended else ""
    )
    light = customer - led
    return text + (f", {_many(light, 'gift or greeting', 'gifts or greetings')}" if light else "") + f", {own}"


def _many(count: int, one: str, more: str) -> str:
    return f"{count} {one if count == 1 else more}"


def _people(items: Sequence[Any]) -> list[tuple[str, list[Any]]]:
    ordered = sorted(items, key=lambda i: (i.owner_id is None, i.owner_name, i.day, -i.lead.priority))
    return [(name, list(group)) for name, group in groupby(ordered, key=_person)]


def _person(item: Any) -> str:
    owner = item.lead.owner
    return f"{owner.name} ({owner.role})" if owner else "Unassigned: the account has no team (sales management)"


def _row(item: Any) -> dict[str, Any]:
    """One planned approach, flat: its lead, what rides along, what compliance says of it (each once)."""
    lead = item.lead
    notes = [r.compliance for r in (lead, *item.companions) if r.compliance]
    moved = item.moved_from.isoformat() if item.moved_from else None
    return {
        "owner_id": item.owner_id, "owner": _person(item), "week": item.week, "day": item.day.isoformat(),
        "moved_from": moved, "over_capacity": item.over_capacity, "account_id": lead.account_id,
        "company": lead.account_name or lead.account_id, "priority": f"{lead.priority:g}", "action": lead.action,
        "what": lead.title, "also": [c.title for c in item.companions], "compliance": list(dict.fromkeys(notes)),
        "rationale": lead.rationale, "id": lead.id, "approach": lead.approach,
        "overdue_since": item.overdue_since.isoformat() if item.overdue_since else None,
        "attendees": [f"{a.name} ({a.role})" for a in item.attendees],
    }  # fmt: skip


def _with(item: Any) -> list[str]:
    """Who comes along, as the line under the occasion: the lead's owner meets, these attend."""
    return [f"with {', '.join(f'{a.name} ({a.role})' for a in item.attendees)}"] if item.attendees else []


def _flags(item: Any) -> list[str]:
    flags = []
    if item.overdue_since:
        flags.append(f"overdue: due {item.overdue_since.isoformat()}")
    if item.moved_from:
        flags.append(f"moved from {item.moved_from.isoformat()}: {item.moved_because or 'the week was full'}")
    return flags


def item_json(item: Any) -> dict[str, Any]:
    """A planned approach as ``plan --format json`` gives it (the service's ``/v1/plan`` too)."""
    document: dict[str, Any] = item.to_dict()
    return document


def render_load(output: Output, planned: Any, owner: str | None) -> str:
    """``plan --load``: per person, customer meetings per week of the horizon against capacity; then what
    was not planned, with why."""
    from kamengine.engine.api.week import load
    from kamengine.plugins import text_formats as formats

    people = [p for p in load(planned) if owner in (None, p.person.id)]
    missed = [u for u in planned.unplanned if owner in (None, u.item.owner_id)]
    if output.format in ("json", "jsonl"):
        document = {
            "as_of": planned.as_of.isoformat(), "weeks": list(planned.weeks), "load": [p.to_dict() for p in people],
            "not_planned": [u.to_dict() for u in missed],
        }  # fmt: skip
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    weeks = list(planned.weeks)
    closed = {w for w in weeks if _closed_week(w, planned.settings)}  # the year-end break: no room, not a free week
    rows = [
        {"person": f"{p.person.name} ({p.person.role})",
         **{w[5:]: "closed" if w in closed and not p.weeks[w] else f"{p.weeks[w]}/{p.weekly_capacity}" for w in weeks},
         "busiest day": f"{p.busiest_day}/{p.daily_capacity}", "no room for": p.not_planned}
        for p in people
    ]  # fmt: skip
    columns = ("person", *(w[5:] for w in weeks), "busiest day", "no room for")
    lost = [_missed_row(u) for u in missed]
    lost_columns = ("owner", "company", "due", "what", "why not")
    heading = f"Customer meetings a week against capacity, {weeks[0]} to {weeks[-1]} (as of {planned.as_of})"
    if output.format == "markdown":
        text = f"## {heading}\n\n" + formats.markdown(rows, columns)
        return text + (f"\n## Not planned\n\n{formats.markdown(lost, lost_columns)}" if lost else "")
    if output.format == "csv":
        return output.text(rows, columns)
    layout = formats.Layout.for_stream(sys.stdout)
    text = f"{heading}\n" + (formats.table(rows, columns, layout=layout) if rows else "Nobody has meetings.\n")
    if lost:
        text += f"\nNot planned ({len(lost)})\n" + formats.table(lost, lost_columns, layout=layout)
    return text


def _closed_week(week: str, settings: Any) -> bool:
    """Whether every weekday of an ISO week is in the plan's closed days (``[plan] closed``, the year-end break)."""
    import datetime as dt

    from kamengine.engine.api.week import monday

    return all(settings.is_closed(monday(week) + dt.timedelta(days=n)) for n in range(5))


def _missed_row(unplanned: Any) -> dict[str, Any]:
    item = unplanned.item
    return {
        "owner": _person(item), "company": item.lead.account_name or item.lead.account_id,
        "due": item.day.isoformat(), "what": item.lead.title, "why not": unplanned.reason,
    }  # fmt: skip
