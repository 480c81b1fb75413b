"""docs/settings.md names every key kamengine.toml may hold."""

from __future__ import annotations

from typing import Any

from kamengine.engine.model.config import Settings
from pydantic import BaseModel
from support import REPO

DOC = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")


def _keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    found = []
    for name, info in model.model_fields.items():
        annotation: Any = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and name not in ("festivals",):
            found += _keys(annotation, f"{prefix}{name}.")
        else:
            found.append(f"{prefix}{name}")
    return found


def test_every_setting_is_documented() -> None:
    keys = _keys(Settings)
    assert "limits.account_seconds" in keys and "plan.urgency.value_cap" in keys
    missing = [key for key in keys if f"`{key}" not in DOC]
    assert missing == []
