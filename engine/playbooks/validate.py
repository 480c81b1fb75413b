"""Playbooks: YAML files of rules, validated into ``Playbook`` objects with file:line errors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import PlaybookError, article, did_you_mean, format_path
from ..model import documents
from ..model.actions import ActionCatalogue
from ..model.documents import Document
from ..model.fields import KINDS, SUBJECT_KINDS, TEAM_ROLES
from ..model.i18n import DEFAULT_LANGUAGE, LANGUAGES
from .conditions import ParseContext, Path, parse_when
from .playbook import ActionSpec, Kinds, Parameter, Playbook, Rule
from .templates import placeholders

_PLAYBOOK_KEYS = {
    "playbook",
    "version",
    "description",
    "languages",
    "parameters",
    "cooldowns",
    "caps",
    "rules",
    "tests",
}
_CAP_KEYS = {"per_contact", "per_account"}
_PARAMETER_KEYS = {"default", "description"}
_RULE_KEYS = {
    "id", "description", "rationale", "subject", "priority", "priority_in_crisis", "exclusive_group", "when", "actions",
}  # fmt: skip
_ACTION_KEYS = {"action", "title", "body", "owner_role", "due_in_days", "value"}


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
        self.locations: dict[str, str] = {}

    def report(self, path: Path, message: str) -> None:
        self.problems.append(f"{self.doc.where(path)}: {message}")

    def playbook(self, overrides: Mapping[str, Any]) -> Playbook:
        data = self.doc.data
        if not isinstance(data, dict):
            raise PlaybookError([f"{self.doc.source}: expected a playbook mapping with 'playbook' and 'rules'"])
        self._keys(data, (), _PLAYBOOK_KEYS, required=("playbook", "rules"))
        playbook_id = self._text(data, (), "playbook", "")
        parameters = self._parameters(data.get("parameters") or {})
        values = {name: p.default for name, p in parameters.items()}
        for name, value in overrides.items():
            if name in values and _same_type(values[name], value):
                values[name] = value
            elif name in values:
                self.report(
                    ("parameters", name),
                    f"override {value!r} is not of the default's type ({type(values[name]).__name__})",
                )
        cooldowns = self._cooldowns(data.get("cooldowns") or {})
        rules = self._rules(playbook_id, data.get("rules"), values)
        if self.problems:
            raise PlaybookError(self.problems)
        version = data.get("version", 1)
        caps = self._caps(data.get("caps") or {})
        languages = self._languages(data.get("languages", [DEFAULT_LANGUAGE]))
        if self.problems:
            raise PlaybookError(self.problems)
        return Playbook(
            playbook_id,
            version,
            str(data.get("description") or ""),
            parameters,
            values,
            cooldowns,
            rules,
            self.doc.source,
            caps,
            self.doc,
            languages,
            self.locations,
        )

    def _languages(self, raw: Any) -> tuple[str, ...]:
        if not isinstance(raw, list) or not raw or any(lang not in LANGUAGES for lang in raw):
            self.report(("languages",), f"'languages' must be a list of {', '.join(LANGUAGES)}, found {raw!r}")
            return (DEFAULT_LANGUAGE,)
        return tuple(raw)

    def _caps(self, raw: Any) -> dict[str, int]:
        if not isinstance(raw, dict):
            self.report(("caps",), "'caps' must be a mapping like {per_contact: 3, per_account: 10}")
            return {}
        self._keys(raw, ("caps",), _CAP_KEYS)
        return {key: self._int(raw, ("caps",), key, minimum=1) for key in raw if key in _CAP_KEYS}

    def _keys(self, data: Mapping[Any, Any], path: Path, allowed: Iterable[str], required: Iterable[str] = ()) -> None:
        allowed = sorted(allowed)
        for key in data:
            if path == () and str(key).startswith("x-"):
                continue  # extension keys: a place for YAML anchors shared by test cases
            if key not in allowed:
                self.report(
                    (*path, key),
                    f"unknown key '{key}'{did_you_mean(str(key), allowed)}; expected one of {', '.join(allowed)}",
                )
        for key in required:
            if key not in data:
                self.report(path, f"required key '{key}' is missing")

    def _text(self, data: Mapping[str, Any], path: Path, key: str, default: str | None = None) -> str:
        if key not in data:
            return default or ""  # a missing required key is reported by _keys
        value = data[key]
        if not isinstance(value, str) or (default is None and not value.strip()):
            self.report((*path, key), f"'{key}' must be non-empty text, found {value!r}")
            return ""
        return value

    def _int(self, data: Mapping[str, Any], path: Path, key: str, default: int | None = None, minimum: int = 0) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.report((*path, key), f"'{key}' must be a whole number >= {minimum}, found {value!r}")
            return minimum
        return value

    def _parameters(self, raw: Any) -> dict[str, Parameter]:
        if not isinstance(raw, dict):
            self.report(("parameters",), "'parameters' must be a mapping of name to {default, description}")
            return {}
        result = {}
        for name, spec in raw.items():
            path = ("parameters", name)
            if not isinstance(spec, dict):
                spec = {"default": spec}
            self._keys(spec, path, _PARAMETER_KEYS, required=("default",))
            result[str(name)] = Parameter(str(name), spec.get("default"), str(spec.get("description") or ""))
        return result

    def _cooldowns(self, raw: Any) -> dict[str, int]:
        if not isinstance(raw, dict):
            self.report(("cooldowns",), "'cooldowns' must map action ids to days")
            return {}
        for action in raw:
            if action not in self.actions:
                self.report(
                    ("cooldowns", action),
                    f"unknown action id '{action}'{did_you_mean(str(action), self.actions.ids())}",
                )
        return {str(action): self._int(raw, ("cooldowns",), action) for action in raw}

    def _rules(self, playbook_id: str, raw: Any, values: Mapping[str, Any]) -> tuple[Rule, ...]:
        if not isinstance(raw, list):
            self.report(("rules",), "'rules' must be a list of rules")
            return ()
        rules, seen = [], set()
        for index, item in enumerate(raw):
            path: Path = ("rules", index)
            if not isinstance(item, dict):
                self.report(path, "a rule must be a mapping with id, subject, when and actions")
                continue
            self._keys(item, path, _RULE_KEYS, required=("id", "subject", "rationale", "actions"))
            rule_id = self._text(item, path, "id")
            if rule_id in seen:
                self.report((*path, "id"), f"duplicate rule id '{rule_id}'")
            seen.add(rule_id)
            subject = item.get("subject")
            if subject not in SUBJECT_KINDS:
                hint = did_you_mean(str(subject), SUBJECT_KINDS)
                self.report(
                    (*path, "subject"), f"'subject' is one of {', '.join(SUBJECT_KINDS)}, found {subject!r}{hint}"
                )
                continue
            context = ParseContext(values, self.actions, self.report, self.kinds)
            when = parse_when(item.get("when"), subject, (*path, "when"), context)
            rules.append(
                Rule(
                    playbook=playbook_id,
                    id=rule_id,
                    description=self._text(item, path, "description", ""),
                    rationale=self._localized(item, path, "rationale") or {},
                    subject=subject,
                    priority=self._int(item, path, "priority", 50),
                    when=when,
                    actions=self._actions(item.get("actions"), (*path, "actions"), subject, values),
                    source=self.doc.where(path),
                    exclusive_group=self._text(item, path, "exclusive_group", "") or None,
                    priority_in_crisis=self._int(item, path, "priority_in_crisis")
                    if "priority_in_crisis" in item
                    else None,
                )
            )
        return tuple(rules)

    def _actions(self, raw: Any, path: Path, subject: str, values: Mapping[str, Any]) -> tuple[ActionSpec, ...]:
        if not isinstance(raw, list) or not raw:
            self.report(path, "'actions' must be a non-empty list")
            return ()
        specs = []
        for index, item in enumerate(raw):
            where = (*path, index)
            if not isinstance(item, dict):
                self.report(where, "an action must be a mapping with action and title")
                continue
            self._keys(item, where, _ACTION_KEYS, required=("action", "title"))
            action = item.get("action")
            if not isinstance(action, str) or action not in self.actions:
                self.report(
                    (*where, "action"), f"unknown action id {action!r}{did_you_mean(str(action), self.actions.ids())}"
                )
                continue
            title = self._localized(item, where, "title") or {}
            body = self._localized(item, where, "body")
            for key, text in (("title", title), ("body", body or {})):
                for translation in text.values():
                    self._check_template(translation, (*where, key), subject)
            owner = item.get("owner_role", self.actions[action].owner_role)
            if owner not in TEAM_ROLES:
                self.report((*where, "owner_role"), f"'owner_role' is one of {', '.join(TEAM_ROLES)}, found {owner!r}")
            value = item.get("value")
            if isinstance(value, str) and value.startswith("$"):
                value = values.get(value[1:])
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                self.report((*where, "value"), f"'value' must be a number, found {value!r}")
                value = None
            specs.append(ActionSpec(action, title, owner, self._int(item, where, "due_in_days", 14), value, body))
        return tuple(specs)

    def _localized(self, data: Mapping[str, Any], path: Path, key: str) -> dict[str, str] | None:
        """Text given as a string (English) or as ``{en: ..., zh: ...}``; None when absent."""
        if key not in data:
            return None
        value, where = data[key], (*path, key)
        self.locations[format_path(where)] = self.doc.where(where).rsplit(": ", 1)[0]
        if isinstance(value, str) and value.strip():
            return {DEFAULT_LANGUAGE: value}
        if isinstance(value, dict) and value:
            for lang, text in value.items():
                if lang not in LANGUAGES:
                    hint = did_you_mean(str(lang), LANGUAGES)
                    self.report(
                        (*where, lang), f"unknown language '{lang}'{hint}; expected one of {', '.join(LANGUAGES)}"
                    )
                elif not isinstance(text, str) or not text.strip():
                    self.report((*where, lang), f"'{key}' in '{lang}' must be non-empty text, found {text!r}")
            return {str(lang): text for lang, text in value.items() if isinstance(text, str)}
        self.report(
            where, f"'{key}' must be text, or a mapping of language to text like {{en: ..., zh: ...}}, found {value!r}"
        )
        return {}

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


def _same_type(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int | float) and isinstance(value, int | float):
        return isinstance(default, float) or isinstance(value, int)
    return type(default) is type(value)
