"""Helpers for kamengine's own tests: build snapshots and playbooks from small dicts."""

from __future__ import annotations

import copy
import functools
import json
import textwrap
from pathlib import Path
from typing import Any

import yaml
from kamengine.engine.advise.advisor import Advisor
from kamengine.engine.advise.spec import registered_advisor
from kamengine.engine.errors import PlaybookError
from kamengine.engine.evaluate.ranking import Advice
from kamengine.engine.model.actions import ActionCatalogue
from kamengine.engine.model.documents import parse
from kamengine.engine.model.loading import snapshot_from_document
from kamengine.engine.model.snapshot import Snapshot
from kamengine.engine.playbooks.playbook import Playbook
from kamengine.engine.playbooks.validate import playbook_from_document
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry

REPO = Path(__file__).resolve().parent.parent

BASE: dict[str, Any] = {
    "schema_version": 1,
    "as_of": "2026-11-20",
    "account": {"id": "acct", "name": "Account"},
    "contacts": [],
    "opportunities": [],
    "activities": [],
    "team": [
        {"id": "u-ar", "name": "Li", "role": "AR", "level": "middle"},
        {"id": "u-ad", "name": "Chen", "role": "AD", "level": "executive"},
    ],
}


@functools.cache
def _example_json() -> str:
    return json.dumps(
        yaml.safe_load((REPO / "examples" / "acme-telecom.yaml").read_text(encoding="utf-8")), default=str
    )


def example_data() -> dict[str, Any]:
    """The bundled example account as a fresh JSON-ready dict (its YAML is parsed once per session)."""
    return json.loads(_example_json())


def snapshot_data(**sections: Any) -> dict[str, Any]:
    """A valid snapshot dict: BASE with the given top-level sections replaced."""
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(sections))
    return data


def drop_owners(node: Any) -> None:
    """Every ``owner`` in snapshot data dropped, in place (the team it named is gone: advice nobody owns)."""
    if isinstance(node, dict):
        node.pop("owner", None)
        for value in node.values():
            drop_owners(value)
    elif isinstance(node, list):
        for value in node:
            drop_owners(value)


def contact(id: str, **fields: Any) -> dict[str, Any]:
    """A contact dict with sane defaults."""
    return {"id": id, "name": id.title(), "title": "Manager", "owner": "u-ar", **fields}


def activity(id: str, type: str, date: str, *contacts: str, **fields: Any) -> dict[str, Any]:
    return {"id": id, "type": type, "date": date, "contact_ids": list(contacts), **fields}


def make_snapshot(**sections: Any) -> Snapshot:
    """A validated ``Snapshot`` from sections (see ``snapshot_data``)."""
    return snapshot_from_document(parse(json.dumps(snapshot_data(**sections)), "<test>"))


def make_playbook(text: str, actions: ActionCatalogue | None = None, kinds: Any = None, **overrides: Any) -> Playbook:
    """A playbook from YAML text (dedented)."""
    return playbook_from_document(
        parse(textwrap.dedent(text), "playbook.yaml", PlaybookError), actions, overrides, kinds
    )


def playbook_problems(text: str) -> list[str]:
    """The problems a playbook's validation reports (empty if valid)."""
    try:
        make_playbook(text)
    except PlaybookError as exc:
        return exc.problems
    return []


@functools.cache
def builtin_advisor(engine: str = "durable") -> Advisor:
    """Every built-in playbook, action type and enricher (no installed plugins)."""
    return registered_advisor(Registry(get_plugin_manager(load_entry_points=False)), engine)  # type: ignore[arg-type]


@functools.cache
def example_recommendations() -> list[dict[str, Any]]:
    """What the built-in playbooks recommend for the bundled example, in the contract's shape."""
    from kamengine.engine.model.loading import load_snapshot

    advice = builtin_advisor().advise(load_snapshot(str(REPO / "examples" / "acme-telecom.yaml")))
    return [r.to_dict() for r in advice.recommendations]


def advise_builtin(snapshot: Snapshot) -> Advice:
    """Advice of the built-in playbooks on durable, checked against the reference evaluator."""
    advice = builtin_advisor("durable").advise(snapshot)
    reference = builtin_advisor("reference").advise(snapshot)
    assert [r.to_dict() for r in advice.recommendations] == [r.to_dict() for r in reference.recommendations]
    return advice


def export_tables(snapshot: Snapshot) -> dict[str, list[dict[str, Any]]]:
    """A snapshot as the six tables of the csv and sqlite sources (what a CRM export holds)."""
    account = snapshot.account
    account_id = account.id
    org = account.org_relationship
    tables: dict[str, list[dict[str, Any]]] = {
        "accounts": [
            {
                "id": account_id, "as_of": snapshot.as_of.isoformat(), "name": account.name,
                "industry": account.industry or "", "tier": account.tier,
                "strategic_partner": str(account.strategic_partner).lower(), "crisis": str(account.crisis).lower(),
                "stage": account.stage or "",
                "currency": account.currency, "communication": org.communication, "matching": org.matching,
                "joint": org.joint, "recognition": org.recognition,
                **{f"extra.{k}": v for k, v in account.extra.items()},
            }
        ],
        "contacts": [], "opportunities": [], "decision_groups": [], "activities": [], "team": [],
    }  # fmt: skip
    for c in snapshot.contacts:
        tables["contacts"].append({
            "account_id": account_id, "id": c.id, "name": c.name, "title": c.title or "", "department": c.department or "",
            "level": c.level, "role": c.role or "", "stance": c.stance, "rising_star": str(c.rising_star).lower(),
            "public_official": str(c.public_official).lower(), "birthday": c.birthday.isoformat() if c.birthday else "",
            "interests": ";".join(c.interests), "owner": c.owner or "", "reports_to": c.reports_to or "",
            "in_role_since": c.in_role_since.isoformat() if c.in_role_since else "",
            "previous_stance": "" if c.previous_stance is None else c.previous_stance,
            "backs_competitor": c.backs_competitor or "",
        })  # fmt: skip
    for o in snapshot.opportunities:
        tables["opportunities"].append({
            "account_id": account_id, "id": o.id, "name": o.name, "stage": o.stage,
            "value": "" if o.value is None else o.value, "close_date": o.close_date.isoformat() if o.close_date else "",
        })  # fmt: skip
        for g in o.decision_groups:
            for m in g.members:
                tables["decision_groups"].append({
                    "account_id": account_id, "opportunity_id": o.id, "group": g.group,
                    "contact_id": m.contact_id, "proximity": m.proximity,
                })  # fmt: skip
    for a in snapshot.activities:
        tables["activities"].append({
            "account_id": account_id, "id": a.id, "type": a.type, "date": a.date.isoformat(),
            "contact_ids": ";".join(a.contact_ids), "opportunity_id": a.opportunity_id or "", "owner": a.owner or "",
        })  # fmt: skip
    for t in snapshot.team:
        tables["team"].append({"account_id": account_id, "id": t.id, "name": t.name, "role": t.role, "level": t.level})
    return tables


def write_csv_dir(folder: Path, snapshots: list[Snapshot]) -> Path:
    """Write snapshots as a CSV export directory."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    merged: dict[str, list[dict[str, Any]]] = {}
    for snapshot in snapshots:
        for table, rows in export_tables(snapshot).items():
            merged.setdefault(table, []).extend(rows)
    for table, rows in merged.items():
        columns = list(dict.fromkeys(k for row in rows for k in row)) or ["account_id", "id"]
        with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return folder


def write_sqlite(path: Path, snapshots: list[Snapshot]) -> Path:
    """Write snapshots into a SQLite database with the source's tables."""
    import sqlite_utils

    db = sqlite_utils.Database(path)
    for snapshot in snapshots:
        for table, rows in export_tables(snapshot).items():
            if rows:
                db[table].insert_all(rows, alter=True)
    db.close()
    return path
