"""``kamengine.toml``: a team's overrides of parameters, language, gift caps, festivals, and rules off.

Found in the working directory, or given with ``--config``. Every effective value
remembers where it came from, for ``kamengine config show``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, did_you_mean
from .i18n import DEFAULT_LANGUAGE, LANGUAGES

FILENAME = "kamengine.toml"
#: The gift cap in an account's currency unless kamengine.toml says otherwise (methodology: 200).
DEFAULT_GIFT_CAP = 200.0
_KEYS = {"lang", "parameters", "compliance", "playbooks", "rules", "festivals"}
_COMPLIANCE_KEYS = {"gift_cap", "gift_caps"}
_FESTIVAL_KEYS = {"name", "date", "regions"}


class ConfigError(InputError):
    """``kamengine.toml`` is unreadable or has an unknown key or a value of the wrong type."""


@dataclass(frozen=True)
class Festival:
    """A festival on a date, observed in some regions (empty: everywhere)."""

    name: str
    date: dt.date
    regions: tuple[str, ...] = ()


#: The shipped calendar (docs/playbook.md says how to add to it in kamengine.toml).
DEFAULT_FESTIVALS: tuple[Festival, ...] = (
    Festival("Spring Festival 春节", dt.date(2026, 2, 17), ("CN",)),
    Festival("Spring Festival 春节", dt.date(2027, 2, 6), ("CN",)),
    Festival("Spring Festival 春节", dt.date(2028, 1, 26), ("CN",)),
    Festival("Mid-Autumn Festival 中秋节", dt.date(2026, 9, 25), ("CN",)),
    Festival("Mid-Autumn Festival 中秋节", dt.date(2027, 9, 15), ("CN",)),
    Festival("Christmas", dt.date(2026, 12, 25), ("EU", "US")),
    Festival("Christmas", dt.date(2027, 12, 25), ("EU", "US")),
    Festival("New Year", dt.date(2027, 1, 1), ()),
    Festival("New Year", dt.date(2028, 1, 1), ()),
)


@dataclass
class Config:
    """The effective settings of one run."""

    lang: str = DEFAULT_LANGUAGE
    gift_cap: float = DEFAULT_GIFT_CAP
    gift_caps: dict[str, float] = field(default_factory=dict)  # per currency, over gift_cap
    parameters: dict[str, Any] = field(default_factory=dict)
    disabled_playbooks: set[str] = field(default_factory=set)
    disabled_rules: set[str] = field(default_factory=set)
    festivals: tuple[Festival, ...] = DEFAULT_FESTIVALS
    origins: dict[str, str] = field(default_factory=dict)  # setting -> where it came from

    def cap_for(self, currency: str) -> float:
        """The gift cap in one currency."""
        return self.gift_caps.get(currency, self.gift_cap)


def find_config(explicit: str | None, cwd: Path | None = None) -> Path | None:
    """``--config PATH`` if given (it must exist), else ``./kamengine.toml`` if there is one."""
    if explicit is not None:
        path = Path(explicit)
        if not path.exists() or path.is_dir():
            raise ConfigError([f"{explicit}: no such config file"])
        return path
    candidate = (cwd or Path.cwd()) / FILENAME
    return candidate if candidate.is_file() else None


def load_config(path: Path | None) -> Config:
    """The defaults, overridden by the file at ``path`` (if any)."""
    config = Config()
    for name in ("lang", "gift_cap", "festivals"):
        config.origins[name] = "default"
    if path is None:
        return config
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: invalid TOML: {exc}"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read ({exc.strerror})"]) from None
    _Reader(path, config).read(data)
    return config


class _Reader:
    def __init__(self, path: Path, config: Config) -> None:
        self.path, self.config = path, config
        self.problems: list[str] = []

    def fail(self, key: str, message: str) -> None:
        self.problems.append(f"{self.path}: {key}: {message}")

    def read(self, data: Mapping[str, Any]) -> None:
        where = str(self.path)
        self._keys(data, "", _KEYS)
        if "lang" in data:
            if data["lang"] in LANGUAGES:
                self.config.lang = data["lang"]
                self.config.origins["lang"] = where
            else:
                self.fail("lang", f"expected one of {', '.join(LANGUAGES)}, found {data['lang']!r}")
        compliance = self._table(data, "compliance")
        self._keys(compliance, "compliance.", _COMPLIANCE_KEYS)
        if "gift_cap" in compliance:
            self.config.gift_cap = self._number(compliance["gift_cap"], "compliance.gift_cap")
            self.config.origins["gift_cap"] = where
        for currency, cap in self._table(compliance, "gift_caps").items():
            self.config.gift_caps[currency] = self._number(cap, f"compliance.gift_caps.{currency}")
            self.config.origins[f"gift_caps.{currency}"] = where
        for name, value in self._table(data, "parameters").items():
            self.config.parameters[name] = value
            self.config.origins[f"parameters.{name}"] = where
        for section, target in (("playbooks", self.config.disabled_playbooks), ("rules", self.config.disabled_rules)):
            table = self._table(data, section)
            self._keys(table, f"{section}.", {"disabled"})
            disabled = table.get("disabled", [])
            if not isinstance(disabled, list) or not all(isinstance(v, str) for v in disabled):
                self.fail(f"{section}.disabled", "expected a list of ids")
            else:
                target.update(disabled)
                self.config.origins[f"{section}.disabled"] = where
        if "festivals" in data:  # added to the shipped calendar
            self.config.festivals = DEFAULT_FESTIVALS + self._festivals(data["festivals"])
            self.config.origins["festivals"] = f"default + {where}"
        if self.problems:
            raise ConfigError(self.problems)

    def _keys(self, data: Mapping[str, Any], prefix: str, allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                self.fail(
                    f"{prefix}{key}",
                    f"unknown setting{did_you_mean(key, allowed)}; expected one of {', '.join(sorted(allowed))}",
                )

    def _table(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.fail(key, f"expected a table, found {value!r}")
            return {}
        return value

    def _number(self, value: Any, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            self.fail(key, f"expected a number >= 0, found {value!r}")
            return DEFAULT_GIFT_CAP
        return float(value)

    def _festivals(self, raw: Any) -> tuple[Festival, ...]:
        if not isinstance(raw, list):
            self.fail("festivals", "expected an array of tables: [[festivals]] name = ..., date = ..., regions = [...]")
            return DEFAULT_FESTIVALS
        festivals = []
        for index, item in enumerate(raw):
            key = f"festivals[{index}]"
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("name"), str)
                or not isinstance(item.get("date"), dt.date)
            ):
                self.fail(key, 'expected name = "..." and date = YYYY-MM-DD')
                continue
            self._keys(item, f"{key}.", _FESTIVAL_KEYS)
            regions = item.get("regions", [])
            festivals.append(Festival(item["name"], item["date"], tuple(str(r) for r in regions)))
        return tuple(festivals)
