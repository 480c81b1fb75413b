"""Decision tables as logic: each row compiled to one condition under its hit policy, and the grid checked.

A row is its cells (one condition per input column, None for any value) and an optional
``when``. ``collect`` and ``unique`` rows compile to their own conditions; a ``first`` row also
requires that no earlier row holds, written as the negation of each earlier row that can
overlap it, restricted to the cells the row does not already imply. The checks work column
by column on the values that tell all of a column's cells apart (``values.candidates``):
exact for the cells; a row's ``when`` is not looked into, so it never covers another row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import count, product
from math import prod
from typing import Any

from ..model.fields import FieldSpec
from .conditions import AllOf, AnyOf, Condition, FieldTest, Quantifier
from .values import candidates, test_field

HIT_POLICIES = ("first", "unique", "collect")
#: How many input combinations the checks enumerate: far more than a readable table has.
MAX_COMBINATIONS = 200_000
_OPPOSITE = {"eq": "ne", "ne": "eq", "lt": "gte", "gte": "lt", "lte": "gt", "gt": "lte", "in": "not_in", "not_in": "in"}

Cells = tuple[Condition | None, ...]


@dataclass(frozen=True)
class Row:
    cells: Cells
    when: Condition | None = None


def cell_holds(cell: Condition | None, value: Any) -> bool:
    """Whether one cell (a test of its column's field, or several together) holds for a value."""
    if cell is None:
        return True
    if isinstance(cell, FieldTest):
        return test_field(cell, value)
    assert isinstance(cell, AllOf)
    return all(cell_holds(child, value) for child in cell.children)


def _tests(cell: Condition | None) -> list[FieldTest]:
    if isinstance(cell, FieldTest):
        return [cell]
    return [t for child in cell.children for t in _tests(child)] if isinstance(cell, AllOf) else []


class Grid:
    """The rows of a table with, per column, the values that tell its cells apart."""

    def __init__(self, rows: Sequence[Row], specs: Sequence[FieldSpec]) -> None:
        self.rows = list(rows)
        # Missing values last: a gap is easier to read with the values a column names.
        self.values = [
            sorted(candidates([t for row in rows for t in _tests(row.cells[c])], spec.choices), key=lambda v: v is None)
            for c, spec in enumerate(specs)
        ]
        # What the checks may meet: a field that is never missing drops "missing". Compiling keeps it, so
        # a row's condition is right even for records that break the rule (an enricher's, a test's).
        self.possible = [
            [v for v in values if v is not None or not spec.always]
            for values, spec in zip(self.values, specs, strict=True)
        ]

    def matching(self, cells: Cells) -> list[list[Any]]:
        """Per column, the possible values for which the column's cell holds."""
        return [[v for v in values if cell_holds(cell, v)] for cell, values in zip(cells, self.possible, strict=True)]

    def overlap(self, a: int, b: int) -> list[Any] | None:
        """Values for which both rows' cells hold (one per column), or None if they never do."""
        found = []
        for column, values in enumerate(self.values):
            both = [v for v in values if cell_holds(self.rows[a].cells[column], v)]
            both = [v for v in both if cell_holds(self.rows[b].cells[column], v)]
            if not both:
                return None
            found.append(both[0])
        return found

    def implies(self, column: int, cell: Condition | None, other: Condition | None) -> bool:
        """Whether ``other`` holds wherever ``cell`` does, in this column."""
        return all(cell_holds(other, v) for v in self.values[column] if cell_holds(cell, v))

    def covered(self, combination: Sequence[Any], rows: Sequence[int]) -> bool:
        return any(all(cell_holds(c, v) for c, v in zip(self.rows[r].cells, combination, strict=True)) for r in rows)


def compile_rows(policy: str, rows: Sequence[Row], grid: Grid) -> list[Condition]:
    """Each row's condition under the hit policy (quantifiers numbered afresh in each)."""
    compiled = []
    for k, row in enumerate(rows):
        parts: list[Condition] = [cell for cell in row.cells if cell is not None]
        parts += [row.when] if row.when is not None else []
        for j in range(k) if policy == "first" else ():
            if grid.overlap(j, k) is None:
                continue  # never both: row k's cells already exclude row j
            earlier = rows[j]
            # Not (earlier row): some cell of it this row does not already imply fails, or its when.
            negated = [
                negate(cell)
                for column, cell in enumerate(earlier.cells)
                if cell is not None and not grid.implies(column, row.cells[column], cell)
            ]
            negated += [negate(earlier.when)] if earlier.when is not None else []
            parts.append(_flat_any(negated))  # none: unreachable, which the checks report
        compiled.append(renumber(_flat_all(parts), count(1)))
    return compiled


def negate(condition: Condition) -> Condition:
    """The condition that holds exactly where ``condition`` does not (a missing value fails every test)."""
    if isinstance(condition, FieldTest):
        if condition.op == "exists":
            return replace(condition, value=not condition.value)
        opposite = replace(condition, op=_OPPOSITE[condition.op])
        return AnyOf((opposite, FieldTest(condition.field, "exists", False, condition.type)))
    if isinstance(condition, AllOf):
        return _flat_any([negate(child) for child in condition.children])
    if isinstance(condition, AnyOf):
        return _flat_all([negate(child) for child in condition.children])
    if condition.quantifier in ("any", "none"):
        return replace(condition, quantifier="none" if condition.quantifier == "any" else "any")
    if condition.quantifier == "count":
        assert condition.op is not None
        return replace(condition, op=_OPPOSITE[condition.op])
    if condition.where is None:  # every item of any collection matches: never false
        return replace(condition, quantifier="count", op="lt", value=0)
    return replace(condition, quantifier="any", where=negate(condition.where))


def _flat_any(children: Sequence[Condition]) -> Condition:
    flat = [c for child in children for c in (child.children if isinstance(child, AnyOf) else (child,))]
    unique = tuple(dict.fromkeys(flat))
    return unique[0] if len(unique) == 1 else AnyOf(unique)


def _flat_all(children: Sequence[Condition]) -> Condition:
    flat = [c for child in children for c in (child.children if isinstance(child, AllOf) else (child,))]
    unique = tuple(dict.fromkeys(flat))
    return unique[0] if len(unique) == 1 else AllOf(unique)


def renumber(condition: Condition, numbers: Iterator[int]) -> Condition:
    """The condition with its quantifiers numbered in order (a rule's quantifiers need distinct numbers)."""
    if isinstance(condition, Quantifier):
        return replace(condition, index=next(numbers))
    if isinstance(condition, AllOf | AnyOf):
        return type(condition)(tuple(renumber(child, numbers) for child in condition.children))
    return condition


def depth(condition: Condition | None) -> int:
    """How deep ``all_of``/``any_of`` nest, counted as the parser does."""
    if isinstance(condition, AllOf | AnyOf):
        return 1 + max((depth(child) for child in condition.children), default=0)
    if isinstance(condition, Quantifier):
        return depth(condition.where)
    return 0


#: A gap's column that any value of the column leaves uncovered.
ANY_VALUE = "any"
#: One column of a gap: ANY_VALUE, or the values (in the column's order) that leave it uncovered.
GapColumn = str | tuple[Any, ...]


def merge_gaps(gaps: Sequence[Sequence[Any]], possible: Sequence[Sequence[Any]]) -> list[tuple[GapColumn, ...]]:
    """Uncovered combinations merged column by column: those that differ in one column only become one
    gap with that column's values (ANY_VALUE when they are all the column's values)."""
    merged: list[tuple[GapColumn, ...]] = [tuple((value,) for value in gap) for gap in gaps]
    for column, values in enumerate(possible):
        groups: dict[tuple[GapColumn, ...], list[Any]] = {}
        for gap in merged:
            key = gap[:column] + gap[column + 1 :]
            groups.setdefault(key, []).extend(gap[column])
        merged = []
        for key, seen in groups.items():
            taken = set(seen)
            cell: GapColumn = ANY_VALUE if len(taken) == len(values) else tuple(v for v in values if v in taken)
            merged.append((*key[:column], cell, *key[column:]))
    return merged


@dataclass(frozen=True)
class Findings:
    """What is wrong with a table (``problems``: it does not load) and where it is incomplete."""

    empty: list[int]  # rows whose cells can never all hold
    unreachable: list[tuple[int, list[int]]]  # first: rows the earlier ones (listed) always take
    overlaps: list[tuple[int, int, list[Any]]]  # unique: two rows that both hold for these values
    gaps: list[tuple[GapColumn, ...]]  # first and unique: what no row covers, merged (the first few)
    gap_count: int | None  # how many merged gaps; None: too many combinations to enumerate


def check(policy: str, grid: Grid, gap_examples: int = 3) -> Findings:
    """Rows that never fire, overlaps under ``unique`` and gaps under ``first`` and ``unique``."""
    rows = grid.rows
    empty = [k for k, row in enumerate(rows) if any(not values for values in grid.matching(row.cells))]
    unreachable, overlaps = [], []
    for k, row in enumerate(rows):
        if k in empty:
            continue
        if policy == "first":
            earlier = [j for j in range(k) if rows[j].when is None and grid.overlap(j, k) is not None]
            columns = range(len(row.cells))
            alone = [j for j in earlier if all(grid.implies(c, row.cells[c], rows[j].cells[c]) for c in columns)]
            combinations = grid.matching(row.cells)
            if alone:
                unreachable.append((k, alone[:1]))
            elif (
                earlier
                and prod(map(len, combinations)) <= MAX_COMBINATIONS
                and all(grid.covered(c, earlier) for c in product(*combinations))
            ):
                unreachable.append((k, earlier))
        if policy == "unique":
            overlaps += [(j, k, both) for j in range(k) if (both := grid.overlap(j, k)) is not None]
    gaps: list[tuple[GapColumn, ...]] = []
    gap_count: int | None = 0
    if policy != "collect":
        if prod(map(len, grid.possible)) > MAX_COMBINATIONS:
            gap_count = None
        else:
            everyone = range(len(rows))
            missing = [c for c in product(*grid.possible) if not grid.covered(c, everyone)]
            merged = merge_gaps(missing, grid.possible)
            gaps, gap_count = merged[:gap_examples], len(merged)
    return Findings(empty, unreachable, overlaps, gaps, gap_count)
