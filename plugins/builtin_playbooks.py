"""Built-in plugin: the playbooks shipped in ``kamengine.rules``."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from kamengine import hookimpl


@hookimpl
def kamengine_register_playbooks() -> list[Traversable]:
    return [resources.files("kamengine.rules")]
