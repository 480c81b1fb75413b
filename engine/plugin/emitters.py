"""What an emitter is: a class that delivers recommendations to one target."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, ClassVar

from ..errors import printable
from ..model.actions import ActionCatalogue
from ..model.limits import Limits
from ..model.recommendation import Recommendation
from .outgoing import Event, Outgoing


@dataclass
class EmitContext:
    """What an emitter may need besides the recommendations."""

    stdout: IO[str]
    actions: ActionCatalogue = field(default_factory=ActionCatalogue)
    explanations: dict[str, list[str]] = field(default_factory=dict)  # recommendation id -> lines
    limits: Limits = field(default_factory=Limits)  # delivery_seconds: how long one delivery may take in all


class Emitter:
    """Base class of emitters. Subclasses set ``PLUGIN_NAME`` and implement ``emit``."""

    PLUGIN_NAME: ClassVar[str] = ""
    #: One line for ``kamengine plugins``: what TARGET means.
    DESCRIPTION: ClassVar[str] = ""
    #: Whether TARGET is required (a file, a URL) or optional (standard output).
    TARGET_REQUIRED: ClassVar[bool] = False
    #: A ``[limits]`` setting (seconds) by which the emitter ends a delivery itself, if it keeps one (the
    #: webhook: ``delivery_seconds``); a call into it is then waited for that long (and a little more)
    #: rather than ``hook_seconds``, so its own deadline, and its message, come first.
    OWN_DEADLINE: ClassVar[str | None] = None

    def __init__(self, target: str | None) -> None:
        self.target = target

    def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
        """Deliver; return one line saying what was delivered where. Raise on failure."""
        raise NotImplementedError

    def emit_changes(self, outgoing: Outgoing, context: EmitContext) -> str:
        """Deliver what changed since this emitter's last delivery (a nightly batch); raise on failure.

        By default the new and changed recommendations go to ``emit`` (nothing when nothing
        changed); an emitter that can say what closed, or that streams, overrides this.
        """
        if not outgoing.count:
            return "nothing changed since the last delivery"
        return self.emit([c.recommendation for c in outgoing.changes() if c.event != Event.CLOSED], context)


def write_atomically(path: str | Path, data: str | bytes) -> None:
    """Write a file whole or not at all: a temporary file beside it, renamed over it when complete.

    A full disk or a crash half-way leaves yesterday's file as it was, never a truncated one.
    """
    with open_atomically(path) as out:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)


@contextlib.contextmanager
def open_atomically(path: str | Path) -> Iterator[IO[bytes]]:
    """A file to write in pieces that replaces ``path`` only when the block ends without an error."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


__all__ = ["EmitContext", "Emitter", "open_atomically", "printable", "write_atomically"]
