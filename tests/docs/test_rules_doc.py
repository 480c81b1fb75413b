"""docs/rules.md stays true: its field list is generated and its examples validate."""

from __future__ import annotations

import re
import textwrap

from kamengine.engine.model.field_reference import markdown_reference
from support import REPO, make_playbook

DOC = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S)


def test_the_field_reference_matches_the_model() -> None:
    section = DOC.split("<!-- fields:start -->\n", 1)[1].split("<!-- fields:end -->", 1)[0]
    assert section == markdown_reference(), "regenerate with engine.model.field_reference.markdown_reference()"


def test_the_full_example_is_a_valid_playbook() -> None:
    playbook = make_playbook(_yaml_blocks()[0])
    assert [rule.qualified_id for rule in playbook.rules] == ["my-team/cold-key-person"]


def test_every_condition_example_validates() -> None:
    snippets = [block for block in _yaml_blocks()[1:] if block.startswith("subject:")]
    assert len(snippets) == 4
    for index, snippet in enumerate(snippets):
        rule = textwrap.indent(snippet + "actions: [{action: account_review, title: t}]\n", "    ")
        text = f"playbook: doc\nrules:\n  - id: example-{index}\n    rationale: doc\n" + rule
        make_playbook(text)
