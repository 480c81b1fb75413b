"""What to say of a recommendation id the store does not hold: the nearest id, when one is close.

Its own module because both the store (``Store.get``) and the people's reads (``records.resolve``) say it,
and ``records`` builds on ``store``: here neither imports the other's module for it.
"""

from __future__ import annotations

import difflib
import sqlite3
from pathlib import Path


def unknown_id(conn: sqlite3.Connection, ref: str, path: Path) -> str:
    """No recommendation has this id: say so, with the id whose start is closest when one is close."""
    probe = ref if ref.startswith("rec-") else "rec-" + ref
    near = "select id from recommendations where id {} ? order by id {} limit 5"
    ids = [r[0] for op, way in ((">=", "asc"), ("<", "desc")) for r in conn.execute(near.format(op, way), [probe])]
    starts = {i[: len(probe)]: i for i in ids}  # a prefix is compared with prefixes, a whole id with ids
    close = difflib.get_close_matches(probe, list(starts), n=1, cutoff=0.6)
    return f"no recommendation '{ref}' in {path}" + (f" (did you mean '{starts[close[0]]}'?)" if close else "")
