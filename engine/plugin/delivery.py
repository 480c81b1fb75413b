"""The one delivery path: an emitter gets the recommendations; its failure is a result, not an exception."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..model.recommendation import Recommendation
from .emitters import EmitContext, Emitter


@dataclass(frozen=True)
class Delivered:
    """How one emitter's delivery went: its one-line summary, or why it failed."""

    emitter: Emitter
    ok: bool
    message: str


def deliver(emitter: Emitter, recommendations: Sequence[Recommendation], context: EmitContext) -> Delivered:
    """Emit; any exception (a full disk, a refused POST, a plugin's bug) becomes a failed ``Delivered``."""
    try:
        return Delivered(emitter, True, emitter.emit(recommendations, context))
    except Exception as exc:  # one emitter failing must never stop the others
        return Delivered(emitter, False, f"{type(exc).__name__}: {exc}")
