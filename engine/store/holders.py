"""Who a token or a page session speaks for, what each scope may do, and how long a session may sit idle.

Apart from ``tokens.py``, which registers the tokens' migration when imported: a front end may name a holder's
type without a store created by the batch taking the tokens' schema on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: What a token may do: read, act and admin each include the ones before; metrics stands apart.
SCOPES = ("read", "act", "admin", "metrics")
#: A monitoring system's scope: it reads ``GET /metrics`` and nothing else (a scraper needs no one's accounts);
#: an admin token may read the metrics too.
METRICS = "metrics"
_RANKED = ("read", "act", "admin")
#: A session ends after this long without a page view, unless ``serve --session-idle`` says otherwise.
DEFAULT_IDLE = dt.timedelta(hours=12)


@dataclass(frozen=True)
class TokenHolder:
    """Who a valid token speaks for."""

    token_id: str
    member: str
    scope: str

    def may(self, scope: str) -> bool:
        """Whether this holder's scope includes ``scope``."""
        if scope == METRICS:
            return self.scope in (METRICS, "admin")
        if self.scope == METRICS:
            return False
        return _RANKED.index(self.scope) >= _RANKED.index(scope)
