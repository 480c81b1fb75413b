"""The webhook's presets against local receivers that check the shape Slack, Teams, Salesforce and HubSpot document."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from kamengine import EmitContext, Recommendation
from kamengine.cli import main
from kamengine.plugins.delivery_settings import is_settings_target
from kamengine.plugins.webhook_emitter import WebhookEmitter
from kamengine.toolkit import Owner
from support import REPO, example_recommendations
from webhook_receivers import Check, Receiver, hubspot_tasks, salesforce_tasks, slack, teams

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"


def _settings(tmp_path: Path, url: str, preset: str, extra: str = "") -> str:
    path = tmp_path / "delivery.toml"
    path.write_text(f'[{preset}]\nurl = "{url}"\npreset = "{preset}"\n{extra}', encoding="utf-8")
    return f"webhook:{path}#{preset}"


def _advise(spec: str) -> Any:
    return CliRunner().invoke(main, ["advise", str(EXAMPLE), "--emit", spec])


def _items(preset: str, document: dict[str, Any]) -> list[Any]:
    """What one body carries per recommendation, as the service sees it."""
    if preset == "slack":
        return [b for b in document["blocks"] if b["type"] == "section"]
    if preset == "teams":
        return [e for e in document["attachments"][0]["content"]["body"] if e["type"] == "Container"]
    return document["records"] if preset == "salesforce-task" else document["inputs"]


@pytest.mark.parametrize(
    ("preset", "check", "chunk"),
    [
        ("slack", slack, 16),
        ("teams", teams, 15),
        ("salesforce-task", salesforce_tasks, 200),
        ("hubspot-task", hubspot_tasks, 100),
    ],
)
def test_each_preset_posts_every_recommendation_in_the_shape_its_service_documents(
    tmp_path: Path, preset: str, check: Check, chunk: int
) -> None:
    expected = example_recommendations()
    with Receiver(check) as receiver:
        result = _advise(_settings(tmp_path, receiver.url, preset))
    assert result.exit_code == 0, result.output
    assert receiver.problems == []
    items = [item for document in receiver.documents for item in _items(preset, document)]
    assert len(items) == len(expected)
    assert len(receiver.documents) == -(-len(expected) // chunk)
    assert f"webhook: {len(expected)} recommendations posted to {receiver.url}" in result.stderr


def test_the_task_presets_carry_each_recommendation_s_title_due_date_owner_and_account(tmp_path: Path) -> None:
    expected = example_recommendations()
    with Receiver(salesforce_tasks) as sf, Receiver(hubspot_tasks) as hs:
        assert (
            _advise(_settings(tmp_path / "a", sf.url, "salesforce-task") if _mk(tmp_path / "a") else "").exit_code == 0
        )
        assert _advise(_settings(tmp_path / "b", hs.url, "hubspot-task") if _mk(tmp_path / "b") else "").exit_code == 0
    records = sf.documents[0]["records"]
    assert [(r["Subject"], r["ActivityDate"], r["OwnerId"], r["WhatId"]) for r in records] == [
        (e["title"][:255], e["due"], e["owner"]["id"], e["opportunity_id"] or e["account_id"]) for e in expected
    ]
    assert all(r["WhoId"] == e["subject"]["id"] for r, e in zip(records, expected, strict=True) if "WhoId" in r)
    inputs = hs.documents[0]["inputs"]
    assert [(i["properties"]["hs_task_subject"], i["properties"]["hs_timestamp"][:10]) for i in inputs] == [
        (e["title"], e["due"]) for e in expected
    ]
    assert [i["associations"][0]["to"]["id"] for i in inputs] == [e["account_id"] for e in expected]


def _mk(folder: Path) -> bool:
    folder.mkdir()
    return True


def test_a_title_cannot_break_the_body_and_slack_s_control_characters_are_escaped(tmp_path: Path) -> None:
    title = 'Quote " and }, "text": "injected" <!channel> & \n newline'
    owner = Owner("u-ad", "Chen <Jing>", "AD")
    recommendation = Recommendation(
        id="rec-1", account_id="acme", action="executive_visit", subject_kind="contact", subject_id="c-1",
        title=title, rationale="because {{ 7*7 }}", rule="pb/rule", priority=1.5, due=dt.date(2026, 12, 4),
        owner_role="AD", owner=owner,
    )  # fmt: skip
    with Receiver(slack) as receiver:
        message = WebhookEmitter(_settings(tmp_path, receiver.url, "slack")[len("webhook:") :]).emit(
            [recommendation],
            EmitContext(stdout=None),  # type: ignore[arg-type]
        )
    assert "1 recommendations posted" in message and receiver.problems == []
    (document,) = receiver.documents
    assert document["text"] == "kamengine: 1 recommendation(s)"  # the title added no field and replaced none
    section = next(b for b in document["blocks"] if b["type"] == "section")["text"]["text"]
    assert section == '*Quote " and }, "text": "injected" &lt;!channel&gt; &amp; \n newline*\nbecause {{ 7*7 }}'
    context = next(b for b in document["blocks"] if b["type"] == "context")["elements"][0]["text"]
    assert "Chen &lt;Jing&gt; (AD)" in context


def test_a_crm_task_preset_in_a_nightly_batch_creates_tasks_for_new_recommendations_only(tmp_path: Path) -> None:
    with Receiver(salesforce_tasks) as receiver:
        spec = _settings(tmp_path, receiver.url, "salesforce-task")
        args = [
            "batch",
            "--source",
            f"file:{EXAMPLE}",
            "--db",
            str(tmp_path / "k.db"),
            "--workers",
            "1",
            "--emit",
            spec,
        ]
        first = CliRunner().invoke(main, args)
        again = CliRunner().invoke(main, args)
    assert first.exit_code == 0 and again.exit_code == 0, first.output + again.output
    assert len(receiver.documents) == 1 and len(receiver.documents[0]["records"]) == len(example_recommendations())
    assert "no new recommendations since the last delivery" in again.stderr or "nothing changed" in again.stderr


def test_a_team_template_beside_the_settings_file_writes_its_own_shape(tmp_path: Path) -> None:
    (tmp_path / "body.json.j2").write_text(
        '{"items": [{% for r in recommendations %}{"what": {{ r.title }}, "who": {{ r.owner.name if r.owner else null }}}'
        '{% if not loop.last %},{% endif %}{% endfor %}], "total": {{ count }}}',
        encoding="utf-8",
    )
    (tmp_path / "d.toml").write_text('url = "URL"\ntemplate = "body.json.j2"\n', encoding="utf-8")
    seen: list[Any] = []
    with Receiver(lambda document: seen.append(document) or []) as receiver:
        (tmp_path / "d.toml").write_text(f'url = "{receiver.url}"\ntemplate = "body.json.j2"\n', encoding="utf-8")
        result = _advise(f"webhook:{tmp_path / 'd.toml'}")
    assert result.exit_code == 0, result.output
    expected = example_recommendations()
    assert seen == [
        {"items": [{"what": e["title"], "who": e["owner"]["name"]} for e in expected], "total": len(expected)}
    ]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ('{"a": {{ r.titel }}}', "template {path} line 1: 'r' is undefined"),
        ('{"a": "x {{ recommendations[0].title }}"}', "template {path} gave a body that is not JSON"),
        ('{"a": {{ count }', "template {path} line 1: unexpected '}}'"),
        ('{"a": {{ recommendations.append(1) }}}', "template {path} line 1: access to attribute 'append' of 'list'"),
        ('{"a": {{ recommendations.__class__ }}}', "template {path} line 1: "),
    ],
)
def test_a_broken_template_fails_the_delivery_naming_the_template_and_line(
    tmp_path: Path, template: str, message: str
) -> None:
    (tmp_path / "t.json.j2").write_text(template, encoding="utf-8")
    with Receiver(lambda document: []) as receiver:
        (tmp_path / "d.toml").write_text(f'url = "{receiver.url}"\ntemplate = "t.json.j2"\n', encoding="utf-8")
        result = _advise(f"webhook:{tmp_path / 'd.toml'}")
    assert result.exit_code == 1 and receiver.documents == []
    assert message.format(path=tmp_path / "t.json.j2") in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_an_unknown_preset_or_setting_is_named_with_what_was_expected(tmp_path: Path) -> None:
    settings = tmp_path / "d.toml"
    settings.write_text('[s]\nurl = "http://127.0.0.1:9/"\npreset = "slak"\n[t]\nurl = "http://x/"\nheader = {}\n')
    result = _advise(f"webhook:{settings}#s")
    assert f"{settings} [s]: preset: unknown preset 'slak' (did you mean 'slack'?)" in result.stderr
    result = _advise(f"webhook:{settings}#t")
    assert f"{settings} [t]: header: unknown setting (did you mean 'headers'?)" in result.stderr
    result = _advise(f"webhook:{settings}#u")
    assert f"{settings}: no table [u]; tables: s, t" in result.stderr


def test_a_url_whose_path_ends_in_toml_is_a_url_not_a_settings_file() -> None:
    assert not is_settings_target("https://hooks.example/kam.toml")
    assert is_settings_target("delivery.toml#slack") and is_settings_target("D.TOML")


@pytest.mark.parametrize(("preset", "check"), [("slack", slack), ("teams", teams)])
def test_a_channel_preset_in_a_nightly_batch_marks_each_change(tmp_path: Path, preset: str, check: Check) -> None:
    with Receiver(check) as receiver:
        spec = _settings(tmp_path, receiver.url, preset)
        args = [
            "batch",
            "--source",
            f"file:{EXAMPLE}",
            "--db",
            str(tmp_path / "k.db"),
            "--workers",
            "1",
            "--emit",
            spec,
        ]
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert receiver.problems == []
    items = [item for document in receiver.documents for item in _items(preset, document)]
    texts = [i["text"]["text"] if preset == "slack" else i["items"][0]["text"] for i in items]
    assert len(texts) == len(example_recommendations())
    assert all(text.startswith("*[new]* *" if preset == "slack" else "[new] ") for text in texts)
