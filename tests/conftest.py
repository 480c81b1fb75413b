"""Shared fixtures: an isolated KAMENGINE_HOME for every test."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import REPO

#: The browser tests' Chromium fixture (``browser``) comes from tests/headless.py.
pytest_plugins = ["headless"]


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAMENGINE_HOME", str(tmp_path / "home"))
    # Installed plugins stay out of tests unless a test asks for them.
    monkeypatch.setenv("KAMENGINE_DISABLE_PLUGINS", "1")


@pytest.fixture
def example_path() -> str:
    return str(REPO / "examples" / "acme-telecom.yaml")
