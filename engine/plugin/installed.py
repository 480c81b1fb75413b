"""What is installed, read fast: whether any distribution declares an entry-point group, and kamengine's version."""

from __future__ import annotations

import functools

from ..model.installed_groups import may_declare

__all__ = ["may_declare", "own_version", "version_of"]


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
