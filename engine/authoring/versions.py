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
        # By its object id, from the top of the work tree: run in a subdirectory, git archive would take
        # that subdirectory as a path inside the tree.
        tree = _git(["rev-parse", "--verify", name], option, spec).decode().strip()
        top = _git(["rev-parse", "--show-toplevel"], option, spec).decode().strip()
        tar = _git(["-C", top, "archive", "--format=tar", tree], option, spec)
        with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
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


def shown_as(into: Path, option: str, spec: str, playbooks: str | None) -> tuple[str, str]:
    """Where ``version_files`` wrote a git version under ``into``, and what to call it in a message
    (``HEAD:rules``): a playbook's mistake is named by the ref and path the user gave, not a temporary file."""
    ref, _, path = spec.partition(":")
    path = (path or playbooks or "").rstrip("/")
    written = str(into / option.strip("-"))
    folder = str(Path(path).parent) if path.endswith((".yaml", ".yml")) else path
    return written, f"{ref}:{folder}"
