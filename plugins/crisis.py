"""Built-in enricher ``crisis``: a crisis of ours or of the whole market, declared once for every account.

``crisis = "..."`` in kamengine.toml (or ``--crisis NAME``) names it: every strategic partner
then hears from our leader (the open letter) and our leader calls theirs after it; the key people
of every customer are reassured on continuity (supply, service, people), and decisions at every
customer become more collective. A crisis of one customer is ``account.crisis`` in its snapshot
instead: its key people get care and key resources, and no letter asks it for support.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from kamengine import Enricher, FieldSpec, Snapshot, hookimpl
from pydantic import BaseModel


class CrisisEnricher(Enricher):
    PLUGIN_NAME = "crisis"
    FIELDS: ClassVar[Mapping[str, list[FieldSpec]]] = {
        "account": [
            FieldSpec(
                "market_crisis", "bool", "we or the whole market are in a crisis (kamengine.toml crisis, --crisis)"
            ),
            FieldSpec("crisis_name", "str", "what that crisis is called; null without one"),
        ]
    }

    def values(self, kind: str, record: BaseModel, snapshot: Snapshot) -> Mapping[str, Any]:
        name = getattr(self.config, "crisis", None)
        return {"market_crisis": bool(name), "crisis_name": name}


@hookimpl
def kamengine_register_enrichers() -> list[type[Enricher]]:
    return [CrisisEnricher]
