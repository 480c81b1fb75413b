"""The plugin's hooks: kamengine finds them through the entry point in pyproject.toml."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from kamengine.engine.plugin import hookimpl


@hookimpl
def kamengine_register_playbooks() -> list[Traversable]:
    return [resources.files("kamengine_telecom_emea") / "playbooks"]
