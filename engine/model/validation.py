"""Helpers for turning pydantic's errors into kamengine's messages: which keys a model expects where."""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel


def fields_at(model: type[BaseModel], path: tuple[str | int, ...]) -> list[str]:
    """The keys ``model`` expects at ``path`` (a nested model's, through lists and mappings), in order."""
    current: Any = model
    for part in path:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            current = model_in(current)  # the items of a list or the values of a mapping
            if isinstance(part, int) or current is None:
                continue
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            return []
        current = model_in(field.annotation) or field.annotation
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The model an annotation holds: itself, or inside ``list[...]``, ``dict[..., ...]``, ``X | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = model_in(argument)
        if found is not None:
            return found
    return None
