"""A playbook file's shape as pydantic models: keys, types and limits (the rule language is ``conditions.py``).

Strict: YAML's ``"1"`` is not a number and ``true`` is not 1. Texts may be a string
(English) or a mapping of language to text; their languages, the conditions of ``when``, the
actions' ids and templates are checked by ``validate.py``, which knows the playbook around them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ..model.fields import SUBJECT_KINDS, TEAM_ROLES

Whole = Annotated[int, Field(ge=0)]
# Bounds no real playbook comes near, that keep the arithmetic on them finite: a priority of
# 10**308 overflowed ranking, a due date 10**9 days away the calendar.
Priority = Annotated[int, Field(ge=0, le=1_000_000)]
Days = Annotated[int, Field(ge=0, le=3650)]
Text = Annotated[str, Field(min_length=1, pattern=r"\S")]
Localized = str | dict[str, Any]  # checked against the playbook's languages by validate.py
Subject = Literal[SUBJECT_KINDS]  # type: ignore[valid-type]
OwnerRole = Literal[TEAM_ROLES]  # type: ignore[valid-type]
Language = Literal["en", "zh"]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class ActionFile(_File):
    action: str
    title: Localized
    body: Localized | None = None
    owner_role: OwnerRole | None = None  # None: the action type's default
    due_in_days: Days = 14
    value: float | int | str | None = None  # a number, or "$parameter"


class RuleFile(_File):
    id: Text
    description: str = ""
    rationale: Localized
    subject: Subject
    priority: Priority = 50
    priority_in_crisis: Priority | None = None
    exclusive_group: str | None = None
    when: Any = None  # parsed by conditions.py
    actions: Annotated[list[Any], Field(min_length=1)]  # each validated as an ActionFile


class RowFile(_File):
    """A decision table's row: a cell per input, an optional extra ``when``, and what it recommends."""

    id: Text | None = None  # default: <table id>-<row number>
    cells: list[Any]
    when: Any = None
    description: str | None = None
    rationale: Localized | None = None
    priority: Priority | None = None
    priority_in_crisis: Priority | None = None
    exclusive_group: str | None = None
    actions: Annotated[list[Any], Field(min_length=1)] | None = None  # action ids of the table's, or actions


class TableFile(_File):
    hit_policy: Literal["first", "unique", "collect"]
    inputs: Annotated[list[str], Field(min_length=1)]
    actions: list[Any] = Field(default_factory=list)  # actions its rows name by id
    rows: Annotated[list[Any], Field(min_length=1)]  # each validated as a RowFile


class TableRuleFile(_File):
    """A ``table:`` rule: the keys of a rule, as defaults for its rows, and the table."""

    id: Text
    description: str = ""
    rationale: Localized | None = None
    subject: Subject
    priority: Priority = 50
    priority_in_crisis: Priority | None = None
    exclusive_group: str | None = None
    table: TableFile


def _parameter(value: Any) -> Any:
    # A parameter may be given as its default alone: ``cold_after_days: 60``.
    return value if isinstance(value, dict) else {"default": value}


class ParameterFile(_File):
    default: Any
    description: str = ""


class CapsFile(_File):
    per_contact: Annotated[int, Field(ge=1)] | None = None
    per_account: Annotated[int, Field(ge=1)] | None = None


_SECTIONS = ("parameters", "cooldowns", "caps")


class PlaybookFile(_File):
    playbook: Text
    version: int = 1
    description: str = ""
    languages: list[Language] = Field(default_factory=lambda: list[Language](["en"]), min_length=1)
    parameters: dict[str, Annotated[ParameterFile, BeforeValidator(_parameter)]] = Field(default_factory=dict)
    cooldowns: dict[str, Days] = Field(default_factory=dict)
    caps: CapsFile = CapsFile()
    rules: list[Any]  # each validated as a RuleFile
    tests: Any = None  # the playbook's own test cases (authoring/playbook_tests.py)

    @model_validator(mode="before")
    @classmethod
    def _extensions(cls, data: Any) -> Any:
        # Top-level keys starting with x- are the author's: a place for YAML anchors shared by test
        # cases. An empty section (``parameters:`` with nothing under it) is no section.
        if isinstance(data, dict):
            return {
                key: value
                for key, value in data.items()
                if not str(key).startswith("x-") and not (value is None and key in _SECTIONS)
            }
        return data


#: The message for a value of the wrong kind where a generic one would not help an author.
WRONG_KIND = {
    "languages": "'languages' must be a list of en, zh, found {found}",
    "parameters": "'parameters' must be a mapping of name to {{default, description}}",
    "cooldowns": "'cooldowns' must map action ids to days",
    "caps": "'caps' must be a mapping like {{per_contact: 3, per_account: 10}}",
    "rules": "'rules' must be a list of rules",
    "actions": "'actions' must be a non-empty list",
}
