"""What is installed, read fast: whether any distribution declares an entry-point group, and kamengine's version."""

from __future__ import annotations

import functools
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


@functools.cache
def own_version() -> str | None:
    """kamengine's installed version (read once a process: the plugins' list and the playbook cache both ask), or
    None when it is run from a source tree without being installed."""
    return version_of("kamengine")


def version_of(name: str) -> str | None:
    """A distribution's version, as ``importlib.metadata.version`` gives it, or None when it is not installed.
    Read from the metadata's headers alone: ``metadata.version`` parses the whole file with the e-mail parser,
    long description included (~2 ms for holidays' or kamengine's own, ~0.6 ms this way)."""
    from importlib import metadata

    try:
        distribution = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    text = distribution.read_text("METADATA") or distribution.read_text("PKG-INFO") or ""
    headers = text.replace("\r\n", "\n").split("\n\n", 1)[0]  # the headers end at the first blank line
    for line in headers.splitlines():
        key, colon, value = line.partition(":")
        if colon and key.strip().lower() == "version":
            return value.strip()
    return distribution.version  # no Version header where expected: importlib's own reading
