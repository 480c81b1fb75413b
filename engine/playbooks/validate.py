"""Playbooks: YAML files of rules, validated into ``Playbook`` objects with file:line errors.

The file's shape is checked by the models of ``file_shape.py``; what needs the playbook around it
is checked here: the conditions of ``when`` (``conditions.py``), action ids, title templates,
languages, parameter references and overrides, and unique rule ids. Every problem is
reported, each as ``file:line: path: message``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import PlaybookError, did_you_mean
from ..model import documents
from ..model.actions import ActionCatalogue
from ..model.documents import Document
from ..model.fields import KINDS
from .checker import Checker
from .conditions import ParseContext, Path, parse_when
from .file_shape import PlaybookFile, RuleFile
from .playbook import ActionSpec, Kinds, Parameter, Playbook, Rule
from .tables import table_rules


def load_playbook(
    path: str,
    actions: ActionCatalogue | None = None,
    overrides: Mapping[str, Any] | None = None,
    kinds: Kinds | None = None,
) -> Playbook:
    """Read and validate one playbook file; raises ``PlaybookError`` listing every problem."""
    return playbook_from_document(documents.load(path, PlaybookError), actions, overrides, kinds)


def playbook_from_document(
    doc: Document,
    actions: ActionCatalogue | None = None,
    overrides: Mapping[str, Any] | None = None,
    kinds: Kinds | None = None,
) -> Playbook:
    """Validate parsed YAML as a playbook; ``kinds`` adds enrichers' fields to the model's."""
    return _Validator(doc, actions or ActionCatalogue(), kinds or KINDS).playbook(overrides or {})


class _Validator(Checker):
    """A playbook file read into a ``Playbook``: its parameters, rules and tables."""

    def playbook(self, overrides: Mapping[str, Any]) -> Playbook:
        data = self.doc.data
        if not isinstance(data, dict):
            raise PlaybookError([f"{self.doc.source}: expected a playbook mapping with 'playbook' and 'rules'"])
        file: PlaybookFile | None = self.shape(PlaybookFile, data, ())
        if file is None:  # keep going with what is there, to report the rules' problems too
            file = PlaybookFile.model_construct(playbook=str(data.get("playbook", "")), rules=data.get("rules"))
        parameters = {name: Parameter(name, p.default, p.description) for name, p in file.parameters.items()}
        values = {name: p.default for name, p in parameters.items()}
        for name, value in overrides.items():
            if name in values and same_type(values[name], value):
                values[name] = value
            elif name in values:
                self.report(
                    ("parameters", name),
                    f"override {value!r}: expected {kind_of(values[name])}, like its default {values[name]!r}",
                )
        for action in file.cooldowns:
            if action not in self.actions:
                hint = did_you_mean(action, self.actions.ids())
                self.report(("cooldowns", action), f"unknown action id '{action}'{hint}")
        rules = self._rules(file.playbook, file.rules if isinstance(file.rules, list) else [], values)
        if self.problems:
            raise PlaybookError(self.problems)
        caps = {key: value for key, value in file.caps.model_dump().items() if value is not None}
        return Playbook(
            file.playbook, file.version, file.description, parameters, values, dict(file.cooldowns), rules,
            self.doc.source, caps, self.doc, tuple(file.languages), self.locations, tuple(self.tables),
        )  # fmt: skip

    def _rules(self, playbook_id: str, raw: list[Any], values: Mapping[str, Any]) -> tuple[Rule, ...]:
        rules, seen = [], set()
        for index, item in enumerate(raw):
            path: Path = ("rules", index)
            if not isinstance(item, dict):
                self.report(path, "a rule must be a mapping with id, subject, when and actions")
                continue
            if "table" in item:  # a decision table: one rule per row
                for row_rule, row_path in table_rules(self, item, path, playbook_id, values):
                    if row_rule.id in seen:
                        self.report((*row_path, "id"), f"duplicate rule id '{row_rule.id}'")
                    seen.add(row_rule.id)
                    rules.append(row_rule)
                continue
            file: RuleFile | None = self.shape(RuleFile, item, path)
            rule_id = str(item.get("id", ""))
            if rule_id in seen:
                self.report((*path, "id"), f"duplicate rule id '{rule_id}'")
            seen.add(rule_id)
            subject = item.get("subject")
            if subject not in self.kinds or subject not in ("contact", "opportunity", "account"):
                continue  # reported by the shape; its conditions cannot be read without it
            context = ParseContext(values, self.actions, self.report, self.kinds)
            when = parse_when(item.get("when"), subject, (*path, "when"), context)
            rationale = self.localized(item.get("rationale"), (*path, "rationale"), "rationale")
            specs = self._actions(item.get("actions"), (*path, "actions"), subject, values)
            if file is not None:
                rule = Rule(
                    playbook_id, file.id, file.description, rationale or {}, subject, file.priority, when, specs,
                    self.doc.where(path), file.exclusive_group or None, file.priority_in_crisis,
                )  # fmt: skip
                rules.append(rule)
        return tuple(rules)

    def _actions(self, raw: Any, path: Path, subject: str, values: Mapping[str, Any]) -> tuple[ActionSpec, ...]:
        found = [
            self.action(item, (*path, i), subject, values)
            for i, item in enumerate(raw if isinstance(raw, list) else [])
        ]
        return tuple(spec for spec in found if spec is not None)


def same_type(default: Any, value: Any) -> bool:
    """Whether an override may replace a parameter's default: the same kind (a whole number for a number too)."""
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int | float) and isinstance(value, int | float):
        return isinstance(default, float) or isinstance(value, int)
    return type(default) is type(value)


_KINDS = ((bool, "true or false"), (int, "a whole number"), (float, "a number"), (str, "text"), (list, "a list"))


def kind_of(default: Any) -> str:
    """The kind of value a parameter takes, in words: "a whole number", "text"…"""
    return next((words for kind, words in _KINDS if isinstance(default, kind)), "a value like its default")
