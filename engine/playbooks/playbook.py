"""The playbook as the engine uses it: rules with conditions, actions and texts per language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..model.documents import Document
from ..model.fields import FieldSpec
from ..model.i18n import DEFAULT_LANGUAGE, Text
from .conditions import Condition, Quantifier, fields_used, quantifiers_in


@dataclass(frozen=True)
class ActionSpec:
    """What a rule recommends: an action, a title template, who acts and by when."""

    action: str
    title: Text  # a template per language
    owner_role: str
    due_in_days: int
    value: float | None = None  # e.g. a gift's value, checked against the gift cap
    body: Text | None = None  # a longer text, e.g. a drafted letter (a template per language)


@dataclass(frozen=True)
class Rule:
    """One rule: when ``when`` holds for a subject, recommend ``actions``."""

    playbook: str
    id: str
    description: str
    rationale: Text
    subject: str
    priority: int
    when: Condition
    actions: tuple[ActionSpec, ...]
    source: str  # file:line, for messages
    exclusive_group: str | None = None  # only the best-ranked firing of a group survives per subject
    priority_in_crisis: int | None = None  # the priority while account.crisis is set (default: priority)
    table: str | None = None  # the decision table this rule is a row of

    def priority_for(self, crisis: bool) -> int:
        """The rule's priority, which may change while the account is in a crisis."""
        return self.priority_in_crisis if crisis and self.priority_in_crisis is not None else self.priority

    # Cached: ranking reads these for every recommendation a rule makes.
    @cached_property
    def qualified_id(self) -> str:
        """``playbook/rule``: the id recommendations carry."""
        return f"{self.playbook}/{self.id}"

    @cached_property
    def tested_fields(self) -> tuple[str, ...]:
        """The subject fields ``when`` tests, in order, each once (the evidence a firing shows)."""
        return tuple(dict.fromkeys(fields_used(self.when)))

    @cached_property
    def quantifiers(self) -> tuple[Quantifier, ...]:
        """Every quantifier of ``when``, in order."""
        return tuple(quantifiers_in(self.when))


@dataclass(frozen=True)
class TableRow:
    """A decision table's row as written: one cell per input (None: any value) and its own ``when``."""

    rule: str  # the id of the rule the row compiles to
    cells: tuple[Condition | None, ...]
    when: Condition | None


@dataclass(frozen=True)
class Table:
    """A decision table: rows of condition cells over the same inputs, each row compiled to one rule."""

    id: str
    subject: str
    hit_policy: str  # first | unique | collect
    inputs: tuple[str, ...]
    rows: tuple[TableRow, ...]
    source: str  # file:line
    gaps: tuple[str, ...] = ()  # input combinations no row covers (first and unique tables)


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any
    description: str


@dataclass(frozen=True)
class Playbook:
    id: str
    version: int
    description: str
    parameters: Mapping[str, Parameter]
    values: Mapping[str, Any]  # parameter values in force (defaults plus overrides)
    cooldowns: Mapping[str, int]
    rules: tuple[Rule, ...]
    source: str = ""
    caps: Mapping[str, int] = field(default_factory=dict)  # per_contact, per_account
    document: Document | None = None  # the parsed file, for the playbook's own test cases
    languages: tuple[str, ...] = (DEFAULT_LANGUAGE,)  # every text must exist in each
    locations: Mapping[str, tuple[str, Text]] = field(default_factory=dict)  # text path -> (file:line, text)
    tables: tuple[Table, ...] = ()  # the decision tables some of ``rules`` came from

    def missing_translations(self) -> list[str]:
        """``file:line: path: no 'zh' text`` for every text lacking a declared language."""
        return [
            f"{where}: {path}: no '{lang}' text"
            for path, (where, text) in self.locations.items()
            for lang in self.languages
            if not text.get(lang)
        ]


Kinds = Mapping[str, Mapping[str, FieldSpec]]
