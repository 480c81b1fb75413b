"""Users have the repository, nothing beside it: no comment or doc points outside it."""

from __future__ import annotations

import re

from support import REPO

OUTSIDE = re.compile(r"\.\./shared|shared/(contract|methodology|style|durable-notes)\.md")
FOLDERS = ("engine", "cli", "plugins", "rules", "docs", "examples", "benchmarks")


def test_no_file_points_outside_the_repository() -> None:
    files = [
        REPO / "README.md",
        *(p for f in FOLDERS for p in (REPO / f).rglob("*") if p.suffix in (".py", ".md", ".yaml", ".toml")),
    ]
    pointing = [str(p.relative_to(REPO)) for p in files if OUTSIDE.search(p.read_text(encoding="utf-8"))]
    assert pointing == []
