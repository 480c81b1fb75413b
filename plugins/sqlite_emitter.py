"""Built-in emitter ``sqlite``: upsert recommendations into a table of a SQLite database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kamengine import EmitContext, Emitter, Recommendation, hookimpl

TABLE = "recommendations"


class SqliteEmitter(Emitter):
    PLUGIN_NAME = "sqlite"
    DESCRIPTION = f"upsert into the '{TABLE}' table of the SQLite database at TARGET (created if missing)"
    TARGET_REQUIRED = True

    def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
        assert self.target
        emitted_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        rows = [{**rec.row_dict(), "emitted_at": emitted_at} for rec in recommendations]
        import sqlite_utils  # only when this emitter is used: it costs every process that imports it

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
