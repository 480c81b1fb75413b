"""Load the playbooks of a run: expand directories, collect every problem, apply overrides and switches."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import PlaybookError, did_you_mean
from ..model.actions import ActionCatalogue
from .playbook import Kinds, Playbook


def playbook_files(paths: Iterable[str]) -> list[str]:
    """Expand directories into their ``*.yaml``/``*.yml`` files; keep files as given."""
    files: list[str] = []
    for path in paths:
        entry = Path(path)
        if entry.is_dir():
            found = sorted(str(p) for p in entry.iterdir() if p.suffix in (".yaml", ".yml"))
            if not found:
                raise PlaybookError([f"{path}: no playbook files (*.yaml, *.yml) in this directory"])
            files.extend(found)
        else:
            files.append(path)
    return files


def load_playbooks(
    paths: Iterable[str],
    actions: ActionCatalogue,
    overrides: Mapping[str, Any] | None = None,
    kinds: Kinds | None = None,
) -> list[Playbook]:
    """Load every playbook, collecting all problems; ``overrides`` set parameters by name. What an earlier run
    validated from the same files and settings comes from ``$KAMENGINE_HOME``'s cache (``cache.py``)."""
    from . import cache

    files, settings = list(paths), dict(overrides or {})
    return cache.cached(files, actions, settings, kinds, lambda: _validated(files, actions, settings, kinds))


def _validated(
    paths: list[str], actions: ActionCatalogue, overrides: dict[str, Any], kinds: Kinds | None
) -> list[Playbook]:
    # validate.py and what it imports (the file's pydantic shapes, YAML) load only when a file is validated
    from .validate import load_playbook

    playbooks: list[Playbook] = []
    problems: list[str] = []
    for path in paths:
        try:
            playbook = load_playbook(path, actions, overrides, kinds)
        except PlaybookError as exc:
            problems.extend(exc.problems)
            continue
        clash = next((p for p in playbooks if p.id == playbook.id), None)
        if clash:
            problems.append(f"{path}: playbook id '{playbook.id}' is already used by {clash.source}")
        playbooks.append(playbook)
    declared = {name for p in playbooks for name in p.parameters}
    for name in sorted(set(overrides) - declared):
        problems.append(f"parameter '{name}': no loaded playbook declares it")
    if problems:
        raise PlaybookError(problems)
    return playbooks


def switch_off(playbooks: Iterable[Playbook], playbook_ids: Iterable[str], rule_ids: Iterable[str]) -> list[Playbook]:
    """Playbooks without the switched-off playbooks and rules; an unknown id is an error."""
    playbooks = list(playbooks)
    playbook_ids, rule_ids = set(playbook_ids), set(rule_ids)
    known_playbooks = {p.id for p in playbooks}
    known_rules = {r.qualified_id for p in playbooks for r in p.rules}
    problems = [
        f"playbooks.disabled: no playbook '{i}'{did_you_mean(i, known_playbooks)}"
        for i in sorted(playbook_ids - known_playbooks)
    ] + [f"rules.disabled: no rule '{i}'{did_you_mean(i, known_rules)}" for i in sorted(rule_ids - known_rules)]
    if problems:
        raise PlaybookError(problems)
    return [
        replace(p, rules=tuple(r for r in p.rules if r.qualified_id not in rule_ids))
        for p in playbooks
        if p.id not in playbook_ids
    ]


def combined_caps(playbooks: Iterable[Playbook], overrides: Mapping[str, int | None] | None = None) -> dict[str, int]:
    """The tightest cap any playbook sets, unless the caller overrides it."""
    caps: dict[str, int] = {}
    for playbook in playbooks:
        for key, value in playbook.caps.items():
            caps[key] = min(value, caps.get(key, value))
    for key, override in (overrides or {}).items():
        if override is not None:
            caps[key] = override
    return caps


def rule_ids(paths: Iterable[str]) -> list[str]:
    """The ``playbook/rule`` ids the playbook files at ``paths`` declare, read without validating them
    (shell completion asks on every key press); a file that cannot be read adds none."""
    import yaml

    ids: list[str] = []
    for path in paths:
        try:
            for file in playbook_files([path]):
                document = yaml.safe_load(Path(file).read_text(encoding="utf-8"))
                rules = document.get("rules") or [] if isinstance(document, dict) else []
                ids += [f"{document['playbook']}/{r['id']}" for r in rules if isinstance(r, dict) and "id" in r]
        except (OSError, yaml.YAMLError, PlaybookError, KeyError, UnicodeDecodeError):
            continue
    return ids
