"""Derived fields of people events: role history (who moved, who succeeded), open questions, the project office."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from collections import defaultdict
from typing import Any

from ..model.snapshot import OpenQuestion, Snapshot
from .contact_facts import days_between

Record = dict[str, Any]
# A department called "Project Office", "PMO" or 项目办 (项目管理办公室) is where delivery starts after a win.
_ASKED = operator.attrgetter("asked", "text")  # the first question asked, then by its text
_PROJECT_OFFICE = re.compile(r"project\s*(management\s*)?office|\bpmo\b|项目(管理)?办", re.IGNORECASE)


def is_project_office(department: str | None, extra: dict[str, Any]) -> bool:
    """The customer's project office: its department says so, or ``extra.project_office: true``."""
    if extra.get("project_office") is True:
        return True
    return bool(department and _named_project_office(department))


@functools.lru_cache(maxsize=4096)
def _named_project_office(department: str) -> bool:
    """The department's name says project office (a few names recur in every account: searched once each)."""
    return _PROJECT_OFFICE.search(department) is not None


def add_people_events(snap: Snapshot, contacts: list[Record], met_ids: set[str]) -> None:
    """Add role history, open questions and the project office to each contact's record (in place).

    ``met_ids`` are the contacts someone of ours has met: a successor already met needs no introduction.
    """
    by_id = {c.id: c for c in snap.contacts}
    predecessor = {c.replaced_by: c for c in snap.contacts if c.replaced_by}
    questions = _open_questions(snap)
    as_of = snap.as_of
    for record in contacts:
        contact = by_id[record["id"]]
        successor = by_id.get(contact.replaced_by) if contact.replaced_by else None
        before = predecessor.get(contact.id)
        until = contact.previous_role.until if contact.previous_role else None
        record["previous_title"] = contact.previous_role.title if contact.previous_role else None
        record["days_since_role_change"] = days_between(as_of, until) if until is not None and until <= as_of else None
        record["moved_to"] = contact.moved_to
        record["moved"] = contact.previous_role is not None or contact.moved_to is not None
        record["successor_name"] = successor.name if successor else None
        record["successor_title"] = successor.title if successor else None
        record["successor_met"] = successor.id in met_ids if successor else None
        record["predecessor_name"] = before.name if before else None
        record["predecessor_stance"] = before.stance if before else None
        record["project_office"] = is_project_office(contact.department, contact.extra)
        open_ones = sorted(questions[contact.id], key=_ASKED) if contact.id in questions else ()
        record["open_question_count"] = len(open_ones)
        record["open_question"] = open_ones[0].text if open_ones else None
        record["days_since_open_question"] = days_between(as_of, open_ones[0].asked) if open_ones else None


def _open_questions(snap: Snapshot) -> dict[str, list[OpenQuestion]]:
    """Per contact, the questions they asked that are still unanswered (asked on or before the snapshot date).

    A question on an activity without ``by`` was asked by its only contact, or by each of them when the
    activity had several (we do not know who; each of them waits for the answer)."""
    found: dict[str, list[OpenQuestion]] = defaultdict(list)
    for contact in snap.contacts:
        for question in contact.open_questions:
            if _unanswered(question, snap.as_of):
                found[contact.id].append(question)
    for activity in snap.activities:
        for question in activity.open_questions:
            if not _unanswered(question, snap.as_of):
                continue
            for contact_id in [question.by] if question.by else dict.fromkeys(activity.contact_ids):
                found[contact_id].append(question)
    return found


def _unanswered(question: OpenQuestion, as_of: dt.date) -> bool:
    return question.asked <= as_of and (question.answered is None or question.answered > as_of)


def count_project_office(contacts: list[Record]) -> int:
    """How many of the customer's contacts are its project office (the account's kick-off goes to them)."""
    return sum(1 for c in contacts if c["project_office"])


def count_departments_without_supporter(contacts: list[Record]) -> int:
    """Departments of two or more people where nobody supports us (each already gets its own outing)."""
    return sum(
        1
        for c in contacts
        if c["department_head"] and (c["department_size"] or 0) >= 2 and not c["department_supporters"]
    )
