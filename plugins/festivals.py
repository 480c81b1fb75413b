"""Built-in enricher ``festivals``: the next festival of the account's region, from the calendar.

The region is ``account.extra.region`` (e.g. CN, EU, US); festivals without regions are
observed everywhere. The calendar is the shipped one plus ``[[festivals]]`` in kamengine.toml.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from kamengine.engine.model.config import DEFAULT_FESTIVALS, Festival
from kamengine.engine.plugin import Enricher, FieldSpec, Snapshot, hookimpl
from pydantic import BaseModel


class FestivalEnricher(Enricher):
    PLUGIN_NAME = "festivals"
    FIELDS: ClassVar[Mapping[str, list[FieldSpec]]] = {
        "account": [
            FieldSpec("region", "str", "the account's region, from extra.region (selects its festivals)"),
            FieldSpec("next_festival", "str", "the next festival observed in the account's region"),
            FieldSpec("days_to_festival", "int", "days until that festival (0 = today); null if none is ahead"),
        ]
    }

    def values(self, kind: str, record: BaseModel, snapshot: Snapshot) -> Mapping[str, Any]:
        region = snapshot.account.extra.get("region")
        calendar: tuple[Festival, ...] = getattr(self.config, "festivals", DEFAULT_FESTIVALS)
        ahead = sorted(
            (f for f in calendar if f.date >= snapshot.as_of and (not f.regions or region in f.regions)),
            key=lambda f: f.date,
        )
        if not ahead:
            return {"region": region}
        return {
            "region": region,
            "next_festival": ahead[0].name,
            "days_to_festival": (ahead[0].date - snapshot.as_of).days,
        }


@hookimpl
def kamengine_register_enrichers() -> list[type[Enricher]]:
    return [FestivalEnricher]
