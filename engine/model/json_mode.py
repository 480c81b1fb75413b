"""A JSON snapshot validated by pydantic's JSON mode, when that gives exactly what the checked parse would."""

from __future__ import annotations

import operator
import re
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from .snapshot import Snapshot

# A JSON string literal: outside them valid JSON has no '"', so matching left to right finds each one whole.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
# The checked parse refuses these constants; pydantic's JSON mode reads them as floats (in ``extra``, kept).
_CONSTANTS = ("NaN", "Infinity")


def validated(text: str) -> Snapshot | None:
    """The snapshot of JSON ``text`` as pydantic's JSON mode validates it, or None where the checked path
    (``documents.parse_json`` then ``Snapshot.model_validate``) must speak: the text is invalid, breaks the
    contract, may hold NaN or Infinity, or has a duplicate key (JSON mode keeps the last of two without a word).

    Where this gives a snapshot, the checked path gives an equal one (tests/engine/model/test_json_mode.py);
    every message comes from the checked path, so a message is never JSON mode's own.
    """
    if any(constant in text for constant in _CONSTANTS):
        return None
    try:
        snapshot = Snapshot.model_validate_json(text)
    except ValueError:  # pydantic's ValidationError, or a value too large for Python (int digits)
        return None
    except RecursionError:
        return None
    return snapshot if not _may_repeat_a_key(text, snapshot) else None


def _may_repeat_a_key(text: str, snapshot: Snapshot) -> bool:
    """Whether an object in ``text`` may name a key twice.

    Every ':' outside a string separates a key from its value, so valid JSON has exactly as many as its
    objects have keys; the validated models hold as many distinct keys. Equal counts: no key is repeated.
    Counting every ':' is nearly free; the strings are cut out only when some of them hold one (a time, a URL).
    """
    keys = _keys(snapshot)
    colons = text.count(":")
    if colons == keys:
        return False
    return _STRING.sub("", text).count(":") != keys


def _keys(model: BaseModel) -> int:
    """The keys of the JSON object ``model`` was validated from, and of every object inside it."""
    given = model.__pydantic_fields_set__
    count = len(given)
    for name, items in _nested(type(model)).items():
        if name in given:
            count += _keys_in(getattr(model, name), items)
    return count


def _keys_in(value: Any, items: type[BaseModel] | None = None) -> int:
    """The keys of the objects in a field's value; ``items``: the model its list holds, if it is one."""
    if items is not None and isinstance(value, list):
        # A list of one model (contacts, activities): each item's keys are counted in C; only the items
        # that hold objects too (a deal's decision groups, a contact's ``extra``) are walked into.
        given = list(map(_FIELDS_SET, value))
        count = sum(map(len, given))
        nested = frozenset(_nested(items))
        if nested and not all(map(nested.isdisjoint, given)):
            count += sum(_keys(item) - len(fields) for item, fields in zip(value, given, strict=True))
        return count
    if isinstance(value, BaseModel):
        return _keys(value)
    if isinstance(value, dict):
        return len(value) + sum(map(_keys_in, value.values()))
    if isinstance(value, list):
        return sum(map(_keys_in, value))
    return 0


_FIELDS_SET = operator.attrgetter("__pydantic_fields_set__")
_NESTED: dict[type[BaseModel], dict[str, type[BaseModel] | None]] = {}


def _nested(model: type[BaseModel]) -> dict[str, type[BaseModel] | None]:
    """The fields of ``model`` that may hold objects (models, mappings), each with the model its list holds
    (``contacts``: ``Contact``) or None."""
    found = _NESTED.get(model)
    if found is None:
        found = {
            name: _list_of(field.annotation)
            for name, field in model.model_fields.items()
            if _holds_objects(field.annotation)
        }
        _NESTED[model] = found
    return found


def _list_of(annotation: Any) -> type[BaseModel] | None:
    """The model of ``list[Model]``; None for anything else."""
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def _holds_objects(annotation: Any) -> bool:
    """``annotation`` may hold a model or a mapping: itself, or inside ``list[...]``, ``X | None``."""
    if annotation is Any or get_origin(annotation) is dict:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_objects(argument) for argument in get_args(annotation))
