"""durable_rules where it installs (not on Python 3.13+): the skip marker of the tests that judge durable itself.

Elsewhere the compiled evaluator stands in for durable, as kamengine does; a test that needs durable (its
wrapper, its limits, the differential test judging it, the CLI choosing it) says so with ``needs_durable``,
or, when its module imports durable, with ``pytest.importorskip("durable_rules_engine", reason=DURABLE_MISSING)``.
"""

from __future__ import annotations

import importlib.util

import pytest

DURABLE_MISSING = "durable_rules is not installed (not on Python 3.13+, where the compiled evaluator serves)"
needs_durable = pytest.mark.skipif(importlib.util.find_spec("durable_rules_engine") is None, reason=DURABLE_MISSING)
