"""Derived fields of contacts and activities: history with us, the intimacy ladder, birthdays, departments."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..model.actions import BUILTIN_ACTIONS
from ..model.fields import FIRST_RUNG_CONTACT, INTIMACY_LADDER, LEVELS
from ..model.snapshot import OTHER_ACTIVITY, Activity, Contact

Record = dict[str, Any]
_SENIORITY = {level: rank for rank, level in enumerate(LEVELS)}  # executive first
_LADDER_LEVEL = {action: level for level, action in enumerate(INTIMACY_LADDER, start=1)}
# Close contact other than the ladder's counts as the first rung: a person who has had our
# executive visit, a reference-site visit or an on-site meeting is past "getting in at all".
_LADDER_LEVEL.update({action: 1 for action in FIRST_RUNG_CONTACT})
#: Contact is contact: every occasion where we met the person (a summit, an HQ tour, an exchange) is past
#: the get-in-the-door rung; the ladder's rungs keep their level. An activity the CRM could only call
#: ``other`` (a call, a "Meeting" of unknown kind) is contact, so the person counts as met and not cold,
#: but it shows no rung (contract §5): the ladder starts where nothing says what the occasion was.
_MET_RUNG = 1
DAYS_SINCE = tuple(f"days_since_{action}" for action in BUILTIN_ACTIONS)  # field names, made once
_NO_DAYS = dict.fromkeys(DAYS_SINCE)  # a person with nothing done yet
_DAYS_SINCE_OF = dict(zip(BUILTIN_ACTIONS, DAYS_SINCE, strict=True))


def days_between(later: dt.date, earlier: dt.date) -> int:
    return (later - earlier).days


def activity_record(activity: Activity, as_of: dt.date) -> Record:
    days_ago = days_between(as_of, activity.date)
    return {
        "id": activity.id,
        "type": activity.type,
        "date": activity.date,
        "days_ago": days_ago,
        "planned": days_ago < 0,
        "opportunity_id": activity.opportunity_id,
        "owner": activity.owner,
        "contact_count": len(activity.contact_ids),
    }


def contact_record(contact: Contact, activities: list[Record], as_of: dt.date, meetings: frozenset[str]) -> Record:
    """A contact's own fields; ``meetings`` are the action types that meet a person (they are visits)."""
    past, last, met, latest, level = _history(activities, meetings)
    record: Record = {
        "id": contact.id,
        "name": contact.name,
        "title": contact.title,
        "department": contact.department,
        "level": contact.level,
        "role": contact.role,
        "stance": contact.stance,
        "rising_star": contact.rising_star,
        "public_official": contact.public_official,
        "birthday": contact.birthday,
        "owner": contact.owner,
        "contacted": past > 0,
        "activity_count": past,
        "days_since_last_activity": last,
        "planned_count": len(activities) - past,
        "days_to_birthday": _days_to_birthday(contact.birthday, as_of),
        "met": met is not None,
        "days_since_last_meeting": met,
        "reports_to": contact.reports_to,
        "in_role_since": contact.in_role_since,
        "days_in_role": _days_in_role(contact.in_role_since, as_of),
        "previous_stance": contact.previous_stance,
        "stance_change": None if contact.previous_stance is None else contact.stance - contact.previous_stance,
        "backs_competitor": contact.backs_competitor,
        "coach": contact.stance == 3 and contact.backs_competitor is None,
    }
    record.update(_NO_DAYS)
    for kind, days in latest.items():  # a type done: its field (an action of a plugin's has none)
        name = _DAYS_SINCE_OF.get(kind)
        if name is not None:
            record[name] = days
    record["intimacy_level"] = level
    record["next_intimacy_action"] = INTIMACY_LADDER[level] if level < len(INTIMACY_LADDER) else None
    return record


def _history(
    activities: list[Record], meetings: frozenset[str]
) -> tuple[int, int | None, int | None, dict[str, int], int]:
    """In one pass over a contact's activities, of those done (not planned): how many, days since the last,
    since the last meeting (a visit, or an ``other`` occasion), since the last of each type, the highest rung."""
    count, last, met, level = 0, None, None, 0
    latest: dict[str, int] = {}
    for activity in activities:
        if activity["planned"]:
            continue
        count += 1
        days, kind = activity["days_ago"], activity["type"]
        if last is None or days < last:
            last = days
        if (kind in meetings or kind == OTHER_ACTIVITY) and (met is None or days < met):
            met = days
        previous = latest.get(kind)
        if previous is None or days < previous:
            latest[kind] = days
        level = max(level, _rung(kind, meetings))
    return count, last, met, latest, level


def _rung(activity_type: str, meetings: frozenset[str]) -> int:
    """The ladder rung an activity shows: its own rung, the first for any other meeting, else none (``other`` too)."""
    rung = _LADDER_LEVEL.get(activity_type)
    if rung is not None:
        return rung
    return _MET_RUNG if activity_type in meetings else 0


def _days_in_role(since: dt.date | None, as_of: dt.date) -> int | None:
    return days_between(as_of, since) if since is not None and since <= as_of else None


def latest_by_type(activities: Iterable[Record]) -> dict[str, int]:
    """Days since the most recent activity of each type."""
    latest: dict[str, int] = {}
    for activity in activities:
        previous = latest.get(activity["type"])
        if previous is None or activity["days_ago"] < previous:
            latest[activity["type"]] = activity["days_ago"]
    return latest


def _days_to_birthday(birthday: dt.date | None, as_of: dt.date) -> int | None:
    if birthday is None:
        return None
    for year in (as_of.year, as_of.year + 1):
        try:
            candidate = birthday.replace(year=year)
        except ValueError:  # 29 February in a common year: celebrate on the 28th
            candidate = dt.date(year, 2, 28)
        if candidate >= as_of:
            return days_between(candidate, as_of)
    raise AssertionError("unreachable: next year's birthday is always ahead")


def add_departments(contacts: list[Record]) -> None:
    supporters: Counter[str] = Counter(c["department"] for c in contacts if c["department"] and c["stance"] >= 1)
    sizes: Counter[str] = Counter(c["department"] for c in contacts if c["department"])
    heads: dict[str, Record] = {}
    for record in contacts:
        department = record["department"]
        record["department_supporters"] = supporters[department] if department else None
        record["department_size"] = sizes[department] if department else None
        head = heads.get(department) if department else None
        if department and (head is None or _SENIORITY[record["level"]] < _SENIORITY[head["level"]]):
            heads[department] = record
    head_ids = {id(head) for head in heads.values()}
    for record in contacts:
        record["department_head"] = id(record) in head_ids
