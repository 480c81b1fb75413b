"""durable_rules where it installs (not on Python 3.13+): skip markers for the tests that need it.

Elsewhere the compiled evaluator stands in for durable, as kamengine does; a test that needs durable (its
wrapper, its limits, the differential test judging it, the CLI choosing it) says so with ``needs_durable``,
or, when its module imports durable, with ``pytest.importorskip("durable_rules_engine", reason=DURABLE_MISSING)``;
a test comparing a command's whole output, notices included, with ``prints_as_on_durable``.
"""

from __future__ import annotations

import importlib.util

import pytest

MISSING = importlib.util.find_spec("durable_rules_engine") is None
DURABLE_MISSING = "durable_rules is not installed (not on Python 3.13+, where the compiled evaluator serves)"
needs_durable = pytest.mark.skipif(MISSING, reason=DURABLE_MISSING)

#: A command's whole output, compared line for line, is durable's: without durable_rules every command that
#: evaluates also says, on stderr, that the compiled evaluator stands in (the advice itself is the same).
prints_as_on_durable = pytest.mark.skipif(
    MISSING, reason="its expected output has no notice; without durable_rules each run notes the compiled evaluator"
)
