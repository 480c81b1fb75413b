"""The playbooks' revision each run used: a run with other playbooks than the store's last run is one warning line.

A nightly batch with the team's playbooks and a service without them would otherwise take turns
opening and resolving the same advice without anyone noticing (issue 23).
"""

from __future__ import annotations

import sqlite3


def record_revision(conn: sqlite3.Connection, run_id: str, revision: str) -> str | None:
    """Keep ``revision`` with the run; a line naming both revisions when the last run before it used another."""
    last = conn.execute(
        "select id, source, revision from runs where revision is not null and id != ? order by started_at desc, id desc"
        " limit 1",
        [run_id],
    ).fetchone()
    conn.execute("update runs set revision = ? where id = ?", [revision, run_id])
    if last is None or last[2] == revision:
        return None
    return (
        f"the playbooks' revision {revision} is not the last run's, {last[2]} ({last[0]}, {last[1]}): "
        "runs with different playbooks open and resolve each other's advice; load the same ones everywhere "
        "([playbooks] paths in kamengine.toml)"
    )
