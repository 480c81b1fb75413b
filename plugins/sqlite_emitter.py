"""Built-in emitter ``sqlite``: upsert recommendations into a table of a SQLite database."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import sqlite_utils
from kamengine.engine.emitters import EmitContext, Emitter
from kamengine.engine.hookspecs import hookimpl
from kamengine.engine.recommendation import Recommendation

TABLE = "recommendations"


class SqliteEmitter(Emitter):
    PLUGIN_NAME = "sqlite"
    DESCRIPTION = f"upsert into the '{TABLE}' table of the SQLite database at TARGET (created if missing)"
    TARGET_REQUIRED = True

    def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
        assert self.target
        emitted_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        rows = [
            {
                **{k: v for k, v in rec.to_dict().items() if k not in ("subject", "evidence")},
                "subject_kind": rec.subject_kind,
                "subject_id": rec.subject_id,
                "evidence": json.dumps(rec.evidence, ensure_ascii=False, sort_keys=True),
                "emitted_at": emitted_at,
            }
            for rec in recommendations
        ]
        db = sqlite_utils.Database(self.target)
        try:
            with db.conn:  # one transaction: all of this run's rows or none
                db.table(TABLE).upsert_all(rows, pk="id", alter=True)
        finally:
            db.close()
        return f"{len(rows)} recommendations upserted into {self.target} (table {TABLE})"


@hookimpl
def kamengine_register_emitters() -> list[type[Emitter]]:
    return [SqliteEmitter]
