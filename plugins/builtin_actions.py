"""Built-in plugin: the action catalogue of docs/recommendations.md."""

from __future__ import annotations

from kamengine import ActionType, hookimpl
from kamengine.toolkit import BUILTIN_ACTIONS


@hookimpl
def kamengine_register_actions() -> list[ActionType]:
    return list(BUILTIN_ACTIONS.values())
