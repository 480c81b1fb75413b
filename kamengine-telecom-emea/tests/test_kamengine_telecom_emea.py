"""kamengine-telecom-emea as kamengine sees it once installed (its playbook cases run from pyproject.toml)."""

from __future__ import annotations

from kamengine.engine.plugin.registry import Registry


def test_kamengine_loads_the_playbook_through_the_entry_point() -> None:
    registry = Registry()
    assert any(plugin == "telecom-emea" for plugin, _ in registry.playbook_sources)
