"""An emitter's settings file (``--emit webhook:delivery.toml#slack``): its table, with ``${VAR}`` from the environment.

A destination's URL, headers and credentials do not fit on a command line, and do not belong
in the outbox: the spec names a TOML file and a table in it, the store keeps only that name,
and the secrets are read from the environment each time a delivery is made (tonight's run or
a later ``kamengine deliver``). ``${NAME}`` in a value is the environment variable ``NAME``;
one that is not set is an error naming it, and no value read from the environment is ever
shown: messages quote the value as written in the file, with its ``${NAME}``.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kamengine import InputError
from kamengine.toolkit import did_you_mean

#: ``${NAME}``: an environment variable's value (a shell's own spelling, so a value reads as it would in a script).
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
SETTINGS_BYTES = 1_000_000  # a settings file, not a data file


class SettingsError(InputError):
    """An emitter's settings file is missing, not TOML, or has a wrong or unknown key."""

    def __init__(self, message: str) -> None:
        super().__init__([message])

    def __reduce__(self) -> tuple[type[SettingsError], tuple[str]]:  # type: ignore[override]
        return type(self), (self.problems[0],)


def is_settings_target(target: str | None) -> bool:
    """Whether an emitter's TARGET names a settings file (``FILE.toml`` or ``FILE.toml#TABLE``), not a URL."""
    if not target or "://" in target:  # a URL, even one whose path ends in .toml
        return False
    return target.partition("#")[0].lower().endswith(".toml")


@dataclass(frozen=True)
class Table:
    """One destination's settings, as written (``${NAME}`` unexpanded), and where they were read."""

    values: dict[str, Any]
    where: str  # "delivery.toml [slack]": for messages
    folder: Path  # a template named in the table is found beside the file

    def text(self, key: str, default: str | None = None) -> str | None:
        """A string setting, as written; a value of another type is an error naming the key."""
        value = self.values.get(key, default)
        if value is not None and not isinstance(value, str):
            raise SettingsError(f"{self.where}: {key}: expected a string, found {value!r}")
        return value

    def number(self, key: str, default: int, low: int = 1, high: int = 65535) -> int:
        value = self.values.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise SettingsError(f"{self.where}: {key}: expected a whole number from {low} to {high}, found {value!r}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.values.get(key, default)
        if not isinstance(value, bool):
            raise SettingsError(f"{self.where}: {key}: expected true or false, found {value!r}")
        return value

    def strings(self, key: str) -> dict[str, str]:
        """A table of strings (``headers = { Authorization = "Bearer ${CRM_TOKEN}" }``), as written."""
        value = self.values.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise SettingsError(f'{self.where}: {key}: expected a table of strings, e.g. {key} = {{ Name = "value" }}')
        return dict(value)

    def expanded(self, key: str, value: str) -> str:
        """``value`` with each ``${NAME}`` replaced by the environment's; an unset one is an error naming it."""
        return expand(value, f"{self.where}: {key}")


def expand(value: str, where: str) -> str:
    """``value`` with each ``${NAME}`` from the environment; an unset or empty variable is an error naming it."""

    def variable(match: re.Match[str]) -> str:
        name = match.group(1)
        found = os.environ.get(name)
        if not found:
            raise SettingsError(f"{where}: the environment variable {name} is not set (the value is '{value}')")
        return found

    return _VARIABLE.sub(variable, value)


def read_table(target: str, allowed: frozenset[str], kind: str) -> Table:
    """The table ``FILE.toml#TABLE`` names (the whole file without ``#TABLE``), its keys checked against ``allowed``."""
    file, _, name = target.partition("#")
    path = Path(file)
    try:
        if path.stat().st_size > SETTINGS_BYTES:
            raise SettingsError(f"{file}: a {kind} settings file is at most 1 MB")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{file}: no such {kind} settings file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{file}: cannot read it: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{file}: invalid TOML: {exc}") from None
    where = file
    if name:
        tables = [key for key, value in data.items() if isinstance(value, dict)]
        if not isinstance(data.get(name), dict):
            found = ", ".join(tables) or "none"
            raise SettingsError(f"{file}: no table [{name}]{did_you_mean(name, tables)}; tables: {found}")
        data, where = data[name], f"{file} [{name}]"
    for key in data:
        if key not in allowed:
            hint = did_you_mean(key, sorted(allowed))
            raise SettingsError(f"{where}: {key}: unknown setting{hint}; expected one of {', '.join(sorted(allowed))}")
    return Table(data, where, path.parent)
