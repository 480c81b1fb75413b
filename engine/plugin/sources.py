"""What a data source is: a class that yields validated snapshots, one account at a time."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from ..errors import InputError, SnapshotError
from ..model.actions import ActionCatalogue
from ..model.limits import MB, Limits
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
    """Base class of data sources. Subclasses set ``PLUGIN_NAME`` and implement ``records``.

    ``limits`` are the run's bounds (``[limits]`` in kamengine.toml): a source reads no file
    over ``snapshot_bytes`` and no line over ``line_bytes`` (``read_lines`` does this).
    """

    PLUGIN_NAME: ClassVar[str] = ""
    #: One line for ``kamengine plugins`` and ``--help``: what LOCATION means.
    DESCRIPTION: ClassVar[str] = ""
    #: Whether ``--map FILE`` (a column-mapping file, docs/sources.md) applies: then ``use_column_map`` reads it.
    TAKES_COLUMN_MAP: ClassVar[bool] = False

    def __init__(self, location: str, actions: ActionCatalogue | None = None) -> None:
        self.location = location
        self.actions = actions or ActionCatalogue()
        self.limits = Limits()
        self.notices: list[str] = []
        #: Hears each notice as it is given (the command line prints it on stderr).
        self.on_notice: Callable[[str], None] | None = None

    def use_column_map(self, path: str) -> None:
        """Read the column-mapping file at ``path`` before any record; raise ``InputError`` naming its mistakes."""
        raise NotImplementedError

    def notice(self, message: str) -> None:
        """Tell the user something that is not an error (e.g. columns kept in ``extra``), once."""
        self.notices.append(message)
        if self.on_notice is not None:
            self.on_notice(message)

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


def regular_file(location: str) -> Path:
    """The file at ``location``, which must be a regular file (not a directory, a pipe or a device)."""
    path = Path(location)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise SnapshotError([f"{location}: no such file"]) from None
    except OSError as exc:
        raise SnapshotError([f"{location}: cannot read ({exc.strerror})"]) from None
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file (a pipe or a device)"
        raise SnapshotError([f"{location}: {kind}; expected a file"])
    return path


def read_lines(stream: BinaryIO, name: str, max_bytes: int) -> Iterator[tuple[str, str | None, str | None]]:
    """Every non-blank line of a byte stream as ``(origin, text, problem)``, origin ``name:number``.

    A line over ``max_bytes`` or not UTF-8 is a problem of that line alone: it is skipped
    (without being held in memory) and the next line is read as if nothing happened.
    """
    number = 0
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        number += 1
        origin = f"{name}:{number}"
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while (rest := stream.readline(_CHUNK)) and not rest.endswith(b"\n"):
                pass  # the rest of the long line, read and dropped
            yield origin, None, f"{origin}: the line is longer than {max_bytes / MB:.3g} MB ([limits] line_mb)"
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield origin, None, f"{origin}: not UTF-8 text ({exc.reason} at column {exc.start + 1})"
            continue
        if text.strip():
            yield origin, text, None


_CHUNK = 1024 * 1024
