"""A run's tasks: the source's accounts in chunks, each chunk's earlier stances read by the supervisor in one query.

Workers never open the store (a Dask worker on another machine cannot, and one in another
directory would find another file under a relative ``--db``): the run reads the last stance of
every contact of a chunk of accounts in one indexed query and sends each account's with it. It
needs each record's account, night and contacts only: a built-in source's record left unparsed (a
line of JSON Lines) is read for those alone (``_quick_key``), any other is parsed.
The record goes on as the source gave it, for the worker to parse.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import sqlite3
from collections.abc import Collection, Iterator
from itertools import islice
from typing import Any, NotRequired, Protocol

from pydantic import TypeAdapter
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from ..errors import plain
from ..plugin.sources import Source, SourceRecord
from ..store.stances import asked_contacts, last_stances
from .executor import Task

#: Accounts whose stances one query reads: as many as a Dask partition holds.
CHUNK = 50
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Named(TypedDict):
    id: Any


class _Keys(TypedDict):
    """What the key needs of a snapshot document; the rest of the text is skipped, not built into objects."""

    account: _Named
    as_of: Any
    contacts: NotRequired[list[_Named]]


@functools.cache
def _keys() -> TypeAdapter[_Keys]:
    """Reads a document's key fields only: a third of ``json.loads`` of the whole 30-contact snapshot (0.06 ms against
    0.2 in the batch process, which every account passes through)."""
    return TypeAdapter(_Keys)


class Broken(Protocol):
    """Where a source that broke off is told (the run's result)."""

    failures: list[str]
    finished: bool


def account_tasks(
    source: Source,
    source_spec: str,
    finished: Collection[str],
    order: dict[str, int],
    result: Broken,
    conn: sqlite3.Connection,
    night: dt.date | None = None,
) -> Iterator[Task]:
    """The source's accounts as tasks, less those ``finished`` (each origin's place kept in ``order``), each with
    its contacts' last stances before ``night`` (None: its own ``as_of``) from the store on ``conn``; a source
    that breaks off ends them, the run left open for ``--resume``."""
    records = _records(source, source_spec, finished, result)
    while chunk := list(islice(records, CHUNK)):
        keys = [(index, *key) for index, record in enumerate(chunk) if (key := _key(source, record, night))]
        stances = last_stances(conn, keys)
        accounts = {index: account for index, account, _, _ in keys}
        for index, record in enumerate(chunk):
            order[record.origin] = len(order)
            # errors too: recorded when the answer comes
            yield Task(record.origin, record, stances.get(index, {}), accounts.get(index))


def _records(source: Source, source_spec: str, finished: Collection[str], result: Broken) -> Iterator[SourceRecord]:
    try:
        for record in source.raw_records():
            if record.snapshot is None or record.snapshot.account.id not in finished:
                yield record
    except Exception as exc:  # the source broke off: what was read is kept, --resume goes on
        result.failures.append(f"source {source_spec} failed: {plain(exc)}; fix it and run with --resume")
        result.finished = False


Key = tuple[str, dt.date, list[str]]  # an account, the night its stances are read before, the contacts asked


def _key(source: Source, record: SourceRecord, night: dt.date | None) -> Key | None:
    """The record's account, the night its stances are read before and the contacts whose stance is asked; None if
    it has no snapshot (the worker says why)."""
    snapshot = record.snapshot
    if record.raw is not None:
        quick = _quick_key(source, record.raw)
        if quick is not None:
            return quick[0], night or quick[1], quick[2]
        snapshot = None
        with contextlib.suppress(Exception):  # a source plugin's bug: the worker parses again and reports it
            snapshot = source.parse(record).snapshot
    return None if snapshot is None else (snapshot.account.id, night or snapshot.as_of, asked_contacts(snapshot))


def _quick_key(source: Source, raw: Any) -> Key | None:
    """A built-in source's unparsed snapshot document (JSON text): its account's id and ``as_of`` as the full parse
    reads them and every contact's id (asking for one that has ``previous_stance`` costs a seek, no harm), when
    they are plainly written; None otherwise (then it is parsed)."""
    if not (type(source).__module__.startswith("kamengine.") and isinstance(raw, str)):
        return None  # a plugin's raw records may be anything: only its own parse says what they hold
    try:
        document = _keys().validate_json(raw)
        account, as_of = document["account"]["id"], document["as_of"]
        contacts = [person["id"] for person in document.get("contacts", [])]
    except (ValueError, RecursionError):  # pydantic's ValidationError is a ValueError; RecursionError: nested too deep
        return None
    plain_ids = isinstance(account, str) and account and all(isinstance(c, str) for c in contacts)
    if plain_ids and isinstance(as_of, str) and _DATE.fullmatch(as_of):
        with contextlib.suppress(ValueError):
            return account, dt.date.fromisoformat(as_of), contacts
    return None
