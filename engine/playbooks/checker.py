"""What every check of a playbook file shares: where problems are reported, the file's shapes, actions and texts.

``validate.py`` reads a playbook's rules and ``tables.py`` its decision tables; both report through one
``Checker`` (``file:line: path: message``), so neither module needs the other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import article, did_you_mean, format_path
from ..model.actions import ActionCatalogue
from ..model.documents import Document
from ..model.i18n import DEFAULT_LANGUAGE, LANGUAGES
from ..model.validation import fields_at
from .conditions import Path
from .file_shape import WRONG_KIND, ActionFile
from .playbook import ActionSpec, Kinds, Table
from .templates import placeholders


class Checker:
    """One playbook file's problems as they are found, and the checks its rules and tables share."""

    def __init__(self, doc: Document, actions: ActionCatalogue, kinds: Kinds) -> None:
        self.doc = doc
        self.actions = actions
        self.kinds = kinds
        self.problems: list[str] = []
        self.locations: dict[str, tuple[str, dict[str, str]]] = {}
        self.tables: list[Table] = []  # filled by table_rules

    def report(self, path: Path, message: str) -> None:
        """One problem, at ``path`` of the file (``file:line: path: message``)."""
        self.problems.append(f"{self.doc.where(path)}: {message}")

    def shape(self, model: type[BaseModel], data: Any, path: Path) -> Any:
        """``data`` validated as ``model``; ``None`` (and its problems reported) if it is not."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for where, message in _described(exc, data, model):
                self.report((*path, *where), message)
            return None

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
