"""Built-in enricher ``festivals``: the next festival of the account's region.

The region is ``account.extra.region`` (e.g. CN, EU, US). Festivals come from the maintained
``holidays`` calendar of that region (Spring Festival and Mid-Autumn for CN, Christmas and New
Year elsewhere), so they never run out, plus any ``[[festivals]]`` added in kamengine.toml.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from kamengine import Enricher, FieldSpec, Snapshot, hookimpl
from kamengine.toolkit import Festival, calendar_for
from pydantic import BaseModel

LOOK_AHEAD = dt.timedelta(days=400)  # far enough to always find next year's festivals


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
        region = str(region) if region else None
        as_of = snapshot.as_of
        added: tuple[Festival, ...] = getattr(self.config, "festivals", ())
        ahead = [
            *calendar_for(region).festivals(as_of, as_of + LOOK_AHEAD),
            *(f for f in added if f.date >= as_of and (not f.regions or region in f.regions)),
        ]
        if not ahead:
            return {"region": region}
        first = min(ahead, key=lambda f: f.date)
        return {"region": region, "next_festival": first.name, "days_to_festival": (first.date - as_of).days}


@hookimpl
def kamengine_register_enrichers() -> list[type[Enricher]]:
    return [FestivalEnricher]
