"""The statuses a stored recommendation goes through, and the verbs people decide with (no database needed).

A data shape, as a recommendation is: front ends name them (``recs list --status``, the API's ``status``
query) without importing the store; the store's rules for moving between them are ``engine/store/statuses.py``.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a stored recommendation stands; kept in the ``status`` column as its value."""

    OPEN = "open"  # given, nobody has acted on it yet
    ACCEPTED = "accepted"  # someone will do it
    DONE = "done"  # done: closed for the action's cooldown
    DISMISSED = "dismissed"  # not worth doing: closed for the action's cooldown
    SNOOZED = "snoozed"  # later: wakes on its date
    RESOLVED = "resolved"  # its rule no longer fires
    EXPIRED = "expired"  # left open past due while its account was no longer advised


#: Still to act on.
LIVE = (Status.OPEN, Status.ACCEPTED, Status.SNOOZED)
#: Closed by a person, or expired: ``recs reopen`` opens them again.
REOPENABLE = (Status.DONE, Status.DISMISSED, Status.EXPIRED)
#: Closed by a person, but the same advice opens again once the action's cooldown has passed.
CLOSED_FOR_COOLDOWN = (Status.DONE, Status.DISMISSED)

#: A person's decisions by the verb that asks for each: ``kamengine recs VERB``, ``POST /v1/recommendations/{id}/VERB``
#: (the verb is also the decision log's ``kind``).
VERBS = {
    "accept": Status.ACCEPTED, "done": Status.DONE, "dismiss": Status.DISMISSED, "snooze": Status.SNOOZED,
    "reopen": Status.OPEN,
}  # fmt: skip
