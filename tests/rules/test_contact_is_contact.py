"""Contact is contact (issue 22 point 2): every occasion where we met a person counts for "met", "gone cold"
and the first rung of the ladder; the next rung follows the closest personal occasion so far."""

from __future__ import annotations

import pytest
from kamengine.engine.evaluate.facts import compute_facts
from support import activity, advise_builtin, contact, make_snapshot

CEO = contact("c-ceo", name="Hana Sato", title="Chief Executive Officer", level="executive", role="A", stance=1)


def _ceo_after(*types: str, date: str = "2026-10-09") -> dict:  # type: ignore[type-arg]
    snapshot = make_snapshot(
        account={"id": "initech", "name": "Initech", "tier": "strategic", "strategic_partner": True},
        contacts=[CEO],
        activities=[activity(f"a{i}", t, date, "c-ceo", owner="u-ad") for i, t in enumerate(types)],
    )
    return next(c for c in compute_facts(snapshot).contacts if c["id"] == "c-ceo")


@pytest.mark.parametrize(
    "met_at", ["summit_dialogue", "executive_visit", "hq_tour", "technical_exchange", "reference_site_visit"]
)
def test_a_person_met_at_any_occasion_is_met_and_past_the_first_rung(met_at: str) -> None:
    ceo = _ceo_after(met_at)
    assert ceo["met"] is True
    assert ceo["days_since_last_meeting"] == 42
    assert ceo["intimacy_level"] == 1
    assert ceo["next_intimacy_action"] == "regular_office_visit"


def test_an_other_activity_is_contact_but_no_rung() -> None:
    """A call or a CRM "Meeting" of unknown kind (``other``): met and not cold, but the contract gives it no rung."""
    ceo = _ceo_after("other")
    assert (ceo["met"], ceo["days_since_last_meeting"], ceo["intimacy_level"]) == (True, 42, 0)
    assert ceo["next_intimacy_action"] == "project_office_visit"


def test_the_next_rung_follows_the_closest_personal_occasion_so_far() -> None:
    ceo = _ceo_after("summit_dialogue", "private_activity")
    assert ceo["intimacy_level"] == 3
    assert ceo["next_intimacy_action"] == "family_banquet"


def test_a_partners_ceo_met_at_the_summit_six_weeks_ago_gets_no_get_in_the_door_visit() -> None:
    snapshot = make_snapshot(
        account={"id": "initech", "name": "Initech", "tier": "strategic", "strategic_partner": True},
        contacts=[CEO],
        activities=[activity("a-1", "summit_dialogue", "2026-10-09", "c-ceo", owner="u-ad")],
    )
    recs = [r for r in advise_builtin(snapshot).recommendations if r.subject_id == "c-ceo"]
    assert "project_office_visit" not in {r.action for r in recs}
    assert not [r for r in recs if r.rule in ("power-map/ladder-project-visit", "power-map/first-contact")]


def test_a_person_met_only_at_other_meetings_goes_cold_like_anyone_we_knew() -> None:
    snapshot = make_snapshot(
        contacts=[contact("c-ops", name="Jan Kowal", title="Operations Manager", role="S", stance=1)],
        activities=[activity("a-1", "other", "2026-08-01", "c-ops", owner="u-ar")],
    )
    recs = advise_builtin(snapshot).recommendations
    assert [r.rule for r in recs if r.subject_id == "c-ops" and r.action == "regular_office_visit"] == [
        "power-map/rewarm-cold"
    ]
