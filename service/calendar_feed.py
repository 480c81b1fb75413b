"""A person's calendar as the service serves it: their meetings over the plan's whole horizon, the ones they lead and
the ones they attend, each inviting the people who go by the e-mail their account's team gives them."""

from __future__ import annotations

import dataclasses
import io
import logging
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .plan_view import ALL
from .planned import plan_items
from .problems import Problem
from .state import Service

if TYPE_CHECKING:
    from kamengine.engine.api.access import TokenHolder
    from kamengine.engine.api.week import Item
    from kamengine.engine.model.recommendation import Owner, Recommendation

Emails = Mapping[tuple[str, str], str]  # (account id, member id) -> e-mail


def calendar_of(service: Service, holder: TokenHolder, person: str) -> bytes:
    """The iCalendar file of ``person``'s planned meetings that ``holder`` may see, over the whole horizon."""
    planned = plan_items(service, holder, person, ALL)
    recs = [rec for item in planned.items for rec in _on_its_day(item, planned.emails)]
    with tempfile.TemporaryDirectory(prefix="kamengine-ics-") as folder:
        # A fixed name: the person is the URL's, and a name of 300 characters or with a NUL is no file name.
        target = Path(folder) / "calendar.ics"
        delivered = service.engine().deliver_week(recs, f"ics:{target}", io.StringIO())
        if not delivered.ok:  # its message names the server's files: it goes to the log, not to the client
            logging.getLogger("kamengine.service").error("calendar of %r: %s", person, delivered.message)
            raise Problem(500, "calendar-failed", "The calendar could not be made", "the server's log says why")
        return target.read_bytes()


def _on_its_day(item: Item, emails: Emails) -> Iterator[Recommendation]:
    """The item's recommendations on the day the plan gave it; its lead carries the owner and the people the
    approach brings (the plan's, with their e-mail from the account's team: the store keeps no owner's e-mail)."""
    account = item.lead.account_id
    owner = _reachable(item.lead.owner, account, emails) if item.lead.owner else None
    along = tuple(_reachable(person, account, emails) for person in item.attendees)
    yield dataclasses.replace(item.lead, due=item.day, owner=owner, attendees=along)
    for companion in item.companions:
        yield dataclasses.replace(companion, due=item.day, attendees=())


def _reachable(person: Owner, account: str, emails: Emails) -> Owner:
    return person if person.email else dataclasses.replace(person, email=emails.get((account, person.id)))
