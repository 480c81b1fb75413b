"""Resources by level (issue 22 point 6): our executive visits executive and senior people (and those who sign),
others get their owner's visit; the exhibition goes to deciders and key people; one coach hunt per deal; no
duplicate companions in one occasion, and two staffing lines are two lines."""

from __future__ import annotations

from kamengine.engine.model.recommendation import Recommendation
from support import activity, advise_builtin, contact, make_snapshot

TEAM = [
    {"id": "u-ar", "name": "Li Wei", "role": "AR", "level": "middle"},
    {"id": "u-sr", "name": "Sofia Marin", "role": "SR", "level": "senior"},
    {"id": "u-ad", "name": "Chen Jing", "role": "AD", "level": "executive"},
]
# A new key account: nobody is with us yet, and one live deal.
PEOPLE = [
    contact("c-cto", name="Ana Ruiz", title="CTO", level="executive", role="D", stance=0),
    contact("c-head", name="Jonas Berg", title="Head of Engineering", level="senior", role="E", stance=0),
    contact("c-mgr", name="Karim Haddad", title="Network Planning Manager", level="middle", role="E", stance=0),
    contact("c-eng", name="Ida Lund", title="Engineer", level="staff", role="E", stance=0),
]
CORE = {
    "id": "o-core", "name": "Core", "stage": "bidding", "value": 2_000_000, "close_date": "2027-04-30",
    "decision_groups": [
        {"group": "technical", "members": [{"contact_id": c, "proximity": p} for p, c in enumerate(("c-head", "c-mgr", "c-eng"), 1)]},
        {"group": "final", "members": [{"contact_id": "c-cto", "proximity": 1}]},
    ],
}  # fmt: skip


def _recs(
    people: list[dict], deals: list[dict], activities: list[dict] | None = None, team: list[dict] = TEAM
) -> list[Recommendation]:  # type: ignore[type-arg]
    snapshot = make_snapshot(
        account={"id": "acme", "name": "ACME Telecom", "tier": "key"},
        contacts=people, opportunities=deals, activities=activities or [], team=team,
    )  # fmt: skip
    return advise_builtin(snapshot).recommendations


def _by(recs: list[Recommendation], action: str) -> set[str]:
    return {r.subject_id for r in recs if r.action == action and r.subject_kind == "contact"}


def test_our_executive_visits_executive_and_senior_people_others_get_their_owners_visit() -> None:
    met = [activity("a-1", "regular_office_visit", "2026-09-01", "c-cto", "c-head", "c-mgr", "c-eng")]
    recs = _recs(PEOPLE, [CORE], met)
    assert _by(recs, "executive_visit") == {"c-cto", "c-head"}
    visits = [r for r in recs if r.subject_id in ("c-mgr", "c-eng") and r.rule == "power-map/three-axes-weak-spot"]
    assert {(r.subject_id, r.action, r.owner.id if r.owner else None) for r in visits} >= {
        ("c-mgr", "regular_office_visit", "u-ar"),
        ("c-eng", "regular_office_visit", "u-ar"),
    }


def test_the_exhibition_goes_to_deciders_and_key_people_not_to_everyone() -> None:
    met = [activity("a-1", "regular_office_visit", "2026-09-01", "c-cto", "c-head", "c-mgr", "c-eng")]
    snapshot = make_snapshot(
        account={"id": "acme", "name": "ACME Telecom", "tier": "key"},
        contacts=PEOPLE, opportunities=[CORE], activities=met, team=TEAM,
    )  # fmt: skip
    advice = advise_builtin(snapshot)
    assert "c-head" in _by(advice.recommendations, "exhibition_invite")
    ruled_out = {s.recommendation.subject_id for s in advice.suppressed if s.reason == "level"
                 and s.recommendation.action == "exhibition_invite"}  # fmt: skip
    assert ruled_out == {"c-mgr", "c-eng"}


def test_an_opponent_keeps_the_three_axes_whatever_their_level() -> None:
    against = [*PEOPLE[:2], contact("c-mgr", name="Karim Haddad", title="Manager", level="middle", role="E", stance=-1)]
    recs = _recs(against, [CORE | {"decision_groups": CORE["decision_groups"][1:]}])
    assert {"executive_visit", "exhibition_invite", "hq_tour"} <= {r.action for r in recs if r.subject_id == "c-mgr"}


def test_one_coach_hunt_per_deal_when_supporters_tie() -> None:
    friends = [
        contact("c-a", name="Tom Keller", title="Buyer", stance=2),
        contact("c-b", name="Priya Nair", title="Architect", stance=2),
    ]
    deal = {"id": "o-1", "name": "Core", "stage": "bidding", "close_date": "2027-04-30", "decision_groups": [
        {"group": "technical", "members": [{"contact_id": "c-b", "proximity": 1}, {"contact_id": "c-a", "proximity": 2}]}
    ]}  # fmt: skip
    recs = [r for r in _recs(friends, [deal]) if r.action == "coach_development"]
    assert [r.subject_id for r in recs] == ["c-b"]  # the nearer the axis


def test_two_missing_roles_are_two_staffing_lines_not_one_occasion() -> None:
    # A won deal (kick-off: the FR) and a live deal's evaluators (the SR): neither is on the team.
    people = [contact("c-e", name="Ida Lund", title="Engineer", level="senior", role="E", stance=1)]
    deals = [
        CORE | {"decision_groups": [{"group": "technical", "members": [{"contact_id": "c-e", "proximity": 1}]}]},
        {"id": "o-won", "name": "Billing", "stage": "won", "value": 900_000, "close_date": "2026-11-10"},
    ]
    staffing = [r for r in _recs(people, deals, team=[TEAM[0], TEAM[2]]) if r.action == "staff_iron_triangle"]
    assert len(staffing) >= 2
    assert len({r.approach for r in staffing}) == len(staffing)
