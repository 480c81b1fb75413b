"""The ``--map`` file of the tabular sources: a CRM's column names, table by table, renamed to the layout's,
and the rest a CRM export needs (crm_map.py); ``--map salesforce`` names a bundled map (crm_maps/)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kamengine import InputError, Source
from kamengine.toolkit import SETTINGS_BYTES, ActionCatalogue, did_you_mean, read_text

if TYPE_CHECKING:  # the map's modules (and the layout's row models) load when a source is made, not with the plugins
    from .crm_map import ColumnMap, CrmMap, TableMap
    from .crm_rows import FileReport

__all__ = ["MappedSource", "load_column_map"]


class MappedSource(Source):
    """A source of the tabular layout whose column names a ``--map`` file can rename (``csv``, ``xlsx``)."""

    TAKES_COLUMN_MAP = True

    def __init__(self, location: str, actions: ActionCatalogue | None = None) -> None:
        from .crm_map import CrmMap

        super().__init__(location, actions)
        self.crm_map = CrmMap()
        #: file -> what reading it did (rows, skipped, left out, values the map lacked): ``sources check`` shows it.
        self.file_reports: dict[str, FileReport] = {}

    @property
    def renames(self) -> ColumnMap:
        return self.crm_map.renames

    def use_column_map(self, path: str) -> None:
        self.crm_map = load_column_map(path)


def load_column_map(path: str) -> CrmMap:
    """A mapping file (or a bundled map by its name); each mistake in it is a problem naming the file, table, key."""
    import tomllib

    from .crm_map import CrmMap, read_settings
    from .crm_maps import bundled_map
    from .tabular_columns import TABLES

    path = bundled_map(path) or path
    # A regular file of a megabyte at most: a pipe or a device (--map /dev/zero) is refused, never read.
    text, _ = read_text(path, InputError, SETTINGS_BYTES, "a column map is at most 1 MB")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([f"{path}: invalid TOML: {exc}"]) from None
    problems: list[str] = []
    crm_map = CrmMap(path)
    read_settings(path, data, crm_map, problems)
    for table, section in data.items():
        if table not in TABLES:
            hint, expected = did_you_mean(table, TABLES), ", ".join(TABLES)
            problems.append(f"{path}: [{table}]: unknown table{hint}; expected some of {expected}")
        elif not isinstance(section, dict):
            problems.append(f'{path}: {table}: expected a [{table}] table of "CRM column" = "our column" lines')
        else:
            crm_map.tables[table] = _table_map(path, table, section, crm_map, problems)
    if problems:
        raise InputError(problems)
    return crm_map


def _table_map(path: str, table: str, section: dict[str, object], crm_map: CrmMap, problems: list[str]) -> TableMap:
    from .crm_map import TABLE_OPTIONS, TableMap, read_table_option
    from .tabular_columns import EXTRA_TABLES, TABLES, is_column

    table_map = TableMap()
    renames = table_map.renames
    given: dict[str, str] = {}  # our column -> the CRM column renamed to it
    for theirs, ours in section.items():
        where = f"{path}: [{table}] '{theirs}'"
        if theirs in TABLE_OPTIONS and not isinstance(ours, str):
            read_table_option(f"{path}: [{table}]", table, theirs, ours, table_map, crm_map.lookups, problems)
        elif not isinstance(ours, str):
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
    return table_map
