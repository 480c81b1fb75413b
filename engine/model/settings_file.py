"""The shape of ``kamengine.toml`` as pydantic models (``Settings``), built only when a run reads a settings file."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import did_you_mean
from .validation import fields_at

Amount = Annotated[float, Field(ge=0)]


class _Table(BaseModel):
    # Built when a kamengine.toml is read, not on import: no default is an instance made here (default_factory)
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, defer_build=True)


class ComplianceSettings(_Table):
    gift_cap: Amount | None = None
    gift_caps: dict[str, Amount] = Field(default_factory=dict)


class SwitchedOff(_Table):
    disabled: list[str] = Field(default_factory=list)


class PlaybooksTable(SwitchedOff):
    paths: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)


class FestivalSettings(_Table):
    name: str
    date: dt.date
    regions: list[str] = Field(default_factory=list)


class UrgencySettings(_Table):
    tiers: dict[str, Amount] = Field(default_factory=dict)
    stages: dict[str, Amount] = Field(default_factory=dict)
    value_unit: Annotated[float, Field(gt=0)] | None = None
    value_slope: Amount | None = None
    value_cap: Annotated[float, Field(ge=1)] | None = None
    close_horizon_days: Annotated[int, Field(ge=1)] | None = None
    close_boost: Amount | None = None
    overdue: Amount | None = None


MonthDay = Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")]  # "MM-DD"


class PlanTable(_Table):
    window_days: Annotated[int, Field(ge=1)] | None = None
    weekly_capacity: Annotated[int, Field(ge=1)] | None = None
    capacity: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    daily_capacity: Annotated[int, Field(ge=1)] | None = None
    daily: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    horizon_weeks: Annotated[int, Field(ge=1, le=52)] | None = None
    closed: Annotated[list[MonthDay], Field(max_length=2)] | None = None  # the year-end break: ["12-24", "01-01"]
    lead_days: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    year_end_break: bool | None = None
    quiet_stages: list[Annotated[str, Field(min_length=1)]] | None = None
    urgency: UrgencySettings = Field(default_factory=UrgencySettings)


Positive = Annotated[float, Field(gt=0)]


class LimitsTable(_Table):
    account_seconds: Positive | None = None
    delivery_seconds: Positive | None = None
    attempt_seconds: Positive | None = None
    hook_seconds: Positive | None = None
    snapshot_mb: Positive | None = None
    line_mb: Positive | None = None
    webhook_chunk: Annotated[int, Field(ge=1)] | None = None
    max_per_account: Annotated[int, Field(ge=1)] | None = None
    future_days: Annotated[int, Field(ge=0)] | None = None


class RetentionTable(_Table):
    decision_log_days: Annotated[int, Field(ge=1)] | None = None
    log_advise: bool | None = None
    closed_recommendation_days: Annotated[int, Field(ge=1)] | None = None
    snapshot_days: Annotated[int, Field(ge=1)] | None = None
    run_days: Annotated[int, Field(ge=1)] | None = None


class Settings(_Table):
    """The shape of ``kamengine.toml`` (documented in docs/settings.md: a test keeps them together)."""

    lang: Literal["en", "zh"] | None = None
    engine: Literal["durable", "compiled", "reference"] | None = None
    crisis: Annotated[str, Field(min_length=1)] | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    compliance: ComplianceSettings = Field(default_factory=ComplianceSettings)
    playbooks: PlaybooksTable = Field(default_factory=PlaybooksTable)
    rules: SwitchedOff = Field(default_factory=SwitchedOff)
    festivals: list[FestivalSettings] = Field(default_factory=list)
    plan: PlanTable = Field(default_factory=PlanTable)
    limits: LimitsTable = Field(default_factory=LimitsTable)
    retention: RetentionTable = Field(default_factory=RetentionTable)


def described(exc: ValidationError, data: dict[str, Any]) -> list[str]:
    """One line per problem: ``key.path: what was expected``, each once."""
    messages: dict[str, None] = {}
    for error in exc.errors():
        loc, found = tuple(error["loc"]), repr(error.get("input"))
        if error["type"] == "extra_forbidden":
            allowed = sorted(fields_at(Settings, loc[:-1]))
            hint = did_you_mean(str(loc[-1]), allowed)
            message = f"{_dotted(loc)}: unknown setting{hint}; expected one of {', '.join(allowed)}"
        elif (loc[0] in ("plan", "crisis", "limits", "retention") and len(loc) > 1) or loc[0] == "crisis":
            message = f"{_dotted(loc)}: {error['msg'].lower()}, found {found}"
        elif loc[0] == "lang":
            message = f"lang: expected one of en, zh, found {found}"
        elif loc[0] == "engine":
            message = f"engine: expected one of durable, compiled, reference, found {found}"
        elif loc[0] == "festivals":
            message = (
                f'festivals[{loc[1]}]: expected name = "..." and date = YYYY-MM-DD'
                if len(loc) > 1
                else "festivals: expected an array of tables: [[festivals]] name = ..., date = ..., regions = [...]"
            )
        elif "disabled" in loc:
            message = f"{_dotted(loc[: loc.index('disabled') + 1])}: expected a list of ids"
        elif "paths" in loc:
            message = f"{_dotted(loc[: loc.index('paths') + 1])}: expected a list of folders or files, found {found}"
        elif len(loc) == 1 or error["type"] in ("model_type", "dict_type"):
            message = f"{_dotted(loc)}: expected a table, found {found}"
        else:  # the gift caps, the only numbers
            message = f"{_dotted(loc)}: expected a number >= 0, found {found}"
        messages[message] = None
    return list(messages)


def _dotted(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
