"""Title templates: rendering from the parsed form agrees with a plain substitution."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from kamengine.engine.playbooks.templates import fill, placeholders, render, sourced

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
VALUES = {"name": "Li Wei", "stance": -1, "account.name": "ACME", "empty": None, "x": "{name}"}


def _reference(template: str, values: dict[str, object]) -> str:
    """The substitution ``render`` stands for, one regular expression pass."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        value = values.get(match.group(1))
        return "?" if value is None else str(value)

    return _TOKEN.sub(replace, template)


pieces = st.sampled_from(
    ["{name}", "{stance}", "{account.name}", "{empty}", "{missing}", "{x}", "{{", "}}", "a", " ", "é"]
)


@given(st.lists(pieces, max_size=12).map("".join))
def test_render_agrees_with_a_plain_substitution(template: str) -> None:
    placeholders(template)  # every generated template is a valid one
    assert render(template, VALUES) == _reference(template, VALUES)


def test_a_value_is_never_read_as_a_template() -> None:
    assert render("{x} and {{name}}", VALUES) == "{name} and {name}"


SUBJECT = {"name": "Li Wei", "stance": -1, "empty": None, "x": "{name}"}
ACCOUNT = {"name": "ACME"}


@given(st.lists(pieces, max_size=12).map("".join))
def test_fill_reads_the_subject_and_the_account_as_render_reads_their_fields(template: str) -> None:
    merged = {**SUBJECT, **{f"account.{k}": v for k, v in ACCOUNT.items()}}
    assert fill(sourced(template), SUBJECT, ACCOUNT) == render(template, merged)
