"""The engine's front door: load playbooks once, then advise on snapshots one by one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from .actions import ActionCatalogue
from .durable_engine import DurableEvaluator
from .enrichers import Enricher
from .errors import PlaybookError, did_you_mean
from .facts import Facts, compute_facts
from .firing import Firing
from .i18n import DEFAULT_LANGUAGE
from .playbook import Kinds, Playbook, Rule, load_playbook
from .ranking import DEFAULT_GIFT_CAP, Advice, rank
from .reference import evaluate_reference
from .snapshot import Snapshot

EngineName = Literal["durable", "reference"]


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
    """Load every playbook, collecting all problems; ``overrides`` set parameters by name."""
    overrides = dict(overrides or {})
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


class Advisor:
    """Playbooks compiled once; ``advise`` evaluates one snapshot and ranks the result."""

    def __init__(
        self,
        playbooks: Sequence[Playbook],
        actions: ActionCatalogue | None = None,
        gift_cap: float = DEFAULT_GIFT_CAP,
        engine: EngineName = "durable",
        enrichers: Sequence[Enricher] = (),
        caps: Mapping[str, int] | None = None,
        lang: str = DEFAULT_LANGUAGE,
        gift_caps: Mapping[str, float] | None = None,
    ) -> None:
        self.lang = lang
        self.gift_caps = dict(gift_caps or {})  # per currency, over gift_cap
        self.playbooks = {p.id: p for p in playbooks}
        self.actions = actions or ActionCatalogue()
        self.gift_cap = gift_cap
        self.enrichers = list(enrichers)
        self.caps = dict(caps) if caps is not None else combined_caps(playbooks)
        self.rules: list[Rule] = [rule for p in playbooks for rule in p.rules]
        self._durable = DurableEvaluator(self.rules) if engine == "durable" else None

    def evaluate(self, snapshot: Snapshot, as_of: dt.date | None = None) -> tuple[Facts, list[Firing]]:
        """The derived facts of a snapshot and the rules that fired on it (before ranking)."""
        if as_of is not None:
            snapshot = snapshot.model_copy(update={"as_of": as_of})
        facts = compute_facts(snapshot, self.enrichers)
        firings = self._durable.evaluate(facts) if self._durable else evaluate_reference(self.rules, facts)
        return facts, firings

    def rank(self, facts: Facts, firings: list[Firing]) -> Advice:
        """Recommendations from firings: vetoes, cooldowns, groups, caps, ranking."""
        cap = self.gift_caps.get(str(facts.account.get("currency")), self.gift_cap)
        return rank(firings, facts, self.playbooks, self.actions, cap, self.caps, self.lang)

    def advise(self, snapshot: Snapshot, as_of: dt.date | None = None) -> Advice:
        """Ranked recommendations for one account."""
        facts, firings = self.evaluate(snapshot, as_of)
        return self.rank(facts, firings)

    def close(self) -> None:
        """Free the compiled rules."""
        if self._durable is not None:
            self._durable.close()
