"""Field tests on plain values: each comparison defined once, for the reference evaluator and the checks."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

from .conditions import FieldTest

COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
    "in": lambda value, options: value in options,
    "not_in": lambda value, options: value not in options,
}


def test_field(test: FieldTest, value: Any) -> bool:
    """One comparison; any comparison with a missing (null) value is false."""
    if test.op == "exists":
        return (value is not None) is bool(test.value)
    if value is None:
        return False
    return COMPARE[test.op](value, test.value)


# A value of each type, for fields tested only with ``exists``.
_SAMPLES: dict[str, tuple[Any, ...]] = {
    "int": (0,),
    "number": (0.0,),
    "str": ("x",),
    "bool": (True,),
    "date": (dt.date(2000, 1, 1),),
    "action": ("x",),
}


def candidates(tests: Sequence[FieldTest], choices: Sequence[object] | None) -> list[Any]:
    """Values of one field that tell apart everything ``tests`` can: for any combination of these
    tests, a value satisfying it exists exactly when one of these does (None stands for missing).

    The only values that matter are the literals, their neighbours and the midpoints between
    them: exact for ints and dates, and for the open intervals between number literals.
    """
    literals: list[Any] = []
    for test in tests:
        if test.op != "exists":
            literals.extend(test.value if isinstance(test.value, tuple) else [test.value])
    if choices is not None:  # the field takes no other value (a literal outside them is reported)
        return [None, *choices]
    kind = tests[0].type if tests else "str"
    values: list[Any] = [None, *literals, *_SAMPLES.get(kind, ())]
    if kind == "bool":
        values += [True, False]
    elif kind in ("int", "number"):
        numbers = sorted(set(literals))
        values += [n + d for n in numbers for d in (-1, 1)]
        if kind == "number":  # open intervals between literals hold non-integers only
            values += [(a + b) / 2 for a, b in pairwise(numbers)]
    elif kind == "date":
        values += [d + dt.timedelta(days=k) for d in literals for k in (-1, 1)]
    else:
        values.append("\x00 a value no rule names")
    return list(dict.fromkeys(values))
