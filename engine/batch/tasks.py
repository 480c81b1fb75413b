"""A run's tasks: the source's accounts in chunks, each chunk's earlier stances read by the supervisor in one query.

Workers never open the store (a Dask worker on another machine cannot, and one in another
directory would find another file under a relative ``--db``): the run reads the last stance of
every contact of a chunk of accounts in one indexed query and sends each account's with it.
A record the source hands over unparsed is parsed here too, for its account and contacts, and
goes on as its text (which pickles small), for the worker to parse again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Collection, Iterator
from itertools import islice
from typing import Protocol

from ..errors import plain
from ..model.snapshot import Snapshot
from ..plugin.sources import Source, SourceRecord
from ..store.stances import last_stances
from .executor import Task

#: Accounts whose stances one query reads: as many as a Dask partition holds.
CHUNK = 50


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
        snapshots = [(key, snapshot) for key, record in enumerate(chunk) if (snapshot := _snapshot(source, record))]
        stances = last_stances(conn, snapshots, night)
        for key, record in enumerate(chunk):
            order[record.origin] = len(order)
            yield Task(record.origin, record, stances.get(key, {}))  # errors too: recorded when the answer comes


def _records(source: Source, source_spec: str, finished: Collection[str], result: Broken) -> Iterator[SourceRecord]:
    try:
        for record in source.raw_records():
            if record.snapshot is None or record.snapshot.account.id not in finished:
                yield record
    except Exception as exc:  # the source broke off: what was read is kept, --resume goes on
        result.failures.append(f"source {source_spec} failed: {plain(exc)}; fix it and run with --resume")
        result.finished = False


def _snapshot(source: Source, record: SourceRecord) -> Snapshot | None:
    """The record's snapshot, parsed here if the source left it raw; None if it has none (the worker says why)."""
    if record.raw is None:
        return record.snapshot
    with contextlib.suppress(Exception):  # a source plugin's bug: the worker parses again and reports it
        return source.parse(record).snapshot
    return None
