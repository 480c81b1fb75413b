"""The batch side of the API besides ``Engine.batch``: a what-if copy of the store, and the outbox's retries."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from ..model.actions import ActionCatalogue
from ..model.limits import Limits
from ..plugin._registry import Registry
from ..store.copies import copied_from, copy_store
from ..store.outbox import Delivery, deliver_pending
from ..store.store import Store
from ..store.time_order import TimeOrder

__all__ = ["Delivery", "copy_live_store", "deliver_outbox", "what_if_store"]


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
