"""How much kamengine accepts and how long it waits: the ``[limits]`` settings of kamengine.toml, with defaults.

Every input is bounded (a snapshot file, a line of a line-oriented source) and every unit of
work has a deadline (an account, a delivery, a call into a plugin): a missed one fails that
unit, is reported, and the rest goes on. docs/security.md says why each is what it is.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The bounds of one run; every one has a default and can be set in kamengine.toml ``[limits]``."""

    account_seconds: float = 300.0  # one account's evaluation (generous: a 5,000-contact account takes ~1 s)
    # One delivery, every chunk, attempt and read of it together: a first night of 20,000 accounts
    # (700,000 recommendations) takes about 140 s of webhook, so 120 s cut it short.
    delivery_seconds: float = 600.0
    # One attempt of one chunk, every read of it together: a receiver that drips its answer is given up on
    # and tried again, instead of holding the whole delivery's time.
    attempt_seconds: float = 60.0
    # One call into an emitter (a webhook keeps delivery_seconds instead): a first night's calendar of 20,000
    # accounts (300 MB) took more than 300 s to write on a slow 2-core machine.
    hook_seconds: float = 900.0
    snapshot_mb: float = 64.0  # one snapshot file
    line_mb: float = 16.0  # one line (one account) of a JSON Lines or CSV source
    webhook_chunk: int = 500  # recommendations in one webhook body (a night's changes go in as many as it takes)
    # How far after the machine's today a run or snapshot may be dated: a CRM a day or a time zone ahead is
    # fine; a typo of a month would end every snooze and cooldown (engine/store/time_order.py).
    future_days: int = 2
    max_per_account: int = 10  # approaches ``advise`` shows per account (a readable list; --all shows every one)

    @property
    def snapshot_bytes(self) -> int:
        return round(self.snapshot_mb * MB)

    @property
    def line_bytes(self) -> int:
        return round(self.line_mb * MB)


@dataclass(frozen=True)
class Retention:
    """How long the store keeps what it logs: the ``[retention]`` settings of kamengine.toml, with defaults."""

    # Long enough to answer "why did we get this advice" for a year of nightly runs and decisions; older
    # entries are removed by the nightly batch and, at most hourly, by the service.
    decision_log_days: int = 365
    # A read-only POST /v1/advise is logged only when asked (here, or ?log=true on the request): a CRM
    # that asks for advice on every page view would otherwise grow the log with every view.
    log_advise: bool = False
