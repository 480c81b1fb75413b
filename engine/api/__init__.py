"""The engine's API: what every front end (the CLI, the service, a scheduler, tests) calls.

``Engine`` is the one entry point; the submodules hold what its answers are made of, for
front ends to render (``stores`` the store handle, ``recommendations``, ``week``, ``access``...).
"""

from .engine import AdviseResult, Engine

__all__ = ["AdviseResult", "Engine"]
