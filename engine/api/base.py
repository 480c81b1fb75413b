"""What every part of the ``Engine`` shares: its plugins and its settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model.config import Config
    from ..plugin._registry import Registry


class EngineParts:
    """The attributes every part of the ``Engine`` (each a mixin of its own module) may use."""

    registry: Registry
    config: Config
