"""What a nightly delivery hands an emitter: what changed since that emitter's last delivery, streamed.

A batch run does not send every live recommendation every night: each emitter gets the
recommendations that are new to it, those whose delivered fields changed, and those that
closed since (docs/batch.md, "Delivery"). The store streams them in pages, so a delivery
holds a page at a time, however large the portfolio.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from itertools import islice
from typing import Any, NamedTuple, Protocol, TypeVar

from ..model.recommendation import Recommendation

T = TypeVar("T")


class Event(StrEnum):
    """What happened to a recommendation since the emitter's last delivery."""

    NEW = "new"  # live, and not delivered live before (or open again after it closed)
    CHANGED = "changed"  # delivered before; its due date, owner, status, meeting or title changed since
    CLOSED = "closed"  # delivered live; done, dismissed, resolved or expired since
    UNCHANGED = "unchanged"  # delivered as it is (only in ``Outgoing.current``)


class Change(NamedTuple):
    """One recommendation in a delivery, with what happened to it."""

    event: Event
    recommendation: Recommendation
    status: str  # the store's status now: open, accepted, snoozed, done, dismissed, resolved, expired
    version: str  # a digest of the delivered fields: the same version is the same content
    sequence: int  # how many times it changed or closed after it was first delivered (iCalendar SEQUENCE)

    def to_dict(self) -> dict[str, Any]:
        """The recommendation's JSON document plus ``event``, ``status`` and ``version``."""
        document = self.recommendation.to_dict()
        return {**document, "event": self.event.value, "status": self.status, "version": self.version}


class Outgoing(Protocol):
    """One delivery of a nightly run, as an emitter sees it."""

    key: str  # the delivery's id in the store's outbox
    count: int  # how many changes ``changes`` yields

    def changes(self) -> Iterator[Change]:
        """The new, changed and closed recommendations, by account and meeting."""
        ...

    def current(self) -> Iterator[Change]:
        """Every live recommendation the emitter holds (``unchanged`` ones too, an account's that failed tonight or
        that another source gave among them), tonight's new and changed ones, and the ones that closed."""
        ...

    def acknowledge(self, changes: Sequence[Change]) -> None:
        """The receiver has these: a later failure of this delivery does not send them again."""
        ...


def pages(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``."""
    iterator = iter(items)
    while page := list(islice(iterator, size)):
        yield page
