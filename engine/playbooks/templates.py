"""Safe title templates: ``{field}`` placeholders that only ever reach snapshot record fields.

No ``str.format`` (it can walk attributes and indexes), no expressions: a placeholder is a
field name, optionally ``account.<field>``, looked up in a plain dictionary.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, Protocol

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"(account\.)?[A-Za-z_][A-Za-z0-9_]*")


def placeholders(template: str) -> list[str]:
    """The field names a template uses; raises ``ValueError`` on a malformed placeholder."""
    names = []
    for match in _PLACEHOLDER.finditer(template):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            raise ValueError(
                f"unbalanced '{token}' at column {match.start() + 1}; write '{token * 2}' for a literal brace"
            )
        if not _NAME.fullmatch(name):
            raise ValueError(f"'{{{name}}}' is not a field name; placeholders look like {{name}} or {{account.name}}")
        names.append(name)
    return names


class Values(Protocol):
    """Where placeholders are looked up: a dict, or anything with ``get``."""

    def get(self, name: str, /) -> Any: ...


def render(template: str, values: Values) -> str:
    """Fill a validated template; a missing or null value renders as '?'."""
    parts = []
    for literal, name in _parsed(template):
        parts.append(literal)
        if name is not None:
            value = values.get(name)
            parts.append("?" if value is None else str(value))
    return "".join(parts)


@functools.lru_cache(maxsize=1024)
def _parsed(template: str) -> tuple[tuple[str, str | None], ...]:
    """A template as (literal text, placeholder or None) pairs: parsed once, rendered per recommendation."""
    parts: list[tuple[str, str | None]] = []
    literal, position = [], 0
    for match in _PLACEHOLDER.finditer(template):
        literal.append(template[position : match.start()])
        position = match.end()
        token, name = match.group(0), match.group(1)
        if token in ("{{", "}}"):
            literal.append(token[0])
        elif name is None:  # a lone brace: validation rejects it, so it never gets here
            literal.append(token)
        else:
            parts.append(("".join(literal), name))
            literal = []
    literal.append(template[position:])
    parts.append(("".join(literal), None))
    return tuple(parts)


#: A template split for a subject and its account: (literal text, field or None, whether the account's field).
Sourced = tuple[tuple[str, str | None, bool], ...]


@functools.lru_cache(maxsize=1024)
def sourced(template: str) -> Sourced:
    """``template`` parsed once, each placeholder with where it reads: ``account.<field>`` the account's field."""
    return tuple(
        (literal, name[8:], True) if name is not None and name.startswith("account.") else (literal, name, False)
        for literal, name in _parsed(template)
    )


def fill(parts: Sourced, subject: Mapping[str, Any], account: Mapping[str, Any]) -> str:
    """``render`` of a ``sourced`` template for ``subject`` of ``account``, reading the two records directly."""
    if len(parts) == 1:  # no placeholder: the text itself
        return parts[0][0]
    out = []
    for literal, name, on_account in parts:
        out.append(literal)
        if name is not None:
            value = account.get(name) if on_account else subject.get(name)
            out.append("?" if value is None else str(value))
    return "".join(out)
