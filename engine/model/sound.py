"""A quick look, with set operations, that a snapshot has none of the problems ``integrity_problems`` names."""

from __future__ import annotations

from itertools import chain
from operator import attrgetter, eq

from .actions import ActionCatalogue
from .snapshot import OTHER_ACTIVITY, Activity, Contact, Snapshot, _reporting_loops

_ID, _OWNER, _BOSS = attrgetter("id"), attrgetter("owner"), attrgetter("reports_to")
_SUCCESSOR, _QUESTIONS, _CONTACT_ID = attrgetter("replaced_by"), attrgetter("open_questions"), attrgetter("contact_id")
_CONTACT_IDS, _TYPE, _DEAL = attrgetter("contact_ids"), attrgetter("type"), attrgetter("opportunity_id")
_GROUPS, _MEMBERS = attrgetter("decision_groups"), attrgetter("members")
_NONE = frozenset([None])


def surely_sound(snap: Snapshot, actions: ActionCatalogue) -> bool:
    """True when ``integrity_problems(snap, actions)`` finds nothing; False when it may find something (then it is
    asked, for the messages). Each check is one of its own, made on whole sets in C instead of item by item."""
    contacts = set(map(_ID, snap.contacts))
    team = set(map(_ID, snap.team))
    deals = set(map(_ID, snap.opportunities))
    unique = (len(contacts), len(team), len(deals)) == (len(snap.contacts), len(snap.team), len(snap.opportunities))
    groups = chain.from_iterable(map(_GROUPS, snap.opportunities))
    return (
        unique
        and len(set(map(_ID, snap.activities))) == len(snap.activities)
        and _contacts_sound(snap.contacts, contacts, team)
        and set(map(_CONTACT_ID, chain.from_iterable(map(_MEMBERS, groups)))) <= contacts
        and _activities_sound(snap.activities, contacts, team, deals, actions)
    )


def _contacts_sound(people: list[Contact], contacts: set[str], team: set[str]) -> bool:
    """Owners in the team, bosses and successors among the contacts, nobody their own successor, no loop up the
    org chart, every question of a contact asked by that contact."""
    if not set(map(_OWNER, people)) - _NONE <= team or not set(map(_SUCCESSOR, people)) - _NONE <= contacts:
        return False
    if any(map(eq, map(_SUCCESSOR, people), map(_ID, people))):
        return False
    bosses = set(map(_BOSS, people)) - _NONE
    if bosses and (not bosses <= contacts or next(iter(_reporting_loops(people)), None) is not None):
        return False
    asked = [(person.id, question.by) for person in filter(_QUESTIONS, people) for question in person.open_questions]
    return all(by is None or by == person for person, by in asked)


def _activities_sound(
    activities: list[Activity], contacts: set[str], team: set[str], deals: set[str], actions: ActionCatalogue
) -> bool:
    """Known action types, contacts, deals and owners; every question asked by one of the activity's contacts."""
    if not set(chain.from_iterable(map(_CONTACT_IDS, activities))) <= contacts:
        return False
    if not set(map(_DEAL, activities)) - _NONE <= deals or not set(map(_OWNER, activities)) - _NONE <= team:
        return False
    if not all(kind in actions or kind == OTHER_ACTIVITY for kind in set(map(_TYPE, activities))):
        return False
    asked = [(activity, q.by) for activity in filter(_QUESTIONS, activities) for q in activity.open_questions]
    return all(by is None or by in activity.contact_ids for activity, by in asked)
