"""Issue 22 point 5: role history, the project office after a win, and recognition at the roof."""

from __future__ import annotations

import pytest
from kamengine.engine.errors import SnapshotError
from support import activity, advise_builtin, contact, make_snapshot

TEAM = [
    {"id": "u-ar", "name": "Li Wei", "role": "AR", "level": "middle"},
    {"id": "u-fr", "name": "Omar Haddad", "role": "FR", "level": "middle"},
    {"id": "u-ad", "name": "Chen Jing", "role": "AD", "level": "executive"},
]


def _advice(contacts: list[dict], **sections: object) -> list:  # type: ignore[type-arg]
    sections.setdefault("team", TEAM)
    return advise_builtin(make_snapshot(contacts=contacts, **sections)).recommendations  # type: ignore[arg-type]


def test_a_supporter_who_moved_is_asked_to_introduce_the_successor() -> None:
    # The CTO who backed us became Head of Strategy on 1 November; the new CTO has never met us.
    recs = _advice(
        [
            contact("c-jonas", title="Head of Strategy", level="senior", stance=2,
                    previous_role={"title": "CTO", "until": "2026-10-31"}, replaced_by="c-ana"),
            contact("c-ana", title="CTO", level="executive", role="D", in_role_since="2026-11-01"),
        ],
        activities=[activity("a-1", "regular_office_visit", "2026-11-10", "c-jonas", owner="u-ar")],
    )  # fmt: skip
    intro = [r for r in recs if r.action == "introduce_successor"]
    assert [(r.subject_id, r.owner.id if r.owner else None) for r in intro] == [("c-jonas", "u-ar")]
    assert "Ana" in intro[0].title
    assert any(r.subject_id == "c-ana" and r.action == "executive_visit" for r in recs)  # the weak spot, at the top


def test_no_introduction_once_the_successor_is_met_or_from_someone_against_us() -> None:
    recs = _advice(
        [
            contact("c-left", stance=1, moved_to="RivalTel", replaced_by="c-met"),
            contact("c-met", stance=1),
            contact("c-foe", stance=-1, moved_to="retired", replaced_by="c-new"),
            contact("c-new", stance=1),
        ],
        activities=[activity("a-1", "regular_office_visit", "2026-11-10", "c-met")],
    )
    assert not [r for r in recs if r.action == "introduce_successor"]


def test_a_successor_who_does_not_decide_is_not_a_weak_spot() -> None:
    recs = _advice(
        [contact("c-old", stance=1, replaced_by="c-new"), contact("c-new", title="Analyst", level="senior", role="I")]
    )
    assert not any(r.rule.startswith("kam-account/successor-weak-spot") for r in recs)


def test_replaced_by_must_name_another_contact() -> None:
    with pytest.raises(
        SnapshotError, match=r"contacts\[0\]\.replaced_by: unknown contact 'c-nw' \(did you mean 'c-new'"
    ):
        make_snapshot(contacts=[contact("c-old", replaced_by="c-nw"), contact("c-new")])
    with pytest.raises(SnapshotError, match="cannot be their own successor"):
        make_snapshot(contacts=[contact("c-old", replaced_by="c-old")])


def test_after_a_win_the_project_office_gets_the_kick_off_from_the_fr() -> None:
    # A contact's department says Project Office and the team has an FR: not the AD, not the deal in general.
    recs = _advice(
        [
            contact("c-pmo", title="Programme Manager", department="Project Office", stance=1),
            contact("c-cto", title="CTO", department="IT", level="executive", stance=2, owner="u-ad"),
        ],
        opportunities=[{"id": "o-won", "name": "Core", "stage": "won", "close_date": "2026-11-10"}],
    )
    kickoffs = [r for r in recs if r.action in ("project_kickoff", "project_office_visit")]
    assert [(r.action, r.subject_id, r.owner.id if r.owner else None) for r in kickoffs] == [
        ("project_kickoff", "c-pmo", "u-fr")
    ]


def test_recognition_is_its_own_exchange_at_the_top_once_the_three_below_work() -> None:
    strong = {"communication": 3, "matching": 3, "joint": 3, "recognition": 1}
    recs = advise_builtin(
        make_snapshot(
            account={"id": "acct", "name": "ACME", "strategic_partner": True, "org_relationship": strong},
            activities=[activity("a-1", "summit_dialogue", "2026-10-01")],
            team=TEAM,
        )
    ).recommendations
    exchange = [r for r in recs if r.action == "recognition_exchange"]
    assert [(r.rule, r.owner.id if r.owner else None) for r in exchange] == [("kam-account/roof-recognition", "u-ad")]
    assert not [r for r in recs if r.action == "hq_tour"]
