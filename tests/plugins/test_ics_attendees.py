"""A calendar event invites the approach's people by their e-mail: the owner organises, the colleagues it brings
are attendees with their names, and one without an e-mail is named in the description (issue 21 point 7)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path
from typing import Any

import icalendar
from kamengine import EmitContext, Recommendation
from kamengine.plugins.ics_emitter import IcsEmitter
from kamengine.toolkit import ActionCatalogue, Owner

CHEN = Owner("u-ad", "Chen Jing", "AD", "chen.jing@example.com")
SOFIA = Owner("u-sr", "Sofia Marin", "SR", "sofia.marin@example.com")
OMAR = Owner("u-fr", "Omar Haddad", "FR")  # the team has no e-mail for him
FORGED = Owner("u-x", "Mallory", "AR", "m@example.com\r\nATTENDEE:mailto:evil@example.net")


def _rec(rec_id: str, action: str, **fields: Any) -> Recommendation:
    values: dict[str, Any] = {
        "id": rec_id, "account_id": "acme", "action": action, "subject_kind": "contact", "subject_id": "c-1",
        "title": f"{action} for Marta", "rationale": "she decides", "rule": "p/r", "priority": 50.0,
        "due": dt.date(2027, 1, 12), "owner_role": "AD", "owner": CHEN, "approach": "apr-1", "account_name": "ACME",
    }  # fmt: skip
    return Recommendation(**{**values, **fields})


def _events(tmp_path: Path, recs: list[Recommendation]) -> list[Any]:
    target = tmp_path / "chen.ics"
    IcsEmitter(str(target)).emit(recs, EmitContext(io.StringIO(), ActionCatalogue()))
    return [c for c in icalendar.Calendar.from_ical(target.read_bytes()).walk() if c.name == "VEVENT"]


def _attendees(event: Any) -> dict[str, dict[str, str]]:
    found = event.get("attendee", [])
    return {
        str(a): {k.lower(): str(v) for k, v in a.params.items()}
        for a in (found if isinstance(found, list) else [found])
    }


def test_the_owner_organises_and_the_colleagues_are_invited_by_their_e_mail(tmp_path: Path) -> None:
    lead = _rec("r1", "executive_visit", attendees=(SOFIA,))
    companion = _rec("r2", "technical_exchange", attendees=(SOFIA, OMAR))
    (event,) = _events(tmp_path, [lead, companion])
    organizer = event["organizer"]
    assert (str(organizer), organizer.params["cn"]) == ("mailto:chen.jing@example.com", "Chen Jing")
    people = _attendees(event)
    assert people == {
        "mailto:chen.jing@example.com": {"cn": "Chen Jing", "role": "CHAIR", "cutype": "INDIVIDUAL"},
        "mailto:sofia.marin@example.com": {
            "cn": "Sofia Marin", "role": "REQ-PARTICIPANT", "cutype": "INDIVIDUAL", "partstat": "NEEDS-ACTION",
            "rsvp": "TRUE",
        },
    }  # fmt: skip
    description = str(event["description"])
    assert "With: Sofia Marin (SR), Omar Haddad (FR)." in description
    assert "Not invited (no e-mail on the team): Omar Haddad (FR)." in description


def test_an_e_mail_that_is_not_one_address_invites_nobody_and_adds_no_line(tmp_path: Path) -> None:
    (event,) = _events(tmp_path, [_rec("r1", "executive_visit", attendees=(FORGED,))])
    assert set(_attendees(event)) == {"mailto:chen.jing@example.com"}
    assert "Not invited (no e-mail on the team): Mallory (AR)." in str(event["description"])
    assert b"evil@example.net" not in (tmp_path / "chen.ics").read_bytes()  # the address is nowhere


def test_an_owner_without_e_mail_is_known_by_their_member_id(tmp_path: Path) -> None:
    owner = dataclasses.replace(CHEN, email=None)
    (event,) = _events(tmp_path, [_rec("r1", "executive_visit", owner=owner, attendees=(SOFIA,))])
    assert str(event["organizer"]) == "urn:kamengine:member:u-ad"
    assert set(_attendees(event)) == {"urn:kamengine:member:u-ad", "mailto:sofia.marin@example.com"}
    assert "Not invited" not in str(event["description"])
