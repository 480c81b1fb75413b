"""Helpers for kamengine's own tests: build snapshots and playbooks from small dicts."""

from __future__ import annotations

import copy
import functools
import textwrap
from pathlib import Path
from typing import Any

from kamengine.engine.actions import ActionCatalogue
from kamengine.engine.advisor import Advisor, builtin_playbook_files, load_playbooks
from kamengine.engine.documents import parse
from kamengine.engine.errors import PlaybookError
from kamengine.engine.loading import snapshot_from_document
from kamengine.engine.playbook import Playbook, playbook_from_document
from kamengine.engine.ranking import Advice
from kamengine.engine.snapshot import Snapshot

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


def snapshot_data(**sections: Any) -> dict[str, Any]:
    """A valid snapshot dict: BASE with the given top-level sections replaced."""
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(sections))
    return data


def contact(id: str, **fields: Any) -> dict[str, Any]:
    """A contact dict with sane defaults."""
    return {"id": id, "name": id.title(), "title": "Manager", "owner": "u-ar", **fields}


def activity(id: str, type: str, date: str, *contacts: str, **fields: Any) -> dict[str, Any]:
    return {"id": id, "type": type, "date": date, "contact_ids": list(contacts), **fields}


def make_snapshot(**sections: Any) -> Snapshot:
    """A validated ``Snapshot`` from sections (see ``snapshot_data``)."""
    import json

    return snapshot_from_document(parse(json.dumps(snapshot_data(**sections)), "<test>"))


def make_playbook(text: str, actions: ActionCatalogue | None = None, **overrides: Any) -> Playbook:
    """A playbook from YAML text (dedented)."""
    return playbook_from_document(parse(textwrap.dedent(text), "playbook.yaml", PlaybookError), actions, overrides)


def playbook_problems(text: str) -> list[str]:
    """The problems a playbook's validation reports (empty if valid)."""
    try:
        make_playbook(text)
    except PlaybookError as exc:
        return exc.problems
    return []


@functools.cache
def builtin_advisor(engine: str = "durable") -> Advisor:
    actions = ActionCatalogue()
    return Advisor(load_playbooks(builtin_playbook_files(), actions), actions, engine=engine)  # type: ignore[arg-type]


def advise_builtin(snapshot: Snapshot) -> Advice:
    """Advice of the built-in playbooks on durable, checked against the reference evaluator."""
    advice = builtin_advisor("durable").advise(snapshot)
    reference = builtin_advisor("reference").advise(snapshot)
    assert [r.to_dict() for r in advice.recommendations] == [r.to_dict() for r in reference.recommendations]
    return advice
