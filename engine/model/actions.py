"""The catalogue of action types: the ids of docs/recommendations.md and their defaults."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Compliance(StrEnum):
    """How compliance rules treat an action (methodology section 9, gift cap)."""

    NONE = "none"
    PRIVATE = "private"  # personal, private contact: never with a public official
    GIFT = "gift"  # never to a public official, never above the gift cap


@dataclass(frozen=True)
class ActionType:
    """One kind of action a recommendation can ask for."""

    id: str
    label: str
    cooldown_days: int | None  # no repeat on the same subject within this many days
    owner_role: str  # AR | SR | FR | AD: who acts unless the rule says otherwise
    compliance: Compliance = Compliance.NONE
    visit: bool = False  # a meeting in person that belongs in a calendar


def _builtin(*rows: tuple[str, str, int | None, str, Compliance, bool]) -> dict[str, ActionType]:
    return {row[0]: ActionType(*row) for row in rows}


_N, _P, _G = Compliance.NONE, Compliance.PRIVATE, Compliance.GIFT

# Cooldowns from methodology section 9 where it gives one; the rest are our defaults.
BUILTIN_ACTIONS: dict[str, ActionType] = _builtin(
    ("executive_visit", "Executive visit", 90, "AD", _N, True),
    ("exhibition_invite", "Exhibition invitation", 90, "AR", _N, False),
    ("hq_tour", "Headquarters tour", 90, "AR", _N, True),
    ("project_office_visit", "Project office visit", 30, "AR", _N, True),
    ("regular_office_visit", "Regular office visit", 30, "AR", _N, True),
    ("private_activity", "Private one-to-one activity", 60, "AR", _P, True),
    ("family_banquet", "Banquet with friends or family", 120, "AR", _P, True),
    ("home_visit", "Home visit", 180, "AR", _P, True),
    ("reference_site_visit", "Reference-site visit", 90, "SR", _N, True),
    ("onsite_meeting", "On-site meeting", 60, "SR", _N, True),
    ("technical_exchange", "Technical exchange", 60, "SR", _N, True),
    ("summit_dialogue", "Top-level dialogue", 180, "AD", _N, True),
    ("process_integration", "Process integration", 180, "FR", _N, False),
    ("joint_innovation", "Joint innovation", 180, "SR", _N, False),
    ("joint_brand_campaign", "Joint brand campaign", 180, "AD", _N, False),
    ("joint_csr", "Joint CSR activity", 180, "AD", _N, False),
    ("birthday_greeting", "Birthday greeting", 300, "AR", _N, False),
    ("festival_visit", "Festival visit", 30, "AR", _N, True),
    ("compliant_gift", "Compliant gift", 90, "AR", _G, False),
    ("team_activity", "Cultural or sports activity", 60, "AR", _N, True),
    ("rising_star_cultivation", "Rising-star cultivation", 90, "AR", _N, False),
    ("coach_development", "Coach development", 30, "AR", _N, False),
    ("executive_sponsor", "Executive sponsor", 90, "AD", _N, True),
    ("broaden_relationships", "Broaden relationships", 90, "AD", _N, False),
    ("staff_iron_triangle", "Staff the iron triangle", 90, "AD", _N, False),
    ("open_letter", "Open letter", 30, "AD", _N, False),
    ("key_resource_support", "Key-resource support", 30, "AR", _N, False),
    ("account_review", "Account review", 90, "AD", _N, False),
)


class ActionCatalogue:
    """The action types known to one run: the built-ins plus any plugin adds."""

    def __init__(self, types: Iterable[ActionType] | None = None) -> None:
        # Without a list, the built-ins; a plugin registry passes every registered type.
        chosen = BUILTIN_ACTIONS.values() if types is None else types
        self._types: dict[str, ActionType] = {action_type.id: action_type for action_type in chosen}

    def __contains__(self, action_id: object) -> bool:
        return action_id in self._types

    def __getitem__(self, action_id: str) -> ActionType:
        return self._types[action_id]

    def ids(self) -> list[str]:
        """Every known action id, sorted."""
        return sorted(self._types)
