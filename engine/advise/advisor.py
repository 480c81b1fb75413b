"""The advisor: playbooks compiled once, then snapshots advised on one by one (evaluate, rank, plan)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..evaluate.facts import Facts, compute_facts
from ..evaluate.firing import Firing
from ..evaluate.ranking import Advice
from ..evaluate.ranking import rank as rank_firings
from ..model.actions import ActionCatalogue
from ..model.config import DEFAULT_GIFT_CAP
from ..model.i18n import DEFAULT_LANGUAGE
from ..model.plan_settings import PlanSettings
from ..model.snapshot import Snapshot
from ..plan.planner import plan as plan_advice
from ..playbooks.loader import combined_caps
from ..playbooks.playbook import Playbook, Rule
from ..plugin.enrichers import Enricher
from .options import ENGINES, EngineName

if TYPE_CHECKING:
    from ..evaluate.compiled import CompiledEvaluator
    from ..evaluate.durable import DurableEvaluator

__all__ = ["ENGINES", "Advisor", "EngineName", "durable_available"]


def durable_available() -> bool:
    """Whether durable_rules is installed here (not on Python 3.13+), found without importing it."""
    door = "kamengine.engine.evaluate.durable"
    return importlib.util.find_spec(door) is not None and importlib.util.find_spec("durable_rules_engine") is not None


class Advisor:
    """Playbooks compiled once; ``advise`` evaluates one snapshot and ranks the result.

    The language is the rendering's, not the compiled rules': ``lang`` is the default, and each
    call of ``rank``, ``plan`` or ``advise`` may ask for another, so one advisor serves them all.
    """

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
        plan_settings: PlanSettings | None = None,
    ) -> None:
        self.lang = lang
        self.plan_settings = plan_settings or PlanSettings()
        self.gift_caps = dict(gift_caps or {})  # per currency, over gift_cap
        self.playbooks = {p.id: p for p in playbooks}
        self.actions = actions or ActionCatalogue()
        self.gift_cap = gift_cap
        self.enrichers = list(enrichers)
        self.caps = dict(caps) if caps is not None else combined_caps(playbooks)
        self.rules: list[Rule] = [rule for p in playbooks for rule in p.rules]
        self.held_back: dict[str, int] = {}  # account id -> approaches the per-account cap left out
        self._durable: DurableEvaluator | CompiledEvaluator | None = None
        if engine == "durable" and not durable_available():
            engine = "compiled"  # as prepare() does: durable_rules does not install on Python 3.13+
        if engine == "durable":
            from ..evaluate.durable import DurableEvaluator  # the durable door opens only when it is used

            self._durable = DurableEvaluator(self.rules)
        elif engine == "compiled":
            from ..evaluate.compiled import CompiledEvaluator  # each evaluator loads only when it is the run's

            self._durable = CompiledEvaluator(self.rules)

    def evaluate(self, snapshot: Snapshot, as_of: dt.date | None = None) -> tuple[Facts, list[Firing]]:
        """The derived facts of a snapshot and the rules that fired on it (before ranking)."""
        if as_of is not None:
            snapshot = snapshot.model_copy(update={"as_of": as_of})
        facts = compute_facts(snapshot, self.enrichers, self.actions)
        return facts, self.fire(facts)

    def fire(self, facts: Facts) -> list[Firing]:
        """The rules that fire on facts already derived (another advisor's, for the same snapshot)."""
        if self._durable:
            return self._durable.evaluate(facts)
        from ..evaluate.reference import evaluate_reference

        return evaluate_reference(self.rules, facts)

    def rank(self, facts: Facts, firings: list[Firing], lang: str | None = None) -> Advice:
        """What the rules recommend, before the plan: compliance, cooldowns, duplicates, exclusive groups;
        in ``lang`` (None: the advisor's language)."""
        cap = self.gift_caps.get(str(facts.account.get("currency")), self.gift_cap)
        return rank_firings(firings, facts, self.playbooks, self.actions, cap, lang or self.lang)

    def plan(self, facts: Facts, firings: list[Firing], lang: str | None = None) -> Advice:
        """The plan from firings: what the rules recommend, then owners, urgency, dates, approaches, caps;
        in ``lang`` (None: the advisor's language)."""
        said = lang or self.lang
        ranked = self.rank(facts, firings, said)
        return plan_advice(ranked, facts, self.actions, self.plan_settings, self.caps, said, self.held_back)

    def advise(self, snapshot: Snapshot, as_of: dt.date | None = None, lang: str | None = None) -> Advice:
        """Ranked recommendations for one account, in ``lang`` (None: the advisor's language)."""
        facts, firings = self.evaluate(snapshot, as_of)
        return self.plan(facts, firings, lang)

    def close(self) -> None:
        """Free the compiled rules."""
        if self._durable is not None:
            self._durable.close()
