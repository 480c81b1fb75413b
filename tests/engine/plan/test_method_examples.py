"""The bundled examples keep the method's compliance (issue 22): no private occasion or gift for someone deciding
a deal in its quiet period, and no trip we host for them in the 14 days before the deal closes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from kamengine.engine.evaluate.facts import compute_facts
from kamengine.engine.model.loading import load_snapshot
from kamengine.engine.model.plan_settings import PlanSettings
from support import REPO, builtin_advisor

EXAMPLES = [REPO / "examples" / "acme-telecom.yaml", *sorted((REPO / "examples" / "portfolio").glob("*.yaml"))]
HOSPITALITY = {"private_activity", "family_banquet", "home_visit", "compliant_gift"}
TRIPS = {"hq_tour", "exhibition_invite", "reference_site_visit", "summit_dialogue"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_no_hospitality_in_a_quiet_period_and_no_trip_just_before_a_close(path: Path) -> None:
    snapshot = load_snapshot(str(path))
    facts = compute_facts(snapshot)
    quiet = PlanSettings().quiet_stages
    advice = builtin_advisor().advise(snapshot)
    for rec in advice.recommendations:
        if rec.subject_kind != "contact":
            continue
        for deal in facts.items("contact", rec.subject_id, "deals"):
            close: dt.date | None = deal["close_date"]
            decided = close is None or rec.due <= close
            if rec.action in HOSPITALITY:
                assert not (deal["stage"] in quiet and decided), f"{rec.title} while {deal['name']} is decided"
            if rec.action in TRIPS and close is not None:
                assert not (close - dt.timedelta(days=14) <= rec.due <= close), f"{rec.title} on {rec.due}"


def test_the_examples_show_a_star_who_holds_the_deciders() -> None:
    held = []
    for path in EXAMPLES:
        recs = builtin_advisor().advise(load_snapshot(str(path))).recommendations
        held += [r for r in recs if r.rule == "power-map/share-decider-relationships"]
    assert held, "one bundled account has a star who holds the people who sign"
