"""Playbooks as the commands that inspect them read them (``rules``, ``config``, shell completion): where they are,
their rule ids, loading and checking them, and a rule's condition in words.

A run's playbooks are the ``Engine``'s (``engine.spec.playbooks``); these are for reading playbook files outside
a run: ``rules validate``, ``rules lint``, ``config show``'s parameters, and completion on every key press.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..advise.spec import playbook_paths
from ..errors import KamengineError
from ..evaluate.explain import describe
from ..playbooks.loader import load_playbooks, playbook_files, rule_ids
from ..playbooks.playbook import Playbook, Rule
from ..plugin._registry import Registry

if TYPE_CHECKING:
    from ..model.config import Config

__all__ = [
    "Playbook",
    "Rule",
    "completed_rule_ids",
    "describe",
    "load_playbooks",
    "parameter_playbooks",
    "playbook_files",
    "playbook_paths",
    "rule_ids",
    "source_kinds",
]


def completed_rule_ids(rule_paths: Iterable[str] = (), no_builtin: bool = False) -> list[str]:
    """The ``playbook/rule`` ids of the registered playbooks (less the built-in ones with ``no_builtin``) and of
    ``rule_paths``, read without validating them; none when the paths cannot be listed (a completion, not a run)."""
    try:
        paths = playbook_paths(Registry(), rule_paths, no_builtin)
    except KamengineError:
        return []
    return rule_ids(paths)


def source_kinds() -> list[str]:
    """The names of the kinds of source installed (``csv``, ``file``, ``jsonl``...), sorted."""
    return sorted(Registry().sources)


def parameter_playbooks(registry: Registry, config: Config) -> list[Playbook]:
    """The playbooks a run of ``config`` loads (the registered ones and kamengine.toml's paths), their parameters
    set from kamengine.toml: what ``config show`` says of each parameter."""
    paths = playbook_paths(registry, config.playbook_paths, False)
    return load_playbooks(paths, registry.actions, config.parameters, registry.kinds)
