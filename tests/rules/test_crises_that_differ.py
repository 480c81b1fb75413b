"""Issue 22 point 4: in our crisis reassurance and dialogue at the top; in the customer's, care and key resources."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner
from kamengine.cli import main

PARTNER = """\
schema_version: 1
as_of: 2026-11-20
account:
  {id: acct, name: Nordlicht Energie, tier: strategic, strategic_partner: true, crisis: CUSTOMER_CRISIS,
   org_relationship: {communication: 2, matching: 2, joint: 2}}
contacts:
  - {id: c-ceo, name: Marta, title: CEO, level: executive, role: A, stance: 1, owner: u-ad}
  - {id: c-buyer, name: Tom, title: Head of Procurement, level: senior, role: D, stance: 1, owner: u-ar}
activities:
  - {id: a-1, type: summit_dialogue, date: 2026-10-01, contact_ids: [c-ceo]}
team:
  - {id: u-ar, name: Li Wei, role: AR, level: middle}
  - {id: u-ad, name: Chen Jing, role: AD, level: executive}
"""


def _advise(tmp_path: Path, *, customer_crisis: bool, ours: str | None) -> list[dict]:  # type: ignore[type-arg]
    path = tmp_path / "partner.yaml"
    path.write_text(PARTNER.replace("CUSTOMER_CRISIS", str(customer_crisis).lower()), encoding="utf-8")
    config = tmp_path / "kamengine.toml"
    config.write_text(f'crisis = "{ours}"\n' if ours else "", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "advise", str(path), "--all", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_our_crisis_reassures_and_talks_at_the_top_after_the_letter(tmp_path: Path) -> None:
    recs = _advise(tmp_path, customer_crisis=False, ours="chip shortage")
    actions = {r["action"] for r in recs}
    assert {"open_letter", "top_level_call", "continuity_message"} <= actions
    assert not actions & {"key_resource_support", "joint_csr"}  # nobody of theirs is "affected"
    letter = next(r for r in recs if r["action"] == "open_letter")
    call = next(r for r in recs if r["action"] == "top_level_call")
    assert dt.date.fromisoformat(call["due"]) > dt.date.fromisoformat(letter["due"])
    reassured = {r["subject"]["id"] for r in recs if r["action"] == "continuity_message"}
    assert reassured == {"c-ceo", "c-buyer"}
    assert all("those affected" not in r["title"] for r in recs)


def test_the_letter_has_no_template_artefacts(tmp_path: Path) -> None:
    letter = next(r for r in _advise(tmp_path, customer_crisis=False, ours="chip shortage") if r["body"])
    body = letter["body"]
    assert "0 live" not in body and "()" not in body and "None" not in body
    assert "Nordlicht Energie" in body and "chip shortage" in body
    assert len(body.split("\n\n")) == 4  # the greeting, then the three paragraphs of the method


def test_the_customer_s_own_crisis_gets_care_and_key_resources_not_a_letter(tmp_path: Path) -> None:
    recs = _advise(tmp_path, customer_crisis=True, ours=None)
    actions = {r["action"] for r in recs}
    assert {r["subject"]["id"] for r in recs if r["action"] == "key_resource_support"} == {"c-ceo", "c-buyer"}
    assert not actions & {"open_letter", "top_level_call", "continuity_message"}


def test_both_crises_at_once_give_care_and_reassurance_without_asking_the_customer_to_carry_ours(
    tmp_path: Path,
) -> None:
    recs = _advise(tmp_path, customer_crisis=True, ours="chip shortage")
    by_person = {(r["subject"]["id"], r["action"]) for r in recs if r["subject"]["kind"] == "contact"}
    assert {("c-ceo", "key_resource_support"), ("c-ceo", "continuity_message")} <= by_person
    assert "joint_csr" in {r["action"] for r in recs}  # a partner we act with: together for those affected by *theirs*
