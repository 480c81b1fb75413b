"""docs/snapshot.md documents every field of the snapshot model, and the schema command prints it."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.model.snapshot import Snapshot
from kamengine.engine.model.validation import model_in
from pydantic import BaseModel
from support import REPO

DOC = (REPO / "docs" / "snapshot.md").read_text(encoding="utf-8")


def _models(model: type[BaseModel], found: dict[str, type[BaseModel]]) -> dict[str, type[BaseModel]]:
    found[model.__name__] = model
    for field in model.model_fields.values():
        nested = model_in(field.annotation)
        if nested is not None and nested.__name__ not in found:
            _models(nested, found)
    return found


def _documented(section: str) -> list[str]:
    part = DOC.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(\w+)` \|", part, flags=re.M)


def test_every_field_of_every_model_is_documented_in_order() -> None:
    models = _models(Snapshot, {})
    assert len(models) == 11  # PreviousRole and OpenQuestion: role history and 151's open questions
    for name, model in models.items():
        assert _documented(name) == list(model.model_fields), name


def test_kamengine_schema_prints_the_json_schema_of_the_model() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == Snapshot.model_json_schema()


def test_every_action_and_recommendation_field_is_documented() -> None:
    from kamengine.engine.model.actions import BUILTIN_ACTIONS
    from support import example_recommendations

    doc = (REPO / "docs" / "recommendations.md").read_text(encoding="utf-8")
    actions = doc.split("\n## Action ids\n", 1)[1]
    assert re.findall(r"^\| `(\w+)` \|", actions, flags=re.M) == list(BUILTIN_ACTIONS)
    fields = re.findall(r"^\| `(\w+)` \|", doc.split("\n## A recommendation\n", 1)[1].split("\n## ")[0], flags=re.M)
    keys = {key for recommendation in example_recommendations() for key in recommendation}
    assert keys <= set(fields) and "body" in fields
