"""Issue 22 points 6 (SR staffing by tier), 7 (slipped deals) and 8 (every question answered)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.model.loading import load_snapshot
from support import REPO, activity, advise_builtin, contact, make_snapshot

AS_OF = dt.date(2026, 11, 20)
TEAM = [
    {"id": "u-ar", "name": "Li Wei", "role": "AR", "level": "middle"},
    {"id": "u-sr", "name": "Sofia Marin", "role": "SR", "level": "senior"},
    {"id": "u-ad", "name": "Chen Jing", "role": "AD", "level": "executive"},
]
SLIPPED = {
    "id": "o-grid",
    "name": "Grid upgrade",
    "stage": "bidding",
    "value": 8000000,
    "close_date": "2026-10-02",  # seven weeks ago, still live
    "decision_groups": [
        {"group": "final", "members": [{"contact_id": "c-ceo", "proximity": 1}]},
        {"group": "technical", "members": [{"contact_id": "c-eng", "proximity": 1}]},
    ],
}


def test_a_slipped_deal_is_confirmed_at_once_and_nothing_for_it_lies_beyond_three_weeks() -> None:
    snapshot = make_snapshot(
        account={"id": "acct", "name": "ACME", "tier": "strategic"},
        contacts=[
            contact("c-ceo", title="CEO", level="executive", role="A", stance=0, owner="u-ad"),
            contact("c-eng", title="Engineer", level="middle", role="E", stance=-1, owner="u-sr"),
        ],
        opportunities=[SLIPPED],
        activities=[
            activity("a-1", "executive_visit", "2026-09-01", "c-ceo", "c-eng", opportunity_id="o-grid"),
            activity("a-2", "technical_exchange", "2026-09-15", "c-eng", opportunity_id="o-grid"),
        ],
        team=TEAM,
    )
    recs = advise_builtin(snapshot).recommendations
    confirm = [r for r in recs if r.action == "confirm_close_date"]
    assert [(r.subject_id, r.due, r.owner.id if r.owner else None) for r in confirm] == [("o-grid", AS_OF, "u-sr")]
    serving = [r for r in recs if r.opportunity_id == "o-grid"]
    assert len(serving) > 1
    assert max(r.due for r in serving) <= AS_OF + dt.timedelta(days=21)  # not an HQ tour in January


def _examples() -> list[tuple[str, str]]:
    """Each bundled example with the settings it is advised under (our crisis has its kamengine.toml)."""
    portfolio = sorted((REPO / "examples" / "portfolio").glob("*.yaml"))
    plain = [(str(path), "/dev/null") for path in [REPO / "examples" / "acme-telecom.yaml", *portfolio]]
    crisis = REPO / "examples" / "our-crisis"
    return [*plain, (str(crisis / "northwind-logistics.yaml"), str(crisis / "kamengine.toml"))]


@pytest.mark.parametrize(("path", "config"), _examples(), ids=lambda p: str(p).rsplit("/", 1)[-1])
def test_no_bundled_example_plans_deal_work_beyond_21_days_after_a_missed_close(path: str, config: str) -> None:
    snapshot = load_snapshot(path)
    result = CliRunner().invoke(main, ["--config", config, "advise", path, "--all", "--format", "json"])
    assert result.exit_code == 0, result.output
    recs = json.loads(result.stdout)
    slipped = {d.id for d in snapshot.opportunities if d.live and d.close_date and d.close_date < snapshot.as_of}
    for rec in recs:
        if rec["opportunity_id"] in slipped:
            assert dt.date.fromisoformat(rec["due"]) <= snapshot.as_of + dt.timedelta(days=21), rec["title"]
    if "our-crisis" in path:  # the example of our crisis has a slipped deal, and its confirmation
        assert slipped and "confirm_close_date" in {r["action"] for r in recs if r["opportunity_id"] in slipped}


def test_every_question_after_the_hq_visit_is_answered_by_the_owner_before_anything_else() -> None:
    snapshot = make_snapshot(
        contacts=[
            contact("c-cto", title="CTO", level="executive", role="D", stance=1, owner="u-sr"),
            contact("c-buyer", title="Buyer", stance=1, owner="u-ar"),
        ],
        activities=[
            activity(
                "a-hq", "hq_tour", "2026-11-18", "c-cto", "c-buyer",
                open_questions=[
                    {"asked": "2026-11-18", "by": "c-cto", "text": "Can the core run on our own cloud?"},
                    {"asked": "2026-11-18", "by": "c-buyer", "text": "Who trains our operators?",
                     "answered": "2026-11-19"},
                ],
            ),
            activity("a-old", "regular_office_visit", "2026-08-01", "c-cto"),
        ],
        team=TEAM,
    )  # fmt: skip
    recs = advise_builtin(snapshot).recommendations
    answers = [r for r in recs if r.action == "answer_question"]
    assert [(r.subject_id, r.owner.id if r.owner else None) for r in answers] == [("c-cto", "u-sr")]
    assert answers[0].due <= dt.date(2026, 11, 18) + dt.timedelta(days=5)
    assert "own cloud" in answers[0].title
    first_for_cto = next(r for r in recs if r.subject_id == "c-cto")
    assert first_for_cto.action == "answer_question"  # it leads the person's next approach


def test_a_late_answer_is_due_at_once() -> None:
    snapshot = make_snapshot(
        contacts=[contact("c-cfo", title="CFO", stance=0, open_questions=[{"asked": "2026-11-02", "text": "Price?"}])],
        team=TEAM,
    )
    answers = [r for r in advise_builtin(snapshot).recommendations if r.action == "answer_question"]
    assert [(r.rule, r.due) for r in answers] == [("kam-deals/answer-open-question-late", AS_OF)]


def _standard_account_deal(value: int, tier: str = "standard") -> list:  # type: ignore[type-arg]
    snapshot = make_snapshot(
        account={"id": "acct", "name": "Small Co", "tier": tier},
        contacts=[contact("c-eng", title="Engineer", stance=0)],
        opportunities=[
            {"id": "o-1", "name": "Edge", "stage": "bidding", "value": value, "close_date": "2027-03-01",
             "decision_groups": [{"group": "technical", "members": [{"contact_id": "c-eng", "proximity": 1}]}]},
        ],
        activities=[activity("a-1", "regular_office_visit", "2026-11-01", "c-eng")],
        team=[TEAM[0]],
    )  # fmt: skip
    return advise_builtin(snapshot).recommendations


def test_a_standard_account_s_small_deal_pulls_no_sr_staffing() -> None:
    assert not [r for r in _standard_account_deal(80000) if r.action == "staff_iron_triangle"]
    assert [r for r in _standard_account_deal(80000, tier="key") if r.action == "staff_iron_triangle"]
    assert [r for r in _standard_account_deal(900000) if r.action == "staff_iron_triangle"]


def test_two_outings_with_the_working_level_never_ride_in_one_approach() -> None:
    snapshot = make_snapshot(
        contacts=[
            contact("c-cio", title="CIO", level="executive", stance=2, department="IT"),
            contact("c-ops", title="Head of Operations", level="senior", department="Operations"),
            contact("c-op", title="Operator", level="staff", department="Operations"),
        ],
        team=TEAM,
    )
    recs = advise_builtin(snapshot).recommendations
    outings = [r for r in recs if r.action == "team_activity"]
    assert len(outings) == 1 and outings[0].subject_id == "c-ops"
