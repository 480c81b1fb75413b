"""``kamengine.toml``: a team's playbooks and overrides of parameters, language, gift caps, festivals, and rules off.

Found in the working directory, or given with ``--config``. Its shape is the ``Settings``
model; every effective value remembers where it came from, for ``kamengine config show``.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, UsageError
from .documents import SETTINGS_BYTES, read_text
from .i18n import DEFAULT_LANGUAGE
from .limits import Limits
from .plan_settings import PlanSettings, Urgency
from .retention import Retention

# The file's shape (pydantic models) is read when a kamengine.toml is: a run without one does not build it.
if TYPE_CHECKING:
    from .settings_file import PlanTable, Settings

FILENAME = "kamengine.toml"
#: The gift cap in an account's currency unless kamengine.toml says otherwise (methodology: 200).
DEFAULT_GIFT_CAP = 200.0


class ConfigError(InputError):
    """``kamengine.toml`` is unreadable or has an unknown key or a value of the wrong type."""


@dataclass(frozen=True)
class Festival:
    """A festival on a date, observed in some regions (empty: everywhere)."""

    name: str
    date: dt.date
    regions: tuple[str, ...] = ()


@dataclass
class Config:
    """The effective settings of one run."""

    lang: str = DEFAULT_LANGUAGE
    gift_cap: float = DEFAULT_GIFT_CAP
    gift_caps: dict[str, float] = field(default_factory=dict)  # per currency, over gift_cap
    parameters: dict[str, Any] = field(default_factory=dict)
    disabled_playbooks: set[str] = field(default_factory=set)
    disabled_rules: set[str] = field(default_factory=set)
    playbook_paths: tuple[str, ...] = ()  # [playbooks] paths: what every command and serve load unless --rules
    festivals: tuple[Festival, ...] = ()  # added to the holidays calendar of their regions
    crisis: str | None = None  # a crisis of ours or of the whole market: every strategic partner hears from us
    engine: str = "durable"  # the evaluator: durable, compiled or reference (--engine overrides)
    plan: PlanSettings = field(default_factory=PlanSettings)
    limits: Limits = field(default_factory=Limits)
    retention: Retention = field(default_factory=Retention)
    origins: dict[str, str] = field(default_factory=dict)  # setting -> where it came from

    def cap_for(self, currency: str) -> float:
        """The gift cap in one currency."""
        return self.gift_caps.get(currency, self.gift_cap)


def find_config(explicit: str | None, cwd: Path | None = None) -> Path | None:
    """``--config PATH`` if given (it must exist), else ``./kamengine.toml`` if there is one."""
    if explicit is not None:
        path = Path(explicit)
        if not path.exists() or path.is_dir():
            raise UsageError(f"--config {explicit}: no such config file")  # the option names nothing
        return path
    candidate = (cwd or Path.cwd()) / FILENAME
    return candidate if candidate.is_file() else None


def load_config(path: Path | None) -> Config:
    """The defaults, overridden by the file at ``path`` (if any)."""
    config = Config()
    for name in ("lang", "engine", "gift_cap", "festivals", "crisis", "plan", "limits", "retention"):
        config.origins[name] = "default"
    if path is None or str(path) == os.devnull:  # --config /dev/null: the defaults, as an empty file gives
        return config
    import tomllib

    from pydantic import ValidationError

    from .settings_file import Settings, described

    text, _ = read_text(str(path), ConfigError, SETTINGS_BYTES, "a settings file is at most 1 MB")  # no pipe, no device
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: invalid TOML: {exc}"]) from None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError([f"{path}: {message}" for message in described(exc, data)]) from None
    _apply(settings, config, str(path))
    config.playbook_paths = _playbook_paths(settings.playbooks.paths, path)
    if config.playbook_paths:
        config.origins["playbooks.paths"] = str(path)
    return config


def _playbook_paths(paths: list[str], settings_file: Path) -> tuple[str, ...]:
    """``[playbooks] paths``, each relative to the settings file's folder (as a team's repository keeps both)."""
    found = [settings_file.parent / Path(given).expanduser() for given in paths]  # an absolute path stays itself
    missing = [f"{settings_file}: playbooks.paths[{i}]: no such folder or file: {p}" for i, p in enumerate(found)]
    if any(not path.exists() for path in found):
        raise ConfigError([line for line, path in zip(missing, found, strict=True) if not path.exists()])
    return tuple(str(path) for path in found)


def _apply(settings: Settings, config: Config, where: str) -> None:
    from .settings_file import PlanTable, SwitchedOff

    if settings.lang is not None:
        config.lang, config.origins["lang"] = settings.lang, where
    if settings.engine is not None:
        config.engine, config.origins["engine"] = settings.engine, where
    if settings.compliance.gift_cap is not None:
        config.gift_cap, config.origins["gift_cap"] = settings.compliance.gift_cap, where
    for currency, cap in settings.compliance.gift_caps.items():
        config.gift_caps[currency], config.origins[f"gift_caps.{currency}"] = cap, where
    for name, value in settings.parameters.items():
        config.parameters[name], config.origins[f"parameters.{name}"] = value, where
    for section, target in (("playbooks", config.disabled_playbooks), ("rules", config.disabled_rules)):
        switched: SwitchedOff = getattr(settings, section)
        if switched.disabled:
            target.update(switched.disabled)
            config.origins[f"{section}.disabled"] = where
    if settings.festivals:  # added to the holidays calendar
        config.festivals = tuple(Festival(f.name, f.date, tuple(f.regions)) for f in settings.festivals)
        config.origins["festivals"] = where
    if settings.crisis is not None:
        config.crisis, config.origins["crisis"] = settings.crisis, where
    if settings.plan != PlanTable():
        config.plan, config.origins["plan"] = _plan(settings.plan), where
    given = {k: v for k, v in settings.limits.model_dump().items() if v is not None}
    if given:
        config.limits, config.origins["limits"] = Limits(**given), where
    kept = {k: v for k, v in settings.retention.model_dump().items() if v is not None}
    if kept:
        config.retention, config.origins["retention"] = Retention(**kept), where


def _plan(table: PlanTable) -> PlanSettings:
    """The plan's settings: the defaults, with what the file sets."""
    default = PlanSettings()
    urgency = table.urgency
    given = {k: v for k, v in urgency.model_dump(exclude={"tiers", "stages"}).items() if v is not None}
    weights = Urgency(
        tiers={**default.urgency.tiers, **urgency.tiers},
        stages={**default.urgency.stages, **urgency.stages},
        **given,
    )
    return PlanSettings(
        window_days=table.window_days or default.window_days,
        weekly_capacity=table.weekly_capacity or default.weekly_capacity,
        capacity=dict(table.capacity),
        daily_capacity=table.daily_capacity or default.daily_capacity,
        daily=dict(table.daily),
        horizon_weeks=table.horizon_weeks or default.horizon_weeks,
        closed=default.closed if table.closed is None else tuple(table.closed),
        lead_days=dict(table.lead_days),
        year_end_break=default.year_end_break if table.year_end_break is None else table.year_end_break,
        quiet_stages=default.quiet_stages if table.quiet_stages is None else tuple(table.quiet_stages),
        urgency=weights,
    )


def __getattr__(name: str) -> Any:
    """``Settings`` and its tables by their old address (``config.Settings``), from ``settings_file`` when asked."""
    if name in ("Settings", "PlanTable", "SwitchedOff"):
        from . import settings_file

        return getattr(settings_file, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
