"""The store as front ends hold it: opened by path, passed back to the ``Engine``'s methods, never queried."""

from __future__ import annotations

from pathlib import Path

from ..model.actions import ActionCatalogue
from ..store.store import Store
from ..store.store_file import StoreError, default_db_path, trouble

__all__ = ["Store", "StoreError", "default_db_path", "open_store", "trouble"]


def open_store(path: str | Path | None, actions: ActionCatalogue | None = None, *, must_exist: bool = True) -> Store:
    """The store at ``path`` (None: ``$KAMENGINE_HOME``'s); only the batch creates one (``must_exist=False``)."""
    return Store(path, actions, must_exist=must_exist)
