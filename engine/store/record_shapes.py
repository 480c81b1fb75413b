"""What people's reads and decisions of the store give back: a page, a slice, what became of a decision.

No database needed (nothing here imports the store): the Engine names these shapes, and front ends take them,
without loading SQLite's libraries; ``records.py`` makes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: ``recs list`` shows this many rows unless asked for more (as ``gh`` does).
DEFAULT_LIMIT = 30


@dataclass(frozen=True)
class Page:
    """One page of a listing: its rows, how many match in all, and where it starts."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    limit: int  # 0: no limit

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row."""
        return (self.page - 1) * self.limit + 1 if self.limit else 1

    @property
    def more(self) -> bool:
        """Whether rows after this page match."""
        return bool(self.limit) and self.page * self.limit < self.total


@dataclass(frozen=True)
class Decided:
    """What became of one id of a decision: the recommendation as it is now, or why not."""

    ref: str
    row: dict[str, Any] | None = None
    error: str | None = None


@dataclass(frozen=True)
class Logged:
    """What the decision log keeps of a decision besides what it decided: the playbooks' revision, who asked (a
    token's id) and the request's bytes (their digest is kept)."""

    revision: str
    principal: str
    said: bytes


#: The types of a ``seen_key``'s parts: account, minus its priority, id (what a cursor must hold to be one).
KEY_SHAPE = (str, int | float, str)


def seen_key(row: dict[str, Any]) -> list[Any]:
    """Where a row sits in ``seen_slice``'s order (``Store.find``'s): account, most urgent first, id."""
    return [row["account_id"], -row["priority"], row["id"]]


@dataclass(frozen=True)
class Slice:
    """Rows of a list read after a key: the rows, and the key the next slice starts after (None: no more)."""

    rows: list[dict[str, Any]]
    next_after: list[Any] | None
