"""``surely_sound`` says a snapshot is sound exactly when ``integrity_problems`` finds nothing in it."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from kamengine.engine.model.actions import ActionCatalogue
from kamengine.engine.model.snapshot import Snapshot, integrity_problems
from kamengine.engine.model.sound import surely_sound
from test_json_mode import RICH

ACTIONS = ActionCatalogue()
#: Ids that name something in RICH, or nothing, or the wrong kind of thing.
IDS = st.sampled_from(["c1", "c2", "c3", "u1", "u2", "o1", "o2", "a1", "", "other", "technical_exchange", "nope"])
#: (path, field) of every reference and id in RICH that a mutation may change, or set to null.
FIELDS = [
    (("contacts", 0), "id"), (("contacts", 0), "owner"), (("contacts", 0), "reports_to"),
    (("contacts", 0), "replaced_by"), (("contacts", 1), "id"), (("contacts", 1), "owner"),
    (("contacts", 1), "reports_to"), (("contacts", 1), "replaced_by"), (("contacts", 0, "open_questions", 0), "by"),
    (("opportunities", 0), "id"), (("opportunities", 0, "decision_groups", 0, "members", 0), "contact_id"),
    (("opportunities", 0, "decision_groups", 1, "members", 0), "contact_id"), (("activities", 0), "id"),
    (("activities", 0), "type"), (("activities", 0), "opportunity_id"), (("activities", 0), "owner"),
    (("activities", 0, "open_questions", 0), "by"), (("team", 0), "id"),
]  # fmt: skip


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    """RICH with some ids and references changed, items copied (a duplicate id) or questions left out."""
    data: dict[str, Any] = copy.deepcopy(RICH)
    for path, field in draw(st.lists(st.sampled_from(FIELDS), max_size=4)):
        target: Any = data
        for part in path:
            target = target[part]
        target[field] = draw(IDS | st.none()) if field not in ("id", "type", "contact_id") else draw(IDS.filter(bool))
    for name in draw(st.lists(st.sampled_from(["contacts", "activities", "team", "opportunities"]), max_size=2)):
        data[name].append(copy.deepcopy(data[name][0]))
    if draw(st.booleans()):
        data["contacts"][0]["open_questions"] = []
        data["activities"][0]["open_questions"] = []
    return Snapshot.model_validate(data)


@settings(max_examples=500, deadline=None)
@given(snapshots())
def test_sound_exactly_when_no_integrity_problem(snapshot: Snapshot) -> None:
    assert surely_sound(snapshot, ACTIONS) == (not list(integrity_problems(snapshot, ACTIONS)))


def test_a_loop_up_the_org_chart_is_not_sound() -> None:
    data = copy.deepcopy(RICH)
    data["contacts"][0]["reports_to"] = "c2"  # c2 reports to c1 already
    snapshot = Snapshot.model_validate(data)
    assert list(integrity_problems(snapshot, ACTIONS)) and not surely_sound(snapshot, ACTIONS)
    assert surely_sound(Snapshot.model_validate(RICH), ACTIONS)
