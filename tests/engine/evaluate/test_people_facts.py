"""The fields derived from people events, open questions, project offices and slipped deals."""

from __future__ import annotations

from kamengine.engine.evaluate.facts import compute_facts
from support import activity, contact, make_snapshot


def _facts():  # type: ignore[no-untyped-def]
    return compute_facts(
        make_snapshot(
            contacts=[
                contact("c-old", title="Head of Strategy", stance=2, replaced_by="c-new",
                        previous_role={"title": "CTO", "until": "2026-10-31"}),
                contact("c-new", title="CTO", role="D"),
                contact("c-pmo", department="Programme Management Office (PMO)"),
                contact("c-flag", extra={"project_office": True},
                        open_questions=[{"asked": "2026-11-10", "text": "Price?"},
                                        {"asked": "2026-11-01", "text": "Scope?", "answered": "2026-11-02"}]),
                contact("c-two", department="Ops"),
            ],
            activities=[
                activity("a-1", "hq_tour", "2026-11-15", "c-flag", "c-two",
                         open_questions=[{"asked": "2026-11-15", "text": "Who trains us?"},
                                         {"asked": "2026-11-15", "by": "c-two", "text": "When?", "answered": "2026-11-21"}]),
            ],
            opportunities=[
                {"id": "o-late", "name": "Late", "stage": "bidding", "close_date": "2026-11-01",
                 "decision_groups": [{"group": "final", "members": [{"contact_id": "c-new", "proximity": 1}]}]},
                {"id": "o-won", "name": "Won", "stage": "won", "close_date": "2026-11-01"},
            ],
        )
    )  # fmt: skip


def test_role_history_links_the_one_who_moved_and_the_successor() -> None:
    people = {c["id"]: c for c in _facts().contacts}
    old, new = people["c-old"], people["c-new"]
    assert (old["moved"], old["previous_title"], old["days_since_role_change"]) == (True, "CTO", 20)
    assert (old["successor_name"], old["successor_title"], old["successor_met"]) == ("C-New", "CTO", False)
    assert (new["predecessor_name"], new["predecessor_stance"], new["moved"]) == ("C-Old", 2, False)
    assert people["c-two"]["successor_name"] is None and people["c-two"]["successor_met"] is None


def test_open_questions_count_what_is_still_unanswered_on_the_snapshot_date() -> None:
    people = {c["id"]: c for c in _facts().contacts}
    flag, two = people["c-flag"], people["c-two"]
    # Price? (her own, 10 days) and Who trains us? (asked at the HQ tour, by nobody named: both of its people)
    assert (flag["open_question_count"], flag["open_question"], flag["days_since_open_question"]) == (2, "Price?", 10)
    # "When?" was answered after the snapshot date: on 20 November it is still open
    assert (two["open_question_count"], two["days_since_open_question"]) == (2, 5)
    assert people["c-old"]["open_question_count"] == 0 and people["c-old"]["open_question"] is None


def test_the_project_office_and_a_slipped_deal() -> None:
    facts = _facts()
    people = {c["id"]: c for c in facts.contacts}
    assert [c for c in people if people[c]["project_office"]] == ["c-pmo", "c-flag"]
    assert facts.account["project_office_contacts"] == 2
    deals = {d["id"]: d for d in facts.opportunities}
    assert (deals["o-late"]["close_date_passed"], deals["o-won"]["close_date_passed"]) == (True, False)
    assert people["c-new"]["deal_close_date_passed"] is True and people["c-old"]["deal_close_date_passed"] is False
