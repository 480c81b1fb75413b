"""What a run is asked for, in one object each: ``RunOptions`` (any run) and ``BatchOptions`` (the nightly one).

Front ends build them from a command's options or a request, with the ``Registry`` of the plugins
they loaded, and hand them to the ``Engine``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..advise.options import ENGINES, EngineName, RunOptions
from ..plugin._registry import Registry
from ..store.statuses import DEFAULT_EXPIRY_GRACE_DAYS

__all__ = ["ENGINES", "BatchOptions", "EngineName", "ExecutorKind", "Registry", "RunOptions"]

#: Where a batch evaluates its accounts: local worker processes, or a Dask cluster.
ExecutorKind = Literal["process", "dask"]


@dataclass(frozen=True)
class BatchOptions:
    """How a nightly run goes: where its accounts are evaluated, and which run it is (new, resumed, a retry)."""

    #: Local worker processes, or a Dask cluster (which needs ``scheduler``).
    executor: ExecutorKind = "process"
    #: Worker processes; None: one per core.
    workers: int | None = None
    #: The Dask scheduler's address (``tcp://10.0.0.5:8786``), for the ``dask`` executor.
    scheduler: str | None = None
    #: Seconds one account may take in a worker process; None: the settings' ``[limits] account_seconds``.
    account_seconds: float | None = None
    #: Finish the last run of the source that did not finish.
    resume: bool = False
    #: Evaluate again the accounts the last finished run of the source could not advise.
    retry_failed: bool = False
    #: Open advice this many days past due expires.
    grace_days: int = DEFAULT_EXPIRY_GRACE_DAYS
