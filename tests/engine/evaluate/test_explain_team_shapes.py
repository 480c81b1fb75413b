"""advise --explain on every team shape: any subset of AR/SR/FR/AD (none too) on each bundled example."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kamengine.engine.api import Engine
from kamengine.engine.evaluate.explain import subject_outcomes
from kamengine.engine.model.documents import parse
from kamengine.engine.model.fields import SUBJECT_KINDS
from kamengine.engine.model.loading import snapshot_from_document
from kamengine.engine.model.snapshot import Snapshot
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from kamengine.engine.plugin.sources import Source, SourceRecord

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = sorted([REPO / "examples" / "acme-telecom.yaml", *(REPO / "examples" / "portfolio").glob("*.yaml")])
ROLES = ("AR", "SR", "FR", "AD")
LEVELS = ("executive", "senior", "middle", "staff")


@functools.cache
def _engine() -> Engine:
    return Engine(registry=Registry(get_plugin_manager(load_entry_points=False)))


@functools.cache
def _example(path: Path) -> str:
    return json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str)


class _Given(Source):
    """One snapshot, as the service hands a request's snapshot to the engine."""

    PLUGIN_NAME = "test"

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__("test")
        self.snapshot = snapshot

    def records(self) -> Iterator[SourceRecord]:
        yield SourceRecord("test", snapshot=self.snapshot)


@st.composite
def team_shapes(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A bundled example whose team is replaced by one of the given roles (one or two members each, any
    level); the relationships and activities of members who are gone move to one who stays, or to nobody."""
    path = draw(st.sampled_from(EXAMPLES))
    data = json.loads(_example(path))
    roles = draw(st.sets(st.sampled_from(ROLES)))
    team = [
        {"id": f"t-{role}-{n}", "name": f"{role} {n}", "role": role, "level": draw(st.sampled_from(LEVELS))}
        for role in sorted(roles)
        for n in range(draw(st.integers(1, 2)))
    ]
    data["team"] = team
    owners = st.sampled_from([None, *(m["id"] for m in team)])
    for section in ("contacts", "activities"):
        for item in data.get(section, []):
            item.pop("owner", None)
            owner = draw(owners)
            if owner is not None:
                item["owner"] = owner
    return path.name, data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(team_shapes())
def test_explain_accounts_for_every_recommendation_whatever_the_team(shape: tuple[str, dict[str, Any]]) -> None:
    name, data = shape
    snapshot = snapshot_from_document(parse(json.dumps(data), name))
    result = _engine().advise([_Given(snapshot)], explain=True)
    assert result.failures == []
    assert result.recommendations, "every example with any team gets some advice"
    assert set(result.explanations) == {rec.id for rec in result.recommendations}
    roles = {member["role"] for member in data["team"]}
    for rec in result.recommendations:
        lines = result.explanations[rec.id]
        assert lines, f"{rec.rule} for {rec.subject_id} has no explanation"
        if rec.rule.startswith("plan/staff-"):  # the plan's own: it says which role the team lacks
            missing = rec.rule.removeprefix("plan/staff-")
            assert missing not in roles
            assert any(f"nobody on the team is an {missing}" in line for line in lines)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(team_shapes())
def test_explain_by_subject_finds_every_recommendation_whatever_the_team(shape: tuple[str, dict[str, Any]]) -> None:
    """``kamengine explain --subject`` over every subject names each recommendation once: a rule's under
    its rule, the plan's own (plan/staff-SR) under the account."""
    name, data = shape
    advisor = _engine().advisor
    facts, firings = advisor.evaluate(snapshot_from_document(parse(json.dumps(data), name)))
    advice = advisor.plan(facts, firings)
    shown = [
        action["id"]
        for kind in SUBJECT_KINDS
        for subject in facts.subjects(kind)
        for found in subject_outcomes(subject, kind, facts, advice, advisor.rules, ())
        for action in found["actions"]
        if action["outcome"] == "recommended"
    ]
    assert sorted(shown) == sorted(rec.id for rec in advice.recommendations)


def test_a_team_without_an_sr_is_explained_through_the_cli(tmp_path: Path) -> None:
    """The issue's crash: ACME without its SR, through ``advise --explain`` as a user runs it."""
    from click.testing import CliRunner
    from kamengine.cli import main

    data = json.loads(_example(REPO / "examples" / "acme-telecom.yaml"))
    data["team"] = [m for m in data["team"] if m["role"] != "SR"]
    for section in ("contacts", "activities"):
        for item in data[section]:
            if item.get("owner") == "u-sr":
                item["owner"] = "u-ar"
    path = tmp_path / "acme-without-sr.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["advise", "--explain", "--format", "json", str(path)])
    assert result.exit_code == 0, result.output
    documents = json.loads(result.stdout)
    staffing = [d for d in documents if d["rule"] == "plan/staff-SR"]
    assert staffing
    assert all(d["explanation"] for d in documents)
    assert any("nobody on the team is an SR" in line for line in staffing[0]["explanation"])


def test_a_team_of_one_ar_is_explained_through_the_api(tmp_path: Path) -> None:
    """``POST /v1/advise?explain=1`` answered 500 for Initech (its team: one AR)."""
    from serving import serving

    with serving(tmp_path / "kamengine.db") as running:
        running.token("crm", "crm", "read")
        with running.client("crm") as client:
            response = client.post(
                "/v1/advise?explain=1", content=(REPO / "examples/portfolio/initech.yaml").read_bytes()
            )
    assert response.status_code == 200, response.text
    documents = response.json()
    assert any(d["rule"].startswith("plan/staff-") for d in documents)
    assert all(d["explanation"] for d in documents)
