"""Each account's region and its team's e-mails, from the last snapshot the store kept: what a plan of stored advice
needs to close the region's holidays and to invite people (the store keeps no owner's e-mail with the advice)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable

from ..model.recommendation import Owner, Recommendation
from .store import Store

#: SQLite's limit on a statement's parameters is 999 in older builds: the accounts are asked for in chunks.
_CHUNK = 500


@dataclasses.dataclass(frozen=True)
class KeptTeams:
    """Account id -> region (None: weekends and the year-end break only); (account id, member id) -> e-mail."""

    regions: dict[str, str | None]
    emails: dict[tuple[str, str], str]

    def reachable(self, person: Owner, account: str) -> Owner:
        """``person`` with the e-mail their team entry on ``account`` gives, if they carry none."""
        email = person.email or self.emails.get((account, person.id))
        return person if email == person.email else dataclasses.replace(person, email=email)

    def with_emails(self, rec: Recommendation) -> Recommendation:
        """``rec`` whose owner and attendees carry their e-mails, as advice fresh from a snapshot does."""
        owner = self.reachable(rec.owner, rec.account_id) if rec.owner else None
        along = tuple(self.reachable(person, rec.account_id) for person in rec.attendees)
        if (owner, along) == (rec.owner, rec.attendees):
            return rec
        return dataclasses.replace(rec, owner=owner, attendees=along)


def kept_teams(store: Store, accounts: Iterable[str]) -> KeptTeams:
    """The region and team e-mails of each of ``accounts`` that has a kept snapshot (a batch or a PUT keeps them)."""
    regions: dict[str, str | None] = {}
    emails: dict[tuple[str, str], str] = {}
    wanted = sorted(set(accounts))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        query = (
            "select account_id, coalesce(json_extract(body, '$.account.extra.region'),"
            " json_extract(body, '$.account.region')), json_extract(body, '$.team') from snapshots where id in"
            f" (select max(id) from snapshots where account_id in ({marks}) group by account_id)"
        )
        for account, region, team in store.db.execute(query, chunk):
            regions[str(account)] = str(region) if region else None
            for member in json.loads(team or "[]"):
                if isinstance(member, dict) and isinstance(member.get("email"), str) and member.get("id"):
                    emails[(str(account), str(member["id"]))] = member["email"]
    return KeptTeams(regions, emails)
