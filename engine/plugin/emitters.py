"""What an emitter is: a class that delivers recommendations to one target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, ClassVar

from ..model.actions import ActionCatalogue
from ..model.recommendation import Recommendation


@dataclass
class EmitContext:
    """What an emitter may need besides the recommendations."""

    stdout: IO[str]
    actions: ActionCatalogue = field(default_factory=ActionCatalogue)
    explanations: dict[str, list[str]] = field(default_factory=dict)  # recommendation id -> lines


class Emitter:
    """Base class of emitters. Subclasses set ``PLUGIN_NAME`` and implement ``emit``."""

    PLUGIN_NAME: ClassVar[str] = ""
    #: One line for ``kamengine plugins``: what TARGET means.
    DESCRIPTION: ClassVar[str] = ""
    #: Whether TARGET is required (a file, a URL) or optional (standard output).
    TARGET_REQUIRED: ClassVar[bool] = False

    def __init__(self, target: str | None) -> None:
        self.target = target

    def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
        """Deliver; return one line saying what was delivered where. Raise on failure."""
        raise NotImplementedError
