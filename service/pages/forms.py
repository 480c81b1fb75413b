"""The buttons a person acts with: one small form per verb, posting to the address the service gives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

VERBS = ("accept", "done", "dismiss", "snooze")
SNOOZE_DAYS = 7  # the date a snooze form offers first; the person may pick another
ActionUrlFor = Callable[[str, str], str]


@dataclass(frozen=True)
class Form:
    """One button: ``verb`` posted to ``url``; a snooze also sends ``until`` (a date input)."""

    verb: str
    url: str

    @property
    def label(self) -> str:
        return "Done" if self.verb == "done" else self.verb.capitalize()


@dataclass(frozen=True)
class Buttons:
    """The forms of every recommendation a page shows, and the hidden fields each form carries."""

    forms: Mapping[str, tuple[Form, ...]]
    hidden: tuple[tuple[str, str], ...]  # e.g. a CSRF token: the service's, never a user's text
    snooze_until: dt.date
    statuses: Mapping[str, str] = field(default_factory=dict)  # rec id -> what people decided, if not open

    def of(self, rec_id: str) -> tuple[Form, ...]:
        return self.forms.get(rec_id, ())

    def status_of(self, rec_id: str) -> str:
        """What people decided of it so far ("accepted", "snoozed until …"); "" while it is open."""
        return self.statuses.get(rec_id, "")


def buttons(
    rec_ids: Iterable[str],
    url_for: ActionUrlFor | None,
    hidden: Mapping[str, str] | None,
    today: dt.date,
    statuses: Mapping[str, str] | None = None,
) -> Buttons:
    """Forms for each of ``rec_ids`` (no button for what it already is: accepted advice has no Accept); none
    when ``url_for`` is None (a page only to read, the offline report). ``statuses``: shown by every page."""
    said = dict(statuses or {})
    if url_for is None:
        return Buttons({}, (), dt.date.min, said)
    forms = {
        rec_id: tuple(
            Form(verb, url_for(rec_id, verb))
            for verb in VERBS
            if not (verb == "accept" and said.get(rec_id) == "accepted")
        )
        for rec_id in rec_ids
    }
    return Buttons(forms, tuple((hidden or {}).items()), today + dt.timedelta(days=SNOOZE_DAYS), said)


def under(base: str) -> ActionUrlFor:
    """``{base}/{id}/{verb}``, the id percent-encoded as one path segment (the API's own shape)."""
    prefix = base.rstrip("/")
    return lambda rec_id, verb: f"{prefix}/{segment(rec_id)}/{verb}"


def segment(value: str) -> str:
    """An id as one URL path segment: slashes, ``..`` and query characters are percent-encoded."""
    encoded = quote(value, safe="")
    return encoded.replace(".", "%2E") if encoded in (".", "..") else encoded
