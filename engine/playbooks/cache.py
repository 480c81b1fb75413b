"""Validated playbooks kept in ``$KAMENGINE_HOME/cache/playbooks/``, keyed by everything their validation reads.

A run that loads the same playbook files with the same action types, fields and parameters, under
the same kamengine code and Python, reads the ``Playbook`` objects back instead of parsing and
validating the YAML again. The entry is a pickle, and a pickle is code: it is read only from a file
this user owns that nobody else can write (checked on the open descriptor, symlinks refused), and
anything wrong with it (another format, another key, a damaged file) is ignored and rebuilt.
Writing is atomic (a private temporary file renamed into place); a home that cannot be written
keeps no cache. ``KAMENGINE_NO_CACHE=1`` (``--no-cache``) neither reads nor writes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..model.actions import ActionCatalogue
from .playbook import Kinds, Playbook

#: Bumped when what an entry holds changes shape; an entry of another format is never read.
FORMAT = 1
#: At most this many entries stay (the oldest go): one per set of files, settings and code.
KEEP = 16
#: The kamengine modules whose code shapes a ``Playbook``: an edit to one of them is another key.
_CODE = (Path(__file__).resolve().parent, Path(__file__).resolve().parents[1] / "model")


def bypassed() -> bool:
    """True when ``KAMENGINE_NO_CACHE`` is set to anything but empty or 0 (``--no-cache`` sets it)."""
    return os.environ.get("KAMENGINE_NO_CACHE", "") not in ("", "0")


def folder() -> Path | None:
    """``$KAMENGINE_HOME/cache/playbooks`` (``~/.kamengine`` by default); None without a home to find."""
    try:
        home = Path(os.environ.get("KAMENGINE_HOME") or Path.home() / ".kamengine")
    except RuntimeError:  # no home directory to be found
        return None
    return home / "cache" / "playbooks"


def key(
    files: Iterable[str], actions: ActionCatalogue, overrides: Mapping[str, Any], kinds: Kinds | None
) -> str | None:
    """The digest of everything that decides the loaded playbooks: each file's path and bytes, the action
    catalogue, the fields rules may test, the parameters, kamengine's version and code, Python's version.
    None when a file cannot be read (the load itself then reports it)."""
    digest = hashlib.sha256()
    try:
        for name in files:
            digest.update(f"{FORMAT}\0{name}\0".encode())
            digest.update(hashlib.sha256(Path(name).read_bytes()).digest())
        # Pickled, not repr'd: deterministic for the same values (a repr may hold addresses).
        settings = (_version(), sys.version, sorted(overrides.items()), actions, kinds, _code_signature())
        digest.update(pickle.dumps(settings, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return None
    return digest.hexdigest()


def _version() -> str:
    from ..plugin.installed import own_version

    # None: run from a checkout on sys.path; the code's signature still keys it
    return own_version() or "unknown"


def _code_signature() -> list[tuple[str, int, int]]:
    """Name, size and modification time of each module that shapes a playbook (a development checkout changes
    its code without changing its version)."""
    found = []
    for package in _CODE:
        for entry in sorted(os.scandir(package), key=lambda e: e.name):
            if entry.name.endswith(".py"):
                info = entry.stat()
                found.append((f"{package.name}/{entry.name}", info.st_size, info.st_mtime_ns))
    return found


def read(digest: str) -> list[Playbook] | None:
    """The playbooks stored under ``digest``, or None: no entry, not ours to trust, or not what we wrote."""
    where = folder()
    if where is None or not hasattr(os, "getuid"):  # no owner to check (Windows): never read a pickle
        return None
    try:
        descriptor = os.open(where / f"{digest}.pickle", os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as stream:
        if not trusted(os.fstat(stream.fileno())):
            return None
        try:
            entry = pickle.load(stream)  # the file is this user's own, unwritable by anyone else (trusted)
        except Exception:  # a damaged or stale entry of any kind is rebuilt, never fatal
            return None
    return _checked(entry, digest)


def trusted(info: os.stat_result) -> bool:
    """A regular file this user owns that neither group nor others may write: only then is its pickle read."""
    return stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022


def _checked(entry: Any, digest: str) -> list[Playbook] | None:
    if not (isinstance(entry, tuple) and len(entry) == 3 and entry[:2] == (FORMAT, digest)):
        return None
    playbooks = entry[2]
    if not (isinstance(playbooks, list) and all(isinstance(p, Playbook) for p in playbooks)):
        return None
    return playbooks


def write(digest: str, playbooks: list[Playbook]) -> None:
    """Store ``playbooks`` under ``digest`` atomically (readers see the old entry or the whole new one); a home
    that cannot be written, or playbooks that do not pickle, leave no entry and no error."""
    where = folder()
    if where is None:
        return
    with contextlib.suppress(OSError, pickle.PicklingError, TypeError, AttributeError):
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, prefix=".playbooks-", suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump((FORMAT, digest, playbooks), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, where / f"{digest}.pickle")
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        _prune(where)


def _prune(where: Path) -> None:
    """Keep the ``KEEP`` most recently written entries."""
    entries = sorted(where.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()


def cached(
    files: list[str],
    actions: ActionCatalogue,
    overrides: Mapping[str, Any],
    kinds: Kinds | None,
    load: Callable[[], list[Playbook]],
) -> list[Playbook]:
    """The playbooks ``load()`` gives for these inputs: from the cache when it holds them, else loaded and kept.
    A load that fails (a ``PlaybookError``) is raised as it is and nothing is kept."""
    if bypassed():
        return load()
    digest = key(files, actions, overrides, kinds)
    if digest is None:
        return load()
    found = read(digest)
    if found is not None:
        return found
    playbooks = load()
    write(digest, playbooks)
    return playbooks
