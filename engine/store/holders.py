"""Who a token or a page session speaks for, what each scope may do, and how long a session may sit idle.

Apart from ``tokens.py``, which registers the tokens' migration when imported: a front end may name a holder's
type without a store created by the batch taking the tokens' schema on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: What a token may do, each including the ones before it.
SCOPES = ("read", "act", "admin")
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
        return SCOPES.index(self.scope) >= SCOPES.index(scope)
