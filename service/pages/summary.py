"""One account in a line of the portfolio: its tier, the three layers' health, its supporters and its open advice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from kamengine.engine.api.explain import Facts, compute_facts
from kamengine.engine.model.recommendation import Recommendation
from kamengine.engine.model.snapshot import Snapshot
from pydantic import BaseModel, ConfigDict, computed_field

Health = Literal["missing", "thin", "built", "empty"]
#: The account-level advice that says one person holds the account (the playbook's soil-single-point).
SINGLE_POINT_ACTION = "broaden_relationships"


class Layer(BaseModel):
    """One of the three layers of the house: how much of it stands, out of how much could."""

    model_config = ConfigDict(frozen=True)

    key: Literal["roof", "pillars", "foundation"]
    name: str  # organisational, key-person, general
    have: int
    of: int
    detail: str  # one line saying what was counted

    @computed_field  # type: ignore[prop-decorator]  # in the JSON an API lists, beside the counts
    @property
    def share(self) -> float | None:
        return self.have / self.of if self.of else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def health(self) -> Health:
        """``empty`` when there is nothing to build on; else none of it, under half, or half and more."""
        if not self.of:
            return "empty"
        if not self.have:
            return "missing"
        return "built" if self.have * 2 >= self.of else "thin"


class AccountSummary(BaseModel):
    """What the portfolio page shows of one account (and what ``GET /v1/accounts`` can list)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    tier: Literal["strategic", "key", "standard"]
    strategic_partner: bool
    as_of: dt.date
    contacts: int
    supporters: int
    supportive_share: float | None  # supporters (stance 1 and above) of all contacts
    layers: tuple[Layer, Layer, Layer]  # roof, pillars, foundation
    single_point_owner: str | None  # the team member holding most supportive relationships
    single_point_share: float | None  # ... and the share they hold
    single_point_flagged: bool  # an open recommendation says to broaden them
    live_deals: int
    open_recommendations: int


def account_summary(snapshot: Snapshot, recommendations: Sequence[Recommendation]) -> AccountSummary:
    """The summary of ``snapshot``; ``recommendations`` are its open advice (others' are ignored)."""
    return summary_from_facts(snapshot, compute_facts(snapshot), recommendations)


def summary_from_facts(snapshot: Snapshot, facts: Facts, recommendations: Sequence[Recommendation]) -> AccountSummary:
    """``account_summary`` from facts already computed (the account page computes them once)."""
    account = facts.account
    own = [r for r in recommendations if r.account_id == snapshot.account.id]
    return AccountSummary(
        id=snapshot.account.id,
        name=snapshot.account.name,
        tier=snapshot.account.tier,
        strategic_partner=snapshot.account.strategic_partner,
        as_of=snapshot.as_of,
        contacts=account["contact_count"],
        supporters=account["supporter_count"],
        supportive_share=account["supporter_count"] / account["contact_count"] if account["contact_count"] else None,
        layers=layers(account),
        single_point_owner=account["top_owner_name"] or account["top_owner"],
        single_point_share=account["top_owner_share"],
        single_point_flagged=any(r.action == SINGLE_POINT_ACTION and r.subject_kind == "account" for r in own),
        live_deals=account["live_deal_count"],
        open_recommendations=len(own),
    )


def layers(account: Mapping[str, Any]) -> tuple[Layer, Layer, Layer]:
    """Roof, pillars and foundation from the account's facts (the figures the layer rules test)."""
    org = [int(account[name]) for name in ("communication", "matching", "joint", "recognition")]
    deciders = int(account["count_role_A"]) + int(account["count_role_D"])
    working = int(account["working_contacts"])
    return (
        Layer(
            key="roof",
            name="organisational",
            have=sum(org),
            of=3 * len(org),
            detail="communication {}, matching {}, joint {}, recognition {} (0-3 each)".format(*org),
        ),
        Layer(
            key="pillars",
            name="key-person",
            have=int(account["decider_supporters"]),
            of=deciders,
            detail=f"{account['decider_supporters']} of {deciders} approvers and decision makers support us",
        ),
        Layer(
            key="foundation",
            name="general",
            have=int(account["working_supporters"]),
            of=working,
            detail=f"{account['working_supporters']} of {working} people at the working level support us",
        ),
    )
