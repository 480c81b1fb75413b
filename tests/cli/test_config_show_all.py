"""kamengine config show lists every setting kamengine.toml can hold: each field of the Settings model appears."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.model.config import Settings
from pydantic import BaseModel

TEAM = """\
playbook: team
parameters:
  least_stance: {default: 1, description: The stance from which a contact is visited.}
rules:
  - id: visit-supporters
    rationale: Supporters hear from us.
    subject: contact
    when: [{stance: {gte: $least_stance}}]
    actions: [{action: regular_office_visit, title: "Visit {name}"}]
"""
#: A kamengine.toml that sets every field of the Settings model (a table per id with one entry).
EVERYTHING = """
lang = "zh"
engine = "reference"
crisis = "a fire at our plant"

[parameters]
cold_after_days = 30

[compliance]
gift_cap = 150
gift_caps = { CNY = 1000 }

[playbooks]
disabled = ["kam-deals"]
paths = ["team"]

[rules]
disabled = ["power-map/ladder-home-visit"]

[[festivals]]
name = "Company day"
date = 2026-12-01
regions = ["EU"]

[plan]
window_days = 10
weekly_capacity = 6
capacity = { u-ad = 4 }
daily_capacity = 2
daily = { u-ad = 1 }
horizon_weeks = 4
closed = ["12-23", "01-02"]
lead_days = { hq_tour = 30 }
year_end_break = false
quiet_stages = ["negotiation"]

[plan.urgency]
tiers = { strategic = 1.5 }
stages = { won = 1.2 }
value_unit = 50000
value_slope = 0.5
value_cap = 3
close_horizon_days = 60
close_boost = 0.25
overdue = 2

[limits]
account_seconds = 100
delivery_seconds = 200
attempt_seconds = 30
hook_seconds = 300
snapshot_mb = 32
line_mb = 8
webhook_chunk = 100
max_per_account = 5
future_days = 1

[retention]
decision_log_days = 30
log_advise = true
closed_recommendation_days = 120
snapshot_days = 60
run_days = 90
"""


def _fields(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every leaf of a settings model as a dotted key (plan.urgency.value_unit, limits.future_days, ...)."""
    found: set[str] = set()
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel) and kind.model_fields:
            found |= _fields(kind, f"{key}.")
        else:
            found.add(key)
    return found


def _set_in(document: dict[str, Any], leaves: set[str], prefix: str = "") -> set[str]:
    """The leaves a TOML document sets (a table per id, like plan.capacity, is one leaf)."""
    found: set[str] = set()
    for name, value in document.items():
        key = f"{prefix}{name}"
        if key in leaves:
            found.add(key)
        elif isinstance(value, dict):
            found |= _set_in(value, leaves, f"{key}.")
    return found


def test_every_field_of_the_settings_model_appears_with_its_origin(tmp_path: Path) -> None:
    settings = tmp_path / "kamengine.toml"
    settings.write_text(EVERYTHING, encoding="utf-8")
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "team.yaml").write_text(TEAM, encoding="utf-8")
    leaves = _fields(Settings)
    assert len(leaves) > 35  # the walk reaches the nested tables (plan.urgency.*)
    unset = leaves - _set_in(tomllib.loads(EVERYTHING), leaves)
    assert unset == set(), "set every new setting in EVERYTHING, and have config show list it"

    result = CliRunner().invoke(main, ["--config", str(settings), "config", "show", "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["key"]: row for row in json.loads(result.output)}
    missing = {leaf for leaf in leaves if not any(key == leaf or key.startswith(f"{leaf}.") for key in rows)}
    assert missing == set()
    everyone = [row for key, row in rows.items() if not key.startswith("parameters.")]  # the playbooks' defaults
    assert all(row["origin"] == str(settings) for row in everyone), [r for r in everyone if r["origin"] == "default"]
    assert rows["playbooks.paths"]["value"] == [str(tmp_path / "team")]
    team = rows["parameters.least_stance"]  # the team's own playbook's parameter, with its default
    assert team["value"] == 1 and team["origin"] == f"default in {tmp_path / 'team' / 'team.yaml'}"
    assert rows["plan.capacity.u-ad"]["value"] == 4 and rows["plan.daily.u-ad"]["value"] == 1
    assert rows["plan.closed"]["value"] == ["12-23", "01-02"] and rows["plan.year_end_break"]["value"] is False
    assert rows["plan.urgency.tiers.strategic"]["value"] == 1.5 and rows["plan.urgency.overdue"]["value"] == 2
    assert rows["limits.future_days"]["value"] == 1 and rows["limits.max_per_account"]["value"] == 5
    assert rows["retention.decision_log_days"]["value"] == 30 and rows["retention.log_advise"]["value"] is True


def test_a_table_shows_the_plan_s_lists_as_words() -> None:
    result = CliRunner().invoke(main, ["--config", "/dev/null", "config", "show"])
    lines = [" ".join(line.split()) for line in result.output.splitlines()]
    assert "plan.closed 12-24, 01-01 default" in lines
    assert "plan.quiet_stages bidding, negotiation default" in lines
    assert "retention.log_advise false default" in lines
