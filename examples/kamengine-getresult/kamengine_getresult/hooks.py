"""The plugin's hooks: a playbook directory, one action type and one enricher."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from kamengine import ActionType, Enricher, hookimpl

from .kpi import KpiSheetEnricher


@hookimpl
def kamengine_register_playbooks() -> list[Traversable]:
    return [resources.files("kamengine_getresult") / "playbooks"]


@hookimpl
def kamengine_register_actions() -> list[ActionType]:
    return [ActionType("kpi_rebalance", "Rebalance the KPI sheet", cooldown_days=30, owner_role="AD")]


@hookimpl
def kamengine_register_enrichers() -> list[type[Enricher]]:
    return [KpiSheetEnricher]
