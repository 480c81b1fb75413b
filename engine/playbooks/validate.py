"""Playbooks: YAML files of rules, validated into ``Playbook`` objects with file:line errors.

The file's shape is checked by the models of ``files.py``; what needs the playbook around it
is checked here: the conditions of ``when`` (``conditions.py``), action ids, title templates,
languages, parameter references and overrides, and unique rule ids. Every problem is
reported, each as ``file:line: path: message``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import PlaybookError, article, did_you_mean, format_path
from ..model import documents
from ..model.actions import ActionCatalogue
from ..model.documents import Document
from ..model.fields import KINDS
from ..model.i18n import DEFAULT_LANGUAGE, LANGUAGES
from ..model.validation import fields_at
from .conditions import ParseContext, Path, parse_when
from .file_shape import WRONG_KIND, ActionFile, PlaybookFile, RuleFile
from .playbook import ActionSpec, Kinds, Parameter, Playbook, Rule, Table
from .tables import table_rules
from .templates import placeholders


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


class _Validator:
    def __init__(self, doc: Document, actions: ActionCatalogue, kinds: Kinds) -> None:
        self.doc = doc
        self.actions = actions
        self.kinds = kinds
        self.problems: list[str] = []
        self.locations: dict[str, tuple[str, dict[str, str]]] = {}
        self.tables: list[Table] = []  # filled by table_rules

    def report(self, path: Path, message: str) -> None:
        self.problems.append(f"{self.doc.where(path)}: {message}")

    def shape(self, model: type[BaseModel], data: Any, path: Path) -> Any:
        """``data`` validated as ``model``; ``None`` (and its problems reported) if it is not."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for where, message in _described(exc, data, model):
                self.report((*path, *where), message)
            return None

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

    def action(self, item: Any, where: Path, subject: str, values: Mapping[str, Any]) -> ActionSpec | None:
        """One action of a rule, or None (its problems reported)."""
        if not isinstance(item, dict):
            self.report(where, "an action must be a mapping with action and title")
            return None
        action = item.get("action")
        if "action" in item and action not in self.actions:
            self.report(
                (*where, "action"), f"unknown action id {action!r}{did_you_mean(str(action), self.actions.ids())}"
            )
        title = self.localized(item.get("title"), (*where, "title"), "title", subject)
        body = self.localized(item.get("body"), (*where, "body"), "body", subject)
        file: ActionFile | None = self.shape(ActionFile, item, where)
        value = file.value if file is not None else None
        if isinstance(value, str):
            value = values.get(value[1:]) if value.startswith("$") else value
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            self.report((*where, "value"), f"'value' must be a number, found {value!r}")
            return None
        if file is None or action not in self.actions:
            return None
        owner = file.owner_role or self.actions[file.action].owner_role
        return ActionSpec(file.action, title or {}, owner, file.due_in_days, value, body)

    def localized(self, value: Any, path: Path, key: str, subject: str | None = None) -> dict[str, str] | None:
        """Text given as a string (English) or as ``{en: ..., zh: ...}``; None when absent."""
        if value is None:
            return None
        texts: dict[str, str] = {}
        self.locations[format_path(path)] = (self.doc.where(path).rsplit(": ", 1)[0], texts)
        if isinstance(value, str) and value.strip():
            texts[DEFAULT_LANGUAGE] = value
        elif isinstance(value, dict) and value:
            for lang, text in value.items():
                if lang not in LANGUAGES:
                    expected = f"{did_you_mean(str(lang), LANGUAGES)}; expected one of {', '.join(LANGUAGES)}"
                    self.report((*path, lang), f"unknown language '{lang}'{expected}")
                elif not isinstance(text, str) or not text.strip():
                    self.report((*path, lang), f"'{key}' in '{lang}' must be non-empty text, found {text!r}")
                else:
                    texts[str(lang)] = text
        else:
            self.report(
                path,
                f"'{key}' must be text, or a mapping of language to text like {{en: ..., zh: ...}}, found {value!r}",
            )
        if subject is not None:
            for text in texts.values():
                self._check_template(text, path, subject)
        return texts

    def _check_template(self, title: str, path: Path, subject: str) -> None:
        try:
            names = placeholders(title)
        except ValueError as exc:
            self.report(path, str(exc))
            return
        for name in names:
            kind, field_name = ("account", name[8:]) if name.startswith("account.") else (subject, name)
            if field_name not in self.kinds[kind]:
                self.report(
                    path,
                    f"unknown placeholder '{{{name}}}' for {article(kind)}{did_you_mean(field_name, self.kinds[kind])}",
                )


_MINIMUM = {"per_contact": 1, "per_account": 1}  # whole numbers are >= 0 unless named here
_INTEGER_ERRORS = {"int_type", "int_parsing", "int_from_float", "greater_than_equal"}
_TEXT_ERRORS = {"string_type", "string_too_short", "string_pattern_mismatch"}
_ORDER = {"extra_forbidden": 0, "missing": 1}  # unknown keys first, then missing ones, then the rest


def _described(exc: ValidationError, data: Any, model: type[BaseModel]) -> list[tuple[Path, str]]:
    """Each of a model's errors as (path, message), in the words authors know; each once."""
    found: dict[tuple[Path, str], None] = {}
    for error in sorted(exc.errors(), key=lambda e: _ORDER.get(e["type"], 2)):
        found[_message(error, data, model)] = None
    return list(found)


def _message(error: Any, data: Any, model: type[BaseModel]) -> tuple[Path, str]:
    loc: Path = tuple(error["loc"])
    kind, value = error["type"], error.get("input")
    key = str(next((part for part in reversed(loc) if isinstance(part, str)), ""))
    if kind == "extra_forbidden":
        known = sorted(fields_at(model, loc[:-1]))
        return loc, f"unknown key '{key}'{did_you_mean(key, known)}; expected one of {', '.join(known)}"
    if kind == "missing":
        return loc[:-1], f"required key '{key}' is missing"
    field = loc[0] if loc else ""
    if field in WRONG_KIND and (len(loc) == 1 or field == "languages"):
        return (field,), WRONG_KIND[str(field)].format(found=repr(_value_at(data, (field,))))
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", error["ctx"]["expected"])
        hint = did_you_mean(str(value), choices)
        return loc, f"'{key}' is one of {', '.join(choices)}, found {value!r}{hint}"
    if kind in _INTEGER_ERRORS:
        return loc, f"'{key}' must be a whole number >= {_MINIMUM.get(key, 0)}, found {value!r}"
    if kind in _TEXT_ERRORS:
        return loc, f"'{key}' must be non-empty text, found {value!r}"
    return loc, f"{error['msg']} (found {value!r})"


def _value_at(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int):
            data = data[part]
        else:
            return None
    return data


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
