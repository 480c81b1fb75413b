"""Each contact's stance over the nights, kept as changes only: what the writer records and a batch worker reads.

A snapshot may say ``previous_stance`` itself; when it does not, the stance the store recorded
for the contact on an earlier night stands in. A batch's supervisor reads them for a chunk of
accounts in one query (``last_stances``) and sends each account's with its task: workers never
open the store, so a Dask worker on another machine fills them in as a local process does.

``stance_history`` has a row only when a contact's stance differs from its last recorded one (the
first night records every contact), and ``stance_nights`` a row per account per night it had people:
reading every earlier night's row to find the last one cost 8.3 ms an account at 365 nights; one
index seek per contact costs the same on night 1 and night 365 (docs/batch.md, "How fast").
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from ..model.snapshot import Snapshot
from .bulk_rows import insert_rows

#: Each asked contact's last recorded stance before the night: one seek on the primary key per contact.
LAST_BEFORE = (
    "select value, (select stance from stance_history where account_id = ? and contact_id = value and as_of < ?"
    " order by as_of desc limit 1) from json_each(?)"
)

_PREVIOUS = (
    "(select stance from stance_history where account_id = ?1 and contact_id = ?2 and as_of < ?3"
    " order by as_of desc limit 1)"
)
# The night's row goes when the stance is the one before it (a re-run that took a change back) ...
DELETE_REPEAT = (
    f"delete from stance_history where account_id = ?1 and contact_id = ?2 and as_of = ?3 and ?4 is {_PREVIOUS}"
)
# ... and is written when it differs; a re-run of the same stance costs no write.
UPSERT_CHANGE = (
    "insert into stance_history (account_id, contact_id, as_of, stance) select ?1, ?2, ?3, ?4"
    f" where ?4 is not {_PREVIOUS} on conflict (account_id, contact_id, as_of)"
    " do update set stance = excluded.stance where stance is not excluded.stance"
)
# A night written before later ones (a what-if copy only: time order refuses it in a store) makes the next row a
# repeat when it says the same.
DELETE_NEXT_REPEAT = (
    "delete from stance_history where rowid = (select rowid from stance_history where account_id = ?1"
    " and contact_id = ?2 and as_of > ?3 order by as_of limit 1) and stance is ?4"
)
#: The last recorded stance before its night of each contact of each ``[key, account, night, [contacts]]`` asked: one
#: seek each, so an account costs the same on night 2 and night 365; none for an account with no night recorded yet
#: (every recorded stance has its night). An account's fields are read from the JSON once, not once per contact:
#: 0.10 ms an account at 30 contacts where a row per contact took 0.18, and 0.01 where 0.15 on a first night.
LAST_OF_MANY = (
    "with asked as materialized (select value ->> 0 as k, value ->> 1 as account, value ->> 2 as night,"
    " value -> 3 as contacts from json_each(?)) select asked.k, c.value, (select stance from stance_history"
    " where account_id = asked.account and contact_id = c.value and as_of < asked.night order by as_of desc limit 1)"
    " from asked, json_each(asked.contacts) c"
    " where exists (select 1 from stance_nights where account_id = asked.account)"
)
#: Each contact of a night (``?3``, a JSON array) with its stance recorded before the night, on it, and the row after
#: it (``[rowid, stance]``, JSON), if any: three seeks on the primary key per contact.
AROUND = (
    "select value, (select stance from stance_history where account_id = ?1 and contact_id = value and as_of < ?2"
    " order by as_of desc limit 1), (select stance from stance_history where account_id = ?1 and contact_id = value"
    " and as_of = ?2), (select json_array(rowid, stance) from stance_history where account_id = ?1"
    " and contact_id = value and as_of > ?2 order by as_of limit 1) from json_each(?3)"
)
WRITE_HEAD = "insert into stance_history (account_id, contact_id, as_of, stance)"
WRITE_TAIL = " on conflict (account_id, contact_id, as_of) do update set stance = excluded.stance"
LAST_NIGHT = "select max(as_of) from stance_nights where account_id = ?"
#: A contact, its stance before the night, on the night, and the row after it (``[rowid, stance]`` as JSON).
Around = tuple[str, int | None, int | None, str | None]
INSERT_NIGHT = "insert or ignore into stance_nights (account_id, as_of) values (?, ?)"


def record_stances(conn: sqlite3.Connection, account_id: str, as_of: str, stances: Iterable[tuple[str, int]]) -> None:
    """Record the account's people's stances on the night ``as_of``: a row for each that changed, and the night.

    What is recorded around the night is read first, in one query (``AROUND``), so that only the rows that change are
    written: a statement per row that asked SQLite to compare cost 0.36 ms an account, the read and the writes 0.2.
    """
    given = list(stances)
    night = dict(given)
    if not night:
        return  # an account without people has no nights here, as it had no rows before
    if len(night) < len(given):
        _record_one_by_one(conn, [(account_id, contact, as_of, stance) for contact, stance in given])
    else:
        _record_changes(conn, account_id, as_of, night)
    conn.execute(INSERT_NIGHT, [account_id, as_of])


def _record_changes(conn: sqlite3.Connection, account_id: str, as_of: str, night: dict[str, int]) -> None:
    """The rows of ``night`` (contact -> stance, each contact once) that change what is recorded, written."""
    drop, write, drop_next = [], [], []
    for contact, before, recorded, after in _around(conn, account_id, as_of, night):
        stance = night[contact]
        if stance == before:  # the night repeats the stance before it: no row (a re-run may have written one)
            if recorded is not None:
                drop.append((account_id, contact, as_of))
        elif recorded != stance:
            write.append((account_id, contact, as_of, stance))
        if after is not None:  # a later night (a what-if copy's) that now repeats this one's stance
            rowid, later = json.loads(after)
            if later == stance:
                drop_next.append((rowid,))
    if drop:
        conn.executemany("delete from stance_history where account_id = ? and contact_id = ? and as_of = ?", drop)
    insert_rows(conn, WRITE_HEAD, write, WRITE_TAIL)
    if drop_next:
        conn.executemany("delete from stance_history where rowid = ?", drop_next)


def _around(conn: sqlite3.Connection, account_id: str, as_of: str, night: dict[str, int]) -> Iterable[Around]:
    """Each contact of ``night`` with its stance recorded before ``as_of``, on it and the row after it (``AROUND``),
    read only as far as the account's nights say there can be any: every recorded stance has its night."""
    (last,) = conn.execute(LAST_NIGHT, [account_id]).fetchone()
    if last is None:  # the account's first night: nothing is recorded around it
        return [(contact, None, None, None) for contact in night]
    contacts = json.dumps(list(night))
    if last < as_of:  # a night after the last, as a nightly run's is: only the stances before it
        return [
            (contact, before, None, None)
            for contact, before in conn.execute(LAST_BEFORE, [account_id, as_of, contacts])
        ]
    return conn.execute(AROUND, [account_id, as_of, contacts])


def _record_one_by_one(conn: sqlite3.Connection, rows: list[tuple[str, str, str, int]]) -> None:
    """A night that names a contact twice: each row in turn, the later one judged by what the earlier wrote."""
    conn.executemany(DELETE_REPEAT, rows)
    conn.executemany(UPSERT_CHANGE, rows)
    conn.executemany(DELETE_NEXT_REPEAT, rows)


def asked_contacts(snapshot: Snapshot) -> list[str]:
    """The contacts whose earlier stance the store supplies: those the snapshot gives none."""
    return [c.id for c in snapshot.contacts if c.previous_stance is None]


def last_stances(
    conn: sqlite3.Connection, asked: Iterable[tuple[int, str, dt.date, Iterable[str]]]
) -> dict[int, dict[str, int]]:
    """For each ``(key, account, night, contacts)`` asked, each contact's last recorded stance before the night, in
    ONE query: key -> contact -> stance, for the contacts the store has one for."""
    rows = [[key, account, night.isoformat(), list(contacts)] for key, account, night, contacts in asked if contacts]
    found: dict[int, dict[str, int]] = {}
    if rows:
        for key, contact, stance in conn.execute(LAST_OF_MANY, [json.dumps(rows)]):
            if stance is not None:
                found.setdefault(key, {})[contact] = stance
    return found


def fill_stances(snapshot: Snapshot, last: dict[str, int]) -> Snapshot:
    """The snapshot with ``previous_stance`` set from ``last`` (contact -> stance) where the snapshot left it out."""
    if not last:
        return snapshot
    contacts = [
        c.model_copy(update={"previous_stance": last[c.id]}) if c.previous_stance is None and c.id in last else c
        for c in snapshot.contacts
    ]
    return snapshot.model_copy(update={"contacts": contacts})


class StanceHistory:
    """Earlier nights' stances, from the store at ``path`` (opened on first use, read-only), one account at a time."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._usable = Path(path).is_file()

    def fill(self, snapshot: Snapshot) -> Snapshot:
        """The snapshot with ``previous_stance`` set from the store where the snapshot left it out."""
        asked = asked_contacts(snapshot)
        if not self._usable or not asked:
            return snapshot
        try:
            found = self._connection().execute(
                LAST_BEFORE, [snapshot.account.id, snapshot.as_of.isoformat(), json.dumps(asked)]
            )
            last = {contact: stance for contact, stance in found if stance is not None}
        except sqlite3.Error:  # no store here, or not ours: go without, as a remote worker does
            self._usable = False
            return snapshot
        return fill_stances(snapshot, last)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
