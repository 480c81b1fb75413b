"""The bundled example of our crisis (examples/our-crisis/) reads as a plan, as the other bundled examples do."""

from __future__ import annotations

import datetime as dt

import pytest
import test_bundled_examples as bundled
from kamengine.engine.advise.spec import prepare
from kamengine.engine.model.config import Config
from kamengine.engine.model.loading import load_snapshot
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from support import REPO

EXAMPLE = REPO / "examples" / "our-crisis"


@pytest.fixture(scope="module")
def planned() -> tuple:  # type: ignore[type-arg]
    snapshot = load_snapshot(str(EXAMPLE / "northwind-logistics.yaml"))
    config = Config()
    config.crisis = "chip shortage at our factories"  # as examples/our-crisis/kamengine.toml declares it
    advisor = prepare(Registry(get_plugin_manager(load_entry_points=False)), config, engine="durable").advisor()
    return snapshot, advisor.advise(snapshot).recommendations


@pytest.mark.parametrize(
    "check",
    [
        bundled.test_no_contact_has_two_approaches_within_14_days,
        bundled.test_every_recommendation_names_an_owner_on_the_team_or_is_staffing,
        bundled.test_every_approach_has_one_date_and_one_lead_first,
    ],
    ids=lambda check: check.__name__.removeprefix("test_"),
)
def test_the_example_of_our_crisis_keeps_the_rules_of_every_bundled_example(planned: tuple, check: object) -> None:  # type: ignore[type-arg]
    check(planned)  # type: ignore[operator]


def test_the_example_shows_each_event_of_issue_22(planned: tuple) -> None:  # type: ignore[type-arg]
    snapshot, recs = planned
    actions = {r.action for r in recs}
    assert {
        "open_letter", "top_level_call", "continuity_message", "answer_question", "confirm_close_date",
        "introduce_successor", "project_kickoff", "recognition_exchange",
    } <= actions  # fmt: skip
    assert not actions & {"key_resource_support", "joint_csr"}
    closes = {d.id: d.close_date for d in snapshot.opportunities if d.live and d.close_date}
    for rec in recs:  # the only live deal slipped: nothing for it beyond three weeks
        if rec.opportunity_id in closes:
            assert rec.due <= snapshot.as_of + dt.timedelta(days=21), rec.title
