"""The ``--map`` file of the tabular sources: a CRM's column names, table by table, renamed to the layout's."""

from __future__ import annotations

import tomllib

from kamengine.engine.errors import did_you_mean
from kamengine.engine.model.documents import SETTINGS_BYTES, read_text
from kamengine.engine.plugin import ActionCatalogue, InputError, Source

from .tabular_columns import TABLES

#: The tables whose rows have an ``extra`` mapping, filled by ``extra.<key>`` columns.
EXTRA_TABLES = ("accounts", "contacts")

#: table -> a CRM's column -> ours (a layout column, ``extra.<key>``, or "" to leave the column out).
ColumnMap = dict[str, dict[str, str]]


class MappedSource(Source):
    """A source of the tabular layout whose column names a ``--map`` file can rename (``csv``, ``xlsx``)."""

    TAKES_COLUMN_MAP = True

    def __init__(self, location: str, actions: ActionCatalogue | None = None) -> None:
        super().__init__(location, actions)
        self.renames: ColumnMap = {}

    def use_column_map(self, path: str) -> None:
        self.renames = load_column_map(path)


def is_column(table: str, name: str) -> bool:
    """Whether ``name`` is a column of ``table`` in the layout (``extra.<key>`` for accounts and contacts)."""
    return name in TABLES[table] or (table in EXTRA_TABLES and name.startswith("extra.") and len(name) > 6)


def load_column_map(path: str) -> ColumnMap:
    """The renames of a mapping file; every mistake in it is a problem naming the file, table and key."""
    # A regular file of a megabyte at most: a pipe or a device (--map /dev/zero) is refused, never read.
    text, _ = read_text(path, InputError, SETTINGS_BYTES, "a column map is at most 1 MB")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([f"{path}: invalid TOML: {exc}"]) from None
    problems: list[str] = []
    renames: ColumnMap = {}
    for table, section in data.items():
        if table not in TABLES:
            hint, expected = did_you_mean(table, TABLES), ", ".join(TABLES)
            problems.append(f"{path}: [{table}]: unknown table{hint}; expected some of {expected}")
        elif not isinstance(section, dict):
            problems.append(f'{path}: {table}: expected a [{table}] table of "CRM column" = "our column" lines')
        else:
            renames[table] = _renames(path, table, section, problems)
    if problems:
        raise InputError(problems)
    return renames


def _renames(path: str, table: str, section: dict[str, object], problems: list[str]) -> dict[str, str]:
    renames: dict[str, str] = {}
    given: dict[str, str] = {}  # our column -> the CRM column renamed to it
    for theirs, ours in section.items():
        where = f"{path}: [{table}] '{theirs}'"
        if not isinstance(ours, str):
            found = "a table (quote a name with dots in it)" if isinstance(ours, dict) else repr(ours)
            problems.append(f"{where}: expected the name of a {table} column, found {found}")
        elif ours and not is_column(table, ours):
            hint = did_you_mean(ours, TABLES[table])
            extra = " or extra.<key>" if table in EXTRA_TABLES else ""
            problems.append(f"{where}: '{ours}' is not a column of {table}{hint}; expected one of the layout's{extra}")
        elif ours in given:
            problems.append(f"{where}: '{given[ours]}' is renamed to '{ours}' already")
        else:
            renames[theirs.strip()] = ours
            if ours:
                given[ours] = theirs
    return renames
