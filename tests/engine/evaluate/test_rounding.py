"""Priorities rounded to hundredths are round(value, 2), whatever was rounded before."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st
from kamengine.engine.evaluate.rounding import hundredths


@given(st.lists(st.one_of(st.floats(allow_nan=True), st.integers(-(10**6), 10**6)), max_size=30))
def test_hundredths_is_round_to_two_digits(values: list[float | int]) -> None:
    for value in [*values, *values]:  # the second time from what the first remembered
        expected, got = round(value, 2), hundredths(value)
        assert type(got) is type(expected)
        assert repr(got) == repr(expected) or (math.isnan(got) and math.isnan(expected))


def test_equal_keys_that_round_apart_are_never_confused() -> None:
    assert repr(hundredths(0.0)) == "0.0" and repr(hundredths(-0.0)) == "-0.0"
    assert repr(hundredths(1.0)) == "1.0" and repr(hundredths(1)) == "1"
    assert repr(hundredths(-0.0)) == "-0.0" and repr(hundredths(1.0)) == "1.0"
