"""What an evaluator returns: which rule fired for which subject, and the items that matched."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..playbooks.playbook import Rule
from .facts import Record


@dataclass(frozen=True)
class Firing:
    """A rule whose conditions held for one subject.

    ``matches`` maps a quantifier's index in the rule to the ids of the items that matched
    its ``where`` (the evidence for ``any``/``count``).
    """

    rule: Rule
    subject: Record
    matches: dict[int, tuple[str, ...]] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        """``(rule id, subject id)``: what two evaluators must agree on."""
        return self.rule.qualified_id, str(self.subject["id"])
