"""The engine's API: what every front end (the CLI, the service, a scheduler, tests) calls.

``Engine`` is the one entry point; the submodules hold what its answers are made of, for
front ends to render (``stores`` the store handle, ``recommendations``, ``week``, ``access``...).
The names here load on first use, so a command importing a light submodule (``documents``,
``access``) does not pay for the evaluators.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import AdviseResult, Engine
    from .options import RunOptions

__all__ = ["AdviseResult", "Engine", "RunOptions"]
_HOMES = {"AdviseResult": ".engine", "Engine": ".engine", "RunOptions": ".options"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name], __name__), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
