"""An activity of type ``other`` (a CRM's call or "Meeting"): contact happened (met, not cold), no ladder rung."""

from __future__ import annotations

import datetime as dt

from kamengine.engine.evaluate.contact_facts import activity_record, contact_record
from support import activity, contact, make_snapshot


def test_an_other_activity_is_contact_without_a_rung() -> None:
    snapshot = make_snapshot(
        contacts=[contact("c-1", owner=None)],
        activities=[activity("a-1", "other", "2026-11-02", "c-1")],
        team=[],
    )
    as_of = dt.date(2026, 11, 20)
    records = [activity_record(a, as_of) for a in snapshot.activities]
    record = contact_record(snapshot.contacts[0], records, as_of, frozenset({"regular_office_visit"}))
    assert (record["contacted"], record["days_since_last_activity"]) == (True, 18)
    # Contact is contact (issue 22): the person is met and not cold; the contract gives ``other`` no rung.
    assert (record["met"], record["intimacy_level"]) == (True, 0)
    assert record["next_intimacy_action"] == "project_office_visit"


def test_the_service_s_document_names_other_among_the_activity_types() -> None:
    from kamengine.service.openapi_doc import complete

    document = complete({"paths": {}}, ["executive_visit"])
    assert document["components"]["schemas"]["Activity"]["properties"]["type"]["enum"] == ["executive_visit", "other"]
