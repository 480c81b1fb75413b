"""kamengine.toml: found in the working directory or given with --config; config show says where from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from kamengine.cli import main

TOML = """\
lang = "en"

[compliance]
gift_cap = 150
gift_caps = { CNY = 1000 }

[parameters]
private_activity_min_stance = 2

[rules]
disabled = ["power-map/ladder-home-visit"]

[[festivals]]
name = "Company day"
date = 2026-12-01
regions = ["EU"]
"""


@pytest.fixture
def in_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "kamengine.toml").write_text(TOML, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_config_show_says_where_each_value_came_from(in_dir: Path) -> None:
    result = CliRunner().invoke(main, ["config", "show"])
    assert result.exit_code == 0, result.output
    lines = [line.split(maxsplit=2) for line in result.output.splitlines()]
    assert lines[0] == ["key", "value", "origin"]
    toml = f"{in_dir}/kamengine.toml"
    assert ["lang", "en", toml] in lines
    assert ["compliance.gift_cap", "150", toml] in lines
    assert ["compliance.gift_caps.CNY", "1000", toml] in lines
    assert ["parameters.private_activity_min_stance", "2", toml] in lines
    assert any(
        line[:2] == ["parameters.family_min_stance", "2"] and line[2].startswith("default in ") for line in lines
    )
    assert ["rules.disabled", "power-map/ladder-home-visit", toml] in lines
    assert " ".join(result.output.splitlines()[-2].split()) == f"festivals.2026-12-01 Company day (EU) {toml}"
    assert result.output.endswith("festivals: each region's holidays calendar, and 1 added\n")
    settings = {row["key"]: row for row in json.loads(CliRunner().invoke(main, ["config", "show", "--json"]).output)}
    assert settings["rules.disabled"] == {
        "key": "rules.disabled",
        "value": ["power-map/ladder-home-visit"],
        "origin": toml,
    }
    assert settings["festivals.2026-12-01"]["value"] == {"name": "Company day", "regions": ["EU"]}
    assert settings["crisis"] == {"key": "crisis", "value": None, "origin": "default"}


@prints_as_on_durable
def test_the_file_changes_advice(in_dir: Path, example_path: str) -> None:
    recs = json.loads(CliRunner().invoke(main, ["advise", example_path, "-f", "json"]).output)
    rules = {r["rule"] for r in recs}
    assert "power-map/ladder-home-visit" not in rules  # switched off
    assert "power-map/ladder-private-activity" not in rules  # parameter raised to 2
    assert any(r["subject"]["id"] == "c-cto" for r in recs)


def test_an_explicit_config_wins_and_must_exist(tmp_path: Path, example_path: str) -> None:
    other = tmp_path / "other.toml"
    other.write_text('[playbooks]\ndisabled = ["power-map"]\n', encoding="utf-8")
    result = CliRunner().invoke(
        main, ["--config", str(other), "advise", example_path, "--rules", str(tmp_path / "none")]
    )
    assert result.exit_code == 2  # --rules path does not exist: a usage error
    missing = CliRunner().invoke(main, ["--config", str(tmp_path / "nope.toml"), "config", "show"])
    assert missing.exit_code == 2  # a usage mistake
    assert missing.stderr.endswith(f"Error: --config {tmp_path}/nope.toml: no such config file\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lang = 'fr'\n", "lang: expected one of en, zh, found 'fr'"),
        (
            "[compliance]\ngift_capp = 3\n",
            "compliance.gift_capp: unknown setting (did you mean 'gift_cap'?); expected one of gift_cap, gift_caps",
        ),
        ("[rules]\ndisabled = ['power-map/nope']\n", "rules.disabled: no rule 'power-map/nope'"),
        ("lang = \n", "invalid TOML"),
    ],
)
def test_mistakes_are_reported_with_the_key(tmp_path: Path, example_path: str, text: str, message: str) -> None:
    path = tmp_path / "k.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), "advise", example_path])
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@prints_as_on_durable
def test_lang_from_config_and_from_the_command_line(tmp_path: Path, example_path: str) -> None:
    path = tmp_path / "k.toml"
    path.write_text("lang = 'zh'\n", encoding="utf-8")
    chinese = json.loads(CliRunner().invoke(main, ["--config", str(path), "advise", example_path, "-f", "json"]).output)
    english = json.loads(
        CliRunner().invoke(main, ["--config", str(path), "advise", example_path, "-f", "json", "--lang", "en"]).output
    )
    sponsor = next(r for r in chinese if r["rule"] == "power-map/borrow-leverage" and r["subject"]["id"] == "c-cto")
    assert sponsor["title"] == "为Ana Ruiz（Chief Technology Officer）指定我方高层对口人"
    assert sponsor["rationale"].startswith("借势")
    assert [r["id"] for r in english] == [r["id"] for r in chinese]
    assert english[0]["title"].startswith("New in role: ")
