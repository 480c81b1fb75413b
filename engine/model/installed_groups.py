"""Which entry-point groups installed distributions may declare, read fast."""

from __future__ import annotations

import os
import sys
from importlib import machinery


def may_declare(group: str) -> bool:
    """Whether a distribution on ``sys.path`` may declare entry points in ``group``: False only when none that
    ``importlib.metadata`` finds has a ``[group]`` section in its ``entry_points.txt``. Reading those files is
    ~2 ms; ``metadata.entry_points`` parses every distribution's (~8-20 ms with a hundred installed), which a
    command then need not do when no plugin is installed. Any place this cannot read as importlib does (a zip or
    an egg on ``sys.path``, a finder of distributions of its own) answers True: importlib then looks."""
    if any(hasattr(finder, "find_distributions") and not _reads_the_path(finder) for finder in sys.meta_path):
        return True
    for entry in sys.path:
        root = entry or "."  # importlib reads "" as the working directory
        if root.lower().endswith(".egg") or os.path.isfile(root):
            return True
        try:
            children = os.scandir(root)
        except OSError:  # not there (python311.zip usually is not): importlib finds nothing there either
            continue
        with children:
            for child in children:
                if child.name.lower().endswith((".dist-info", ".egg-info")) and _declares(child.path, group):
                    return True
    return False


def _reads_the_path(finder: object) -> bool:
    """Whether a meta path finder finds distributions on ``sys.path`` as importlib's own does: its ``PathFinder``, and
    the ``importlib_metadata`` backport's ``MetadataPathFinder``, which importing the backport adds (Dask and
    schemathesis do) and which reads the same folders."""
    if finder is machinery.PathFinder:
        return True
    kind = type(finder)
    return kind.__module__ == "importlib_metadata" and kind.__qualname__ == "MetadataPathFinder"


def _declares(folder: str, group: str) -> bool:
    """Whether a distribution's ``entry_points.txt`` has a ``[group]`` section, read as importlib reads it
    (lines stripped; a section is a line in brackets, its name the line without them)."""
    try:
        with open(os.path.join(folder, "entry_points.txt"), "rb") as file:
            data = file.read()
    except OSError:  # no entry points (or an egg-info that is a file): importlib finds none either
        return False
    if group.encode() not in data:
        return False
    lines = (line.strip() for line in data.decode("utf-8", "replace").splitlines())
    return any(line.startswith("[") and line.endswith("]") and line.strip("[]") == group for line in lines)
