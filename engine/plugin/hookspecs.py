"""The hooks a kamengine plugin can implement (pluggy project name and prefix: ``kamengine``).

Every hook is a ``kamengine_register_*`` hook that returns a list of things of one kind.
Hooks only ever gain arguments; an implementation may take fewer than its spec.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable
    from pathlib import Path

    from ..model.actions import ActionType
    from .emitters import Emitter
    from .enrichers import Enricher
    from .sources import Source

hookspec = pluggy.HookspecMarker("kamengine")
hookimpl = pluggy.HookimplMarker("kamengine")


# The specs have no bodies: pluggy only reads their names, arguments and documentation.
# mypy: disable-error-code="empty-body"


@hookspec
def kamengine_register_sources() -> list[type[Source]]:
    """Data sources: classes with a ``PLUGIN_NAME`` that read account snapshots.

    :return: ``Source`` subclasses; ``--source NAME:LOCATION`` picks one by its ``PLUGIN_NAME``.
    """


@hookspec
def kamengine_register_emitters() -> list[type[Emitter]]:
    """Emitters: classes with a ``PLUGIN_NAME`` that deliver recommendations somewhere.

    :return: ``Emitter`` subclasses; ``--emit NAME[:TARGET]`` picks one by its ``PLUGIN_NAME``.
    """


@hookspec
def kamengine_register_playbooks() -> list[Path | Traversable]:
    """Playbooks: directories (or single files) of YAML playbooks, loaded with the built-ins.

    :return: paths, or ``importlib.resources`` traversables of a package's data.
    """


@hookspec
def kamengine_register_actions() -> list[ActionType]:
    """Action types rules may recommend, beside the built-in catalogue (docs/recommendations.md).

    :return: ``ActionType`` values: id, label, default cooldown, default owner role, compliance class.
    """


@hookspec
def kamengine_register_enrichers() -> list[type[Enricher]]:
    """Snapshot enrichers: classes that add derived fields, computed from a team's own data.

    :return: ``Enricher`` subclasses; their ``FIELDS`` become testable in rules.
    """
