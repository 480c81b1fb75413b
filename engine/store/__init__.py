"""The recommendation store: schema, lifecycle, deliveries outbox and reports (the only code that names a table)."""

from .lifecycle import DEFAULT_EXPIRY_GRACE_DAYS, AccountOutcome
from .schema import LIVE, Status
from .store import GroupCommit, Store, StoreError, default_db_path

__all__ = [
    "DEFAULT_EXPIRY_GRACE_DAYS",
    "LIVE",
    "AccountOutcome",
    "GroupCommit",
    "Status",
    "Store",
    "StoreError",
    "default_db_path",
]
