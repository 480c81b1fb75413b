"""A version of some playbooks, for ``rules impact``: a file or directory as it is, or as git has it at a ref."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from ..errors import UsageError
from ..playbooks.loader import playbook_files


def version_files(spec: str, option: str, playbooks: str | None, into: Path) -> list[str]:
    """The playbook files ``spec`` names: a path, else a git ``REF:PATH`` (or ``REF`` and ``playbooks``)
    written under ``into``. A path relative to the current directory, as git's ``REF:./PATH`` reads it."""
    if Path(spec).exists():
        return playbook_files([spec])
    ref, _, path = spec.partition(":")
    path = path or playbooks or ""
    if not ref or not path:
        raise UsageError(
            f"{option} '{spec}': no such file or directory; a git ref needs a path too (REF:PATH, or --playbooks PATH)"
        )
    name = f"{ref}:{path}" if path.startswith("./") or Path(path).is_absolute() else f"{ref}:./{path}"
    kind = _git(["cat-file", "-t", name], option, spec).decode().strip()
    target = into / option.strip("-")
    target.mkdir(parents=True, exist_ok=True)
    if kind == "blob":
        (target / Path(path).name).write_bytes(_git(["show", name], option, spec))
    elif kind == "tree":
        with tarfile.open(fileobj=io.BytesIO(_git(["archive", "--format=tar", name], option, spec))) as archive:
            archive.extractall(target, filter="data")  # a file of the archive never lands outside the target
    else:
        raise UsageError(f"{option} '{spec}': git has a {kind} there, not playbooks")
    return playbook_files([str(target / Path(path).name) if kind == "blob" else str(target)])


def _git(args: list[str], option: str, spec: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"{option} '{spec}': no such file or directory, and git could not be run ({exc})") from None
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip().splitlines()
        raise UsageError(f"{option} '{spec}': no such file or directory, nor a git ref with that path ({why[-1]})")
    return done.stdout
