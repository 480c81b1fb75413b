"""The bundled examples read as a plan: one approach per person per fortnight, owned, dated before the close."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from kamengine.engine.model.loading import load_snapshot
from support import REPO, builtin_advisor

EXAMPLES = [REPO / "examples" / "acme-telecom.yaml", *sorted((REPO / "examples" / "portfolio").glob("*.yaml"))]


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.stem)
def planned(request: pytest.FixtureRequest) -> tuple:  # type: ignore[type-arg]
    snapshot = load_snapshot(str(request.param))
    return snapshot, builtin_advisor().advise(snapshot).recommendations


def test_no_contact_has_two_approaches_within_14_days(planned: tuple) -> None:  # type: ignore[type-arg]
    _, recs = planned
    approaches: dict[str, set[tuple[str, object]]] = {}
    for rec in recs:
        if rec.subject_kind == "contact":
            approaches.setdefault(rec.subject_id, set()).add((rec.approach, rec.due))
    for contact, found in approaches.items():
        for (a, first), (b, second) in itertools.combinations(sorted(found, key=lambda x: x[1]), 2):
            assert abs((second - first).days) > 14, f"{contact}: {a} on {first} and {b} on {second}"


def test_every_recommendation_names_an_owner_on_the_team_or_is_staffing(planned: tuple) -> None:  # type: ignore[type-arg]
    snapshot, recs = planned
    team = {member.id: member for member in snapshot.team}
    for rec in recs:
        if rec.owner is None:
            assert rec.action == "staff_iron_triangle", rec.title
            continue
        assert rec.owner.id in team and team[rec.owner.id].role == rec.owner.role == rec.owner_role, rec.title


def test_nothing_serving_a_deal_falls_due_after_it_closes(planned: tuple) -> None:  # type: ignore[type-arg]
    snapshot, recs = planned
    closes = {deal.id: deal.close_date for deal in snapshot.opportunities if deal.live and deal.close_date}
    serving = [rec for rec in recs if rec.opportunity_id in closes]
    assert all(rec.due < closes[rec.opportunity_id] for rec in serving)
    if snapshot.account.id == "acme-tel":
        assert len(serving) > 5  # the 5G core tender's work is linked to it


def test_every_approach_has_one_date_and_one_lead_first(planned: tuple) -> None:  # type: ignore[type-arg]
    _, recs = planned
    seen: dict[str, object] = {}
    for rec in recs:
        if rec.approach in seen:
            assert seen[rec.approach] == rec.due
        seen[rec.approach] = rec.due
    order = [rec.approach for rec in recs]
    assert all(order.index(a) == i or order[i - 1] == a for i, a in enumerate(order)), "an approach is split"


def test_paths_exist() -> None:
    assert all(Path(p).is_file() for p in EXAMPLES) and len(EXAMPLES) == 5
