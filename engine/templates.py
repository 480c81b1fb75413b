"""Safe title templates: ``{field}`` placeholders that only ever reach snapshot record fields.

No ``str.format`` (it can walk attributes and indexes), no expressions: a placeholder is a
field name, optionally ``account.<field>``, looked up in a plain dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

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


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill a validated template; a missing or null value renders as '?'."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        value = values.get(match.group(1))
        return "?" if value is None else str(value)

    return _PLACEHOLDER.sub(replace, template)
