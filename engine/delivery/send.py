"""The one delivery path: an emitter gets the recommendations; its failure is a result, not an exception."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import plain
from ..model.recommendation import Recommendation
from ..plugin.emitters import EmitContext, Emitter
from ..plugin.outgoing import Outgoing
from .deadlines import DeadlineExceeded, in_thread
from .secrets import redact


@dataclass(frozen=True)
class Delivered:
    """How one emitter's delivery went: its one-line summary, or why it failed."""

    emitter: Emitter
    ok: bool
    message: str
    reader_gone: bool = False  # standard output's reader went away (`| head`): nothing more to write there


def deliver(
    emitter: Emitter, recommendations: Sequence[Recommendation], context: EmitContext, seconds: float | None = None
) -> Delivered:
    """Emit; any exception (a full disk, a refused POST, a plugin's bug) or an emitter still busy
    after ``seconds`` becomes a failed ``Delivered``."""
    return _guarded(emitter, lambda: emitter.emit(recommendations, context), _waited(emitter, context, seconds))


def deliver_changes(
    emitter: Emitter, outgoing: Outgoing, context: EmitContext, seconds: float | None = None
) -> Delivered:
    """``deliver`` for a nightly run: the emitter gets what changed since its last delivery."""
    return _guarded(emitter, lambda: emitter.emit_changes(outgoing, context), _waited(emitter, context, seconds))


#: How much longer than an emitter's own deadline its call is waited for: time to say why it stopped.
OWN_DEADLINE_GRACE = 30.0


def _waited(emitter: Emitter, context: EmitContext, seconds: float | None) -> float | None:
    """How long a call into ``emitter`` is waited for: ``seconds`` (hook_seconds), or its own deadline and a
    little more when it keeps one longer than that (a webhook's first night outlasted hook_seconds)."""
    if seconds is None or emitter.OWN_DEADLINE is None:
        return seconds
    own: float = getattr(context.limits, emitter.OWN_DEADLINE)
    return max(seconds, own + OWN_DEADLINE_GRACE)


def _guarded(emitter: Emitter, call: Callable[[], str], seconds: float | None) -> Delivered:
    try:
        if seconds is None:
            return Delivered(emitter, True, call())
        return Delivered(emitter, True, in_thread(call, seconds, f"emitter '{emitter.PLUGIN_NAME}'"))
    except DeadlineExceeded as exc:
        return Delivered(emitter, False, str(exc))
    except BrokenPipeError:
        if emitter.target in (None, "-"):  # `kamengine advise ... | head`: the reader has all it wanted
            return Delivered(emitter, True, "standard output closed by its reader", reader_gone=True)
        raise
    except Exception as exc:  # one emitter failing must never stop the others
        target = emitter.target if emitter.target not in (None, "-") else None  # not the temporary file's name
        return Delivered(emitter, False, redact(plain(exc, target)))
