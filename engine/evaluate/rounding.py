"""Priorities rounded to hundredths as ``round(value, 2)`` rounds them, remembered by value."""

from __future__ import annotations

from typing import TypeVar

Number = TypeVar("Number", int, float)

#: ``round(value, 2)`` by value: rounding to digits goes through the float's decimal digits (about a microsecond,
#: once per candidate and per planned recommendation), and a run's priorities take a few hundred values.
_ROUNDED: dict[float, float] = {}
_MOST = 65536


def hundredths(value: Number) -> Number:
    """``round(value, 2)``."""
    if type(value) is not float or not value or value != value:
        # an int rounds to an int (and 1 == 1.0 as a key); -0.0 == 0.0 as a key but rounds to itself; NaN
        return round(value, 2)
    found = _ROUNDED.get(value)
    if found is None:
        if len(_ROUNDED) >= _MOST:
            _ROUNDED.clear()  # a long-lived service's priorities: keep memory bounded
        found = _ROUNDED[value] = round(value, 2)
    return found
