"""The built-in power-map playbook, rule by rule, on small snapshots."""

from __future__ import annotations

from support import activity, advise_builtin, contact, make_snapshot

EXEC_TEAM = [
    {"id": "u-ar", "name": "Li", "role": "AR", "level": "middle"},
    {"id": "u-ad", "name": "Chen", "role": "AD", "level": "executive"},
]


def _recs(
    *contacts: dict, activities: list | None = None, opportunities: list | None = None, tier: str = "standard"
) -> set[tuple[str, str, str]]:
    snapshot = make_snapshot(
        account={"id": "acct", "name": "Account", "tier": tier},
        contacts=list(contacts),
        activities=activities or [],
        opportunities=opportunities or [],
        team=EXEC_TEAM,
    )
    return {(r.rule.split("/")[1], r.action, r.subject_id) for r in advise_builtin(snapshot).recommendations}


def _visited(contact_id: str, *types: str) -> list[dict]:
    """One activity of each type, ten days apart, the last of them recent (the relationship is warm)."""
    days = [f"2026-{month}" for month in ("09-25", "10-05", "10-15", "10-25", "11-04")]
    return [activity(f"a{i}-{contact_id}", t, days[i], contact_id) for i, t in enumerate(types)]


def _deal(*members: tuple[str, int], stage: str = "bidding", group: str = "technical") -> dict:
    return {
        "id": "o1",
        "name": "Core",
        "stage": stage,
        "decision_groups": [{"group": group, "members": [{"contact_id": c, "proximity": p} for c, p in members]}],
    }


def test_three_axes_for_an_opposing_evaluator() -> None:
    recs = _recs(contact("c1", role="E", stance=-1))
    assert {r for r in recs if r[0] == "three-axes-evaluator"} == {
        ("three-axes-evaluator", "executive_visit", "c1"),
        ("three-axes-evaluator", "exhibition_invite", "c1"),
        ("three-axes-evaluator", "hq_tour", "c1"),
    }
    assert not any(r[0] == "three-axes-evaluator" for r in _recs(contact("c1", role="E", stance=0)))


def test_three_axes_for_other_opposing_people_of_influence_only() -> None:
    recs = _recs(
        contact("c-d", role="D", stance=-1),
        contact("c-i", role="I", stance=-1),
        contact("c-key", stance=-1),
        contact("c-plain", stance=-1),
        opportunities=[_deal(("c-key", 1))],
    )
    fired = {r[2] for r in recs if r[0] == "three-axes-influential-opponent"}
    assert fired == {"c-d", "c-key"}


def test_a_never_contacted_decision_maker_starts_with_a_project_office_visit() -> None:
    recs = _recs(contact("c1", role="D", stance=0))
    assert ("first-contact", "project_office_visit", "c1") in recs
    assert not any(r[1] in ("regular_office_visit", "private_activity") for r in recs)


def test_the_intimacy_ladder_offers_the_next_rung_and_never_skips() -> None:
    ladder = ["project_office_visit", "regular_office_visit", "private_activity", "family_banquet", "home_visit"]
    expected = ["ladder-regular-visits", "ladder-private-activity", "ladder-family-banquet", "ladder-home-visit", None]
    for reached in range(1, 6):
        recs = _recs(contact("c1", role="S", stance=2), activities=_visited("c1", *ladder[:reached]))
        ladder_recs = {r for r in recs if r[0].startswith("ladder-")}
        wanted = expected[reached - 1]
        assert ladder_recs == ({(wanted, ladder[reached], "c1")} if wanted else set()), reached


def test_ladder_needs_a_power_role_and_enough_support_for_private_rungs() -> None:
    assert not any(r[0].startswith("ladder-") for r in _recs(contact("c1", stance=2)))
    lukewarm = _recs(
        contact("c1", role="S", stance=0), activities=_visited("c1", "project_office_visit", "regular_office_visit")
    )
    assert not any(r[0] == "ladder-private-activity" for r in lukewarm)
    supportive = _recs(
        contact("c1", role="S", stance=1),
        activities=_visited("c1", "project_office_visit", "regular_office_visit", "private_activity"),
    )
    assert not any(r[0] == "ladder-family-banquet" for r in supportive)


def test_a_contact_met_at_an_exchange_is_past_the_first_rung() -> None:
    recs = _recs(contact("c1", role="E", stance=1), activities=_visited("c1", "technical_exchange"))
    assert ("ladder-regular-visits", "regular_office_visit", "c1") in recs


def test_develop_a_coach_from_the_strongest_supporter_of_a_coachless_live_deal() -> None:
    people = [contact("c1", stance=1), contact("c2", stance=2), contact("c3", stance=-1)]
    deal = _deal(("c1", 1), ("c2", 2), ("c3", 3))
    assert {r for r in _recs(*people, opportunities=[deal]) if r[0] == "develop-coach"} == {
        ("develop-coach", "coach_development", "c2")
    }
    with_coach = [*people, contact("c4", stance=3)]
    assert not any(
        r[0] == "develop-coach" for r in _recs(*with_coach, opportunities=[_deal(("c1", 1), ("c2", 2), ("c4", 3))])
    )
    assert not any(
        r[0] == "develop-coach" for r in _recs(*people, opportunities=[_deal(("c1", 1), ("c2", 2), stage="won")])
    )


def test_borrow_leverage_for_executives_owned_below_executive_level() -> None:
    recs = _recs(
        contact("c-owned-low", role="A", level="executive", stance=1, owner="u-ar"),
        contact("c-owned-high", role="A", level="executive", stance=1, owner="u-ad"),
        contact("c-unowned", role="D", level="executive", stance=0, owner=None),
        contact("c-firm", role="D", level="executive", stance=2, owner="u-ar"),
        contact("c-senior", role="D", level="senior", stance=0, owner="u-ar"),
        tier="key",
    )
    assert {r[2] for r in recs if r[0] == "borrow-leverage"} == {"c-owned-low", "c-unowned"}


def test_the_bundled_examples_show_every_rule(example_path: str) -> None:
    from kamengine.engine.model.loading import load_snapshot
    from support import REPO, builtin_advisor

    fired: set[str] = set()
    for path in [example_path, *sorted((REPO / "examples" / "portfolio").glob("*.yaml"))]:
        advice = builtin_advisor().advise(load_snapshot(str(path)))
        fired |= {r.rule for r in advice.recommendations} | {s.recommendation.rule for s in advice.suppressed}
    power_map = {rule.qualified_id for rule in builtin_advisor().rules if rule.playbook == "power-map"}
    # Elena Rossi, ACME's only coach, has the top rungs but is cold: she is re-warmed, not visited at home.
    assert power_map - fired == {"power-map/ladder-home-visit"}


def test_in_a_crisis_broad_relationship_rules_gain_priority() -> None:
    people = [contact("c1", stance=1, birthday="1970-11-22")]
    calm = advise_builtin(make_snapshot(contacts=people, team=EXEC_TEAM)).recommendations
    crisis = advise_builtin(
        make_snapshot(account={"id": "acct", "name": "ACME", "crisis": True}, contacts=people, team=EXEC_TEAM)
    ).recommendations
    greeting = [(r.priority, r.rule) for r in calm if r.action == "birthday_greeting"]
    assert greeting == [(30.0, "kam-foundation/birthday-greeting")]
    assert [r.priority for r in crisis if r.action == "birthday_greeting"] == [45.0]


def test_soil_fertility_names_the_relationships_to_share() -> None:
    people = [contact(f"c{i}", name=f"Person {i}", stance=1, owner="u-ar") for i in range(3)]
    recs = advise_builtin(make_snapshot(contacts=people, team=EXEC_TEAM)).recommendations
    (share,) = [r for r in recs if r.action == "broaden_relationships"]
    assert share.title == "Share Li's relationships at Account with the rest of the team: Person 0, Person 1, Person 2"
    assert share.evidence["matched"] == {"any contacts": ["c0", "c1", "c2"]}
