"""Built-in plugin: the action catalogue of docs/recommendations.md."""

from __future__ import annotations

from kamengine.engine.model.actions import BUILTIN_ACTIONS
from kamengine.engine.plugin import ActionType, hookimpl


@hookimpl
def kamengine_register_actions() -> list[ActionType]:
    return list(BUILTIN_ACTIONS.values())
