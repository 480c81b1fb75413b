"""kamengine explain --subject ID alone: why nothing (or what) for this person, naming rules switched off."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from kamengine.cli import main
from support import REPO

EXAMPLE = str(REPO / "examples" / "acme-telecom.yaml")


def _explain(*args: str, config: str = "/dev/null") -> list[str]:
    result = CliRunner().invoke(main, ["explain", EXAMPLE, *args, "--config", config])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_a_person_with_nothing_recommended_hears_why_rule_by_rule() -> None:
    lines = _explain("--subject", "c-ana")
    assert lines[0] == "contact c-ana (Mia Chen): nothing recommended"
    assert "  kam-deals/cold-key-person did not fire: key_person = true: seen false" in lines
    assert all(line.startswith("  ") and " did not fire: " in line for line in lines[1:])
    assert len(lines) > 10  # every contact rule answers, not only the first


def test_what_the_plan_did_is_told_cooldowns_and_approaches_included() -> None:
    lines = _explain("--subject", "c-eng")
    assert lines[0].startswith("contact c-eng (Jonas Berg): ") and "recommendation(s)" in lines[0]
    text = "\n".join(lines)
    assert "executive_visit held back (cooldown): last executive_visit was 20 days ago" in text
    assert "approach: carried by hq_tour" in text


def test_a_rule_switched_off_in_kamengine_toml_is_named_with_its_file(tmp_path: Path) -> None:
    settings = tmp_path / "kamengine.toml"
    settings.write_text('[rules]\ndisabled = ["power-map/borrow-leverage"]\n', encoding="utf-8")
    lines = _explain("--subject", "c-cto", config=str(settings))
    assert (
        f"  power-map/borrow-leverage is switched off in {settings} (rules.disabled); it would fire for this subject"
        in lines
    )
    assert not any("executive_sponsor recommended" in line for line in lines)
    off = _explain("--rule", "borrow-leverage", "--subject", "c-ana", config=str(settings))
    assert off[0].startswith(f"power-map/borrow-leverage is switched off in {settings} (rules.disabled); it would not")
    assert off[0].endswith("(contact c-ana)")


def test_a_whole_playbook_switched_off_names_each_of_its_rules(tmp_path: Path) -> None:
    settings = tmp_path / "kamengine.toml"
    settings.write_text('[playbooks]\ndisabled = ["kam-foundation"]\n', encoding="utf-8")
    lines = _explain("--subject", "c-ana", config=str(settings))
    off = [line for line in lines if "switched off" in line]
    assert off and all(f"switched off in {settings} (playbooks.disabled)" in line for line in off)
    assert any(line.startswith("  kam-foundation/birthday-greeting is switched off") for line in off)


def test_a_deal_or_the_account_is_a_subject_too() -> None:
    assert _explain("--subject", "o-core")[0].startswith("opportunity o-core (5G core tender): ")
    assert _explain("--subject", "acme-tel")[0].startswith("account acme-tel (ACME Telecom): ")
