"""The portfolio page's lines: each account's from its latest snapshot, worked out once per snapshot a process sees."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from kamengine.engine.api import Engine

from .info import validated
from .pages import AccountSummary, account_summary
from .state import Service

if TYPE_CHECKING:
    from kamengine.engine.api.access import TokenHolder

#: Lines kept per process: the layers, supporters and deals of an account change only with a new snapshot, and
#: validating a snapshot and counting its facts is most of a page's time.
KEPT_LINES = 50_000
_lines: OrderedDict[tuple[str, int, str], AccountSummary] = OrderedDict()
_lock = threading.Lock()


def page_lines(
    service: Service, holder: TokenHolder, after: list[object] | None, size: int
) -> tuple[list[AccountSummary], int, list[object] | None]:
    """The lines of a page of ``size`` accounts the holder sees after the key ``after`` (None: the first page): the
    lines, how many accounts the holder sees, the key of the next page (None: the last)."""
    with service.store() as store:
        page = Engine.portfolio_page(store, holder, after, size)
        keys = [(str(service.db_path), row["snapshot_id"], row["received_at"]) for row in page.accounts]
        with _lock:
            missing = [key[1] for key in keys if key not in _lines]
        bodies = Engine.snapshot_bodies(store, missing) if missing else {}
    actions = service.registry.actions
    lines = []
    for row, key in zip(page.accounts, keys, strict=True):
        with _lock:
            line = _lines.get(key)
        if line is None:
            # Open advice counted and flagged from the summary: the line of the snapshot alone holds none.
            line = account_summary(validated(json.loads(bodies[key[1]]), row["account_id"], actions), [])
            _keep(key, line)
        update = {"open_recommendations": row["live"], "single_point_flagged": bool(row["flagged"])}
        lines.append(line.model_copy(update=update))
    return lines, page.total, page.next_after


def _keep(key: tuple[str, int, str], line: AccountSummary) -> None:
    """``line`` kept for ``key``, the least recently kept going once there are ``KEPT_LINES``."""
    with _lock:
        _lines[key] = line
        while len(_lines) > KEPT_LINES:
            _lines.popitem(last=False)
