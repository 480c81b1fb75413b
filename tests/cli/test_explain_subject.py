"""kamengine explain --subject ID alone: why nothing (or what) for this person, naming rules switched off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from kamengine.cli import main
from support import REPO

EXAMPLE = str(REPO / "examples" / "acme-telecom.yaml")


def _explain(*args: str, config: str = "/dev/null") -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["explain", EXAMPLE, *args, "--config", config, "--json"])
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def test_a_person_with_nothing_recommended_hears_why_rule_by_rule() -> None:
    found = _explain("--subject", "c-ana")
    assert len(found) > 10 and not any(o["fired"] for o in found)  # every contact rule answers, not only one
    assert {o["subject"]["id"] for o in found} == {"c-ana"}
    cold = next(o for o in found if o["rule"] == "kam-deals/cold-key-person")
    assert cold["failed"] == "key_person = true: seen false"
    table = CliRunner().invoke(main, ["explain", EXAMPLE, "--subject", "c-ana", "--config", "/dev/null"]).stdout
    assert "kam-deals/cold-key-person" in table and "did not fire  key_person = true: seen false" in table


def test_what_the_plan_did_is_told_cooldowns_and_approaches_included() -> None:
    found = _explain("--subject", "c-eng")
    fired = [o for o in found if o["fired"]]
    assert fired and found[: len(fired)] == fired  # what fired comes first
    actions = [a for o in fired for a in o["actions"]]
    assert any(a["outcome"] == "held back" and a["reason"] == "cooldown" for a in actions)
    assert any(note.startswith("approach: carried by hq_tour") for a in actions for note in a.get("notes", []))


def test_a_rule_switched_off_in_kamengine_toml_is_named_with_its_file(tmp_path: Path) -> None:
    settings = tmp_path / "kamengine.toml"
    settings.write_text('[rules]\ndisabled = ["power-map/borrow-leverage"]\n', encoding="utf-8")
    found = _explain("--subject", "c-cto", config=str(settings))
    (off,) = [o for o in found if o["switched_off"]]
    assert off["rule"] == "power-map/borrow-leverage" and off["failed"] is None  # it would fire
    assert off["switched_off"] == f"switched off in {settings} (rules.disabled)"
    assert not any(a["action"] == "executive_sponsor" for o in found for a in o["actions"] if o["rule"] == off["rule"])
    args = ["explain", EXAMPLE, "--rule", "borrow-leverage", "--subject", "c-ana", "--config", str(settings)]
    table = CliRunner().invoke(main, args).stdout
    assert f"switched off  switched off in {settings} (rules.disabled); it would not fire either: " in table


def test_a_whole_playbook_switched_off_names_each_of_its_rules(tmp_path: Path) -> None:
    settings = tmp_path / "kamengine.toml"
    settings.write_text('[playbooks]\ndisabled = ["kam-foundation"]\n', encoding="utf-8")
    off = [o for o in _explain("--subject", "c-ana", config=str(settings)) if o["switched_off"]]
    assert off and all(o["switched_off"] == f"switched off in {settings} (playbooks.disabled)" for o in off)
    assert "kam-foundation/birthday-greeting" in {o["rule"] for o in off}


def test_a_deal_or_the_account_is_a_subject_too() -> None:
    assert {o["subject"]["kind"] for o in _explain("--subject", "o-core")} == {"opportunity"}
    assert {o["subject"]["kind"] for o in _explain("--subject", "acme-tel")} == {"account"}
