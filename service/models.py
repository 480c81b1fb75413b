"""The API's request and response shapes, for the OpenAPI document (the snapshot's and the stored recommendation's
are the engine's own)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from kamengine.engine.api.documents import OpenDoc, OwnerDoc, RecommendationDoc, StoredRecommendation
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

Verb = Literal["accept", "done", "dismiss", "snooze", "reopen"]
Lang = Literal["en", "zh"]
#: Text the service reads as YYYY-MM-DD (recommendations.decide), declared a date so that a client is told the
#: shape (the page's forms send it as text, so the model keeps it text).
DateText = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]


class RecommendationPage(BaseModel):
    items: list[StoredRecommendation]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last")


class Decision(BaseModel):
    """A lifecycle decision by a person: ``until`` for a snooze, ``reason`` for a dismissal."""

    model_config = ConfigDict(extra="forbid")  # a misspelt "reson" is a 422, not a dismissal without its reason

    reason: str = Field(default="", description="why: a dismissal needs one")
    # The window, today to a year ahead, moves with the day: the description says it, no schema can.
    until: DateText | None = Field(
        default=None, description="YYYY-MM-DD, for snooze (needed there): today to a year ahead"
    )


class Refresh(BaseModel):
    """What ``PUT /v1/accounts/{id}/snapshot`` did: the run, its totals, the advice now live."""

    account_id: str
    run_id: str
    decision_id: str
    revision: str
    outcome: dict[str, int]
    recommendations: list[RecommendationDoc]
    #: Warnings of this refresh: its playbooks are not the last run's, advice of rules this server has not loaded
    #: was left as it was (not resolved).
    notices: list[str] = []


class AccountRow(OpenDoc):
    account_id: str
    account_name: str | None
    tier: str | None
    as_of: str | None
    received_at: str | None
    role: str | None = Field(description="the token's member's role on the team")
    live: int = Field(description="open, accepted and snoozed recommendations")


class AccountDetail(OpenDoc):
    account_id: str
    snapshot: dict[str, Any] | None
    power_map: dict[str, Any] | None
    live: list[StoredRecommendation]


class PlanItem(OpenDoc):
    owner: OwnerDoc | None
    attendees: list[OwnerDoc] = Field(default_factory=list, description="who goes along; their time counts too")
    week: str
    day: str
    moved_from: str | None
    moved_because: str | None = Field(None, description="why it left its due date's week, when it did")
    over_capacity: bool
    overdue_since: str | None = Field(None, description="its due date, when that was before today")
    lead: RecommendationDoc
    companions: list[RecommendationDoc]


class FieldProblem(BaseModel):
    path: str | None = Field(description="the field, as contacts[0].stance (null: the whole request)")
    message: str


class ProblemDoc(OpenDoc):
    """An error as RFC 7807 problem details (``application/problem+json``), as every error is sent."""

    type: str = Field(description="urn:kamengine:problem:KIND (invalid-snapshot, forbidden, conflict, store...)")
    title: str
    status: int
    detail: str = Field(description="one line: which file/line/field and what was expected")
    errors: list[FieldProblem] | None = Field(None, description="for a 422: one per field path")
