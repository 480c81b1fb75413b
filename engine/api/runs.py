"""The batch side of the API besides ``Engine.batch``: a what-if copy of the store, the outbox's retries, pruning."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path
from typing import IO

from ..errors import KamengineError
from ..model.actions import ActionCatalogue
from ..model.limits import Limits
from ..model.retention import Retention
from ..plugin._registry import Registry
from ..store.copies import copied_from, copy_store
from ..store.outbox import Delivery, deliver_pending
from ..store.retention import TABLES, Pruned, prune, vacuum
from ..store.store import Store
from ..store.time_order import TimeOrder

__all__ = [
    "TABLES", "Delivery", "Pruned", "copy_live_store", "deliver_outbox", "nightly_prune", "prune_store", "vacuum_store",
    "what_if_store",
]  # fmt: skip


def copy_live_store(live: str | Path, target: Path, actions: ActionCatalogue | None = None) -> None:
    """Copy the store at ``live`` (which must exist) into ``target``, a new file marked as a copy of it."""
    opened = Store(live, actions, must_exist=True)
    try:
        copy_store(opened, target)
    finally:
        opened.close()


def what_if_store(path: Path, actions: ActionCatalogue | None = None) -> Store | None:
    """The store at ``path`` opened for a what-if run (every date taken as given), if it is a copy of a store;
    None when there is no store there or it is a live one (a what-if never writes into it)."""
    store = Store(path, actions) if path.exists() else None
    if store is None or copied_from(store) is None:
        if store is not None:
            store.close()
        return None
    store.time_order = TimeOrder(what_if=True)
    return store


def deliver_outbox(store: Store, registry: Registry, stdout: IO[str], limits: Limits) -> list[Delivery]:
    """Try again every pending delivery of the store's outbox, each within ``[limits] hook_seconds``."""
    return deliver_pending(store, registry, stdout, limits.hook_seconds, limits=limits)


def prune_store(store: Store, retention: Retention, today: dt.date | None = None, dry_run: bool = False) -> Pruned:
    """Remove from ``store`` what the ``[retention]`` settings no longer keep (``dry_run``: count it only), in small
    write transactions a serving process waits between; rows per table (``TABLES``) and the file's free bytes."""
    return prune(store, retention, today, dry_run=dry_run)


def vacuum_store(store: Store) -> int:
    """``VACUUM`` the store (nothing else may use it meanwhile): the bytes its file shrank by."""
    return vacuum(store)


def nightly_prune(store: Store, retention: Retention | object) -> Pruned | None:
    """The nightly run's prune after a finished night, when ``[retention]`` asks for one (None when it does not); a
    failure is a warning in the log, never a failed night: the run is committed already."""
    if not isinstance(retention, Retention) or not retention.prunes:
        return None
    try:
        return prune(store, retention)
    except (sqlite3.Error, KamengineError) as exc:
        logging.getLogger("kamengine.store").warning("the store was not pruned after the run ([retention]): %s", exc)
        return None
