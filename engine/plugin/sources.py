"""What a data source is: a class that yields validated snapshots, one account at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import InputError
from ..model.actions import ActionCatalogue
from ..model.snapshot import Snapshot


@dataclass(frozen=True)
class SourceRecord:
    """One account read from a source: its snapshot, or why it could not be read.

    ``origin`` says where it came from (``file``, ``file:line``, ``account id in file``).
    ``raw`` is set instead of both by ``Source.raw_records``: the unparsed account, which
    ``Source.parse`` turns into a snapshot or an error.
    """

    origin: str
    snapshot: Snapshot | None = None
    error: InputError | None = None
    raw: Any = None


class Source:
    """Base class of data sources. Subclasses set ``PLUGIN_NAME`` and implement ``records``."""

    PLUGIN_NAME: ClassVar[str] = ""
    #: One line for ``kamengine plugins`` and ``--help``: what LOCATION means.
    DESCRIPTION: ClassVar[str] = ""

    def __init__(self, location: str, actions: ActionCatalogue | None = None) -> None:
        self.location = location
        self.actions = actions or ActionCatalogue()

    def records(self) -> Iterator[SourceRecord]:
        """Yield every account, a bad one as a record with an error (never raise for one account).

        Raise ``InputError`` only when the location itself is unusable (missing, unreadable).
        """
        raise NotImplementedError

    def raw_records(self) -> Iterator[SourceRecord]:
        """Like ``records``, but a record may come unparsed (``raw`` set) for ``parse`` to finish.

        ``kamengine batch`` reads with this and parses in its worker processes, where parsing
        runs in parallel. A source whose accounts can be parsed one by one overrides both this
        and ``parse``; ``raw`` must pickle, and ``parse`` must not need the location again (a
        Dask worker may run on another machine). By default records come parsed.
        """
        return self.records()

    def parse(self, record: SourceRecord) -> SourceRecord:
        """The parsed form of a record from ``raw_records``: a snapshot, or an error naming where."""
        return record
