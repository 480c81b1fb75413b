"""The columns of the tabular snapshot layout and the type of each cell, as pydantic row models.

CSV cells are text and SQLite cells may be numbers: a row model turns each into the value the
snapshot expects (``"12"`` a whole number, ``"yes"`` true, ``"a;b"`` a list), and says which
cell was wrong in words a spreadsheet user knows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from kamengine.toolkit import brief
from pydantic import AllowInfNan, BaseModel, BeforeValidator, ConfigDict, ValidationError, create_model


def _not_a_flag(value: Any) -> Any:
    if isinstance(value, bool):  # a whole number is never true or false
        raise ValueError("a flag")
    return value


def _iso_date(value: Any) -> Any:
    # Only YYYY-MM-DD: pydantic would read "86400" as seconds since 1970.
    return dt.date.fromisoformat(str(value).strip()) if not isinstance(value, dt.date) else value


def _split(value: Any) -> list[str]:
    return [part.strip() for part in str(value).split(";") if part.strip()]


#: Each kind of cell: its type, and what a person should have written.
CELLS: dict[str, tuple[Any, str]] = {
    "text": (Annotated[str, BeforeValidator(str)], "text"),
    "int": (Annotated[int, BeforeValidator(_not_a_flag)], "a whole number"),
    "number": (Annotated[float, BeforeValidator(_not_a_flag), AllowInfNan(False)], "a number"),
    "bool": (bool, "true or false"),
    "date": (Annotated[dt.date, BeforeValidator(_iso_date)], "a date YYYY-MM-DD"),
    "list": (Annotated[list[str], BeforeValidator(_split)], "a list separated by ;"),
}

#: table -> column -> kind of cell. Empty cells are missing values. ``extra.<key>`` columns
#: fill the ``extra`` mapping of accounts and contacts.
TABLES: dict[str, dict[str, str]] = {
    "accounts": {
        "id": "text", "as_of": "date", "name": "text", "industry": "text", "tier": "text",
        "strategic_partner": "bool", "crisis": "bool", "stage": "text", "currency": "text",
        "communication": "int", "matching": "int", "joint": "int", "recognition": "int",
    },
    "contacts": {
        "account_id": "text", "id": "text", "name": "text", "title": "text", "department": "text", "level": "text",
        "role": "text", "stance": "int", "rising_star": "bool", "public_official": "bool", "birthday": "date",
        "interests": "list", "owner": "text", "reports_to": "text", "in_role_since": "date", "previous_stance": "int",
        "backs_competitor": "text",
    },
    "opportunities": {
        "account_id": "text", "id": "text", "name": "text", "stage": "text", "value": "number", "close_date": "date",
    },
    "decision_groups": {
        "account_id": "text", "opportunity_id": "text", "group": "text", "contact_id": "text", "proximity": "int",
    },
    "activities": {
        "account_id": "text", "id": "text", "type": "text", "date": "date", "contact_ids": "list",
        "opportunity_id": "text", "owner": "text",
    },
    "team": {"account_id": "text", "id": "text", "name": "text", "role": "text", "level": "text", "email": "text"},
}  # fmt: skip
REQUIRED = {
    "accounts": ("id", "as_of"),
    "contacts": ("account_id", "id"),
    "opportunities": ("account_id", "id"),
    "decision_groups": ("account_id", "opportunity_id", "group", "contact_id"),
    "activities": ("account_id", "id"),
    "team": ("account_id", "id"),
}
#: The tables whose rows have an ``extra`` mapping, filled by ``extra.<key>`` columns.
EXTRA_TABLES = ("accounts", "contacts")


def is_column(table: str, name: str) -> bool:
    """Whether ``name`` is a column of ``table`` in the layout (``extra.<key>`` for accounts and contacts)."""
    return name in TABLES[table] or (table in EXTRA_TABLES and name.startswith("extra.") and len(name) > 6)


_ROWS: dict[str, type[BaseModel]] = {
    table: create_model(  # type: ignore[call-overload]
        f"{table}_row",
        __config__=ConfigDict(extra="forbid", defer_build=True),  # built when a table is read
        **{column: (CELLS[kind][0] | None, None) for column, kind in columns.items()},
    )
    for table, columns in TABLES.items()
}


def convert_row(table: str, cells: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The typed values of a row's non-empty cells, and one ``column: expected ..., found '...'`` per bad cell."""
    try:
        values = _ROWS[table].model_validate(cells).model_dump(exclude_none=True)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            column = str(error["loc"][0])
            expected = CELLS[TABLES[table][column]][1]
            problems.append(f"{column}: expected {expected}, found '{brief(str(cells[column]).strip())}'")
        return {}, problems
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}, []
