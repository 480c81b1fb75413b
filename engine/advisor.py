"""The engine's front door: load playbooks once, then advise on snapshots one by one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from .actions import ActionCatalogue
from .durable_engine import DurableEvaluator
from .errors import PlaybookError
from .facts import compute_facts
from .playbook import Playbook, Rule, load_playbook
from .ranking import DEFAULT_GIFT_CAP, Advice, rank
from .reference import evaluate_reference
from .snapshot import Snapshot

EngineName = Literal["durable", "reference"]


def builtin_playbook_files() -> list[str]:
    """The YAML playbooks shipped in ``kamengine.rules``."""
    root = resources.files("kamengine.rules")
    return sorted(str(entry) for entry in root.iterdir() if entry.name.endswith((".yaml", ".yml")))


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
    paths: Iterable[str], actions: ActionCatalogue, overrides: Mapping[str, Any] | None = None
) -> list[Playbook]:
    """Load every playbook, collecting all problems; ``overrides`` set parameters by name."""
    overrides = dict(overrides or {})
    playbooks: list[Playbook] = []
    problems: list[str] = []
    for path in paths:
        try:
            playbook = load_playbook(path, actions, overrides)
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


class Advisor:
    """Playbooks compiled once; ``advise`` evaluates one snapshot and ranks the result."""

    def __init__(
        self,
        playbooks: Sequence[Playbook],
        actions: ActionCatalogue | None = None,
        gift_cap: float = DEFAULT_GIFT_CAP,
        engine: EngineName = "durable",
    ) -> None:
        self.playbooks = {p.id: p for p in playbooks}
        self.actions = actions or ActionCatalogue()
        self.gift_cap = gift_cap
        self.rules: list[Rule] = [rule for p in playbooks for rule in p.rules]
        self._durable = DurableEvaluator(self.rules) if engine == "durable" else None

    def advise(self, snapshot: Snapshot, as_of: dt.date | None = None) -> Advice:
        """Ranked recommendations for one account."""
        if as_of is not None:
            snapshot = snapshot.model_copy(update={"as_of": as_of})
        facts = compute_facts(snapshot)
        firings = self._durable.evaluate(facts) if self._durable else evaluate_reference(self.rules, facts)
        return rank(firings, facts, self.playbooks, self.actions, self.gift_cap)
