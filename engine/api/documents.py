"""The stored recommendation's JSON document, declared once: ``recs list/show --format json`` and the API give it.

The models describe the document (the service's OpenAPI schema is made of them); ``stored_document`` and
``shown_document`` make it of the store's rows, with the fields the models name.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..model.recommendation import Recommendation


class OpenDoc(BaseModel):
    """A document that may carry fields besides those declared (a plugin's, a later version's)."""

    model_config = ConfigDict(extra="allow")


# A model's docstring is its description in the service's OpenAPI document: the models without one had none
# there, and what clients are told must not change with where the models live.


class OwnerDoc(BaseModel):
    id: str
    name: str
    role: str


class SubjectDoc(BaseModel):
    kind: Literal["account", "contact", "opportunity"]
    id: str


class RecommendationDoc(OpenDoc):
    """A recommendation as ``kamengine advise --format json`` gives it (docs/recommendations.md)."""

    id: str
    account_id: str
    action: str
    subject: SubjectDoc
    title: str
    rationale: str
    rule: str
    priority: float
    due: str
    owner_role: str
    evidence: dict[str, Any]
    body: str | None = None
    owner: OwnerDoc | None
    approach: str | None
    opportunity_id: str | None
    compliance: str | None
    account_name: str | None
    explanation: list[str] | None = Field(None, description="with ?explain=1: the conditions that held")


class StoredRecommendation(RecommendationDoc):
    """A recommendation of the store, with where it stands."""

    status: str
    status_by: str | None
    status_at: str | None
    status_reason: str | None
    snoozed_until: str | None
    first_run: str | None
    last_run: str | None
    as_of: str | None


class HistoryEntry(OpenDoc):
    status: str
    by: str | None
    at: str
    reason: str | None
    run_id: str | None


class StoredWithHistory(StoredRecommendation):
    history: list[HistoryEntry]


#: What a stored recommendation adds to its advice's document: where it stands (``StoredRecommendation``'s own fields).
LIFECYCLE = tuple(name for name in StoredRecommendation.model_fields if name not in RecommendationDoc.model_fields)
#: What each entry of its ``history`` tells.
HISTORY = tuple(HistoryEntry.model_fields)


def lifecycle(row: dict[str, Any]) -> dict[str, Any]:
    """Where a stored recommendation (the store's row) stands: its ``LIFECYCLE`` fields."""
    return {key: row[key] for key in LIFECYCLE}


def stored_document(row: dict[str, Any]) -> dict[str, Any]:
    """A stored recommendation's document (``StoredRecommendation``): as ``advise`` gives it, with where it stands."""
    return {**Recommendation.from_row(row).to_dict(), **lifecycle(row)}


def shown_document(row: dict[str, Any], history: list[dict[str, Any]]) -> dict[str, Any]:
    """One stored recommendation with its history, oldest first (``StoredWithHistory``)."""
    return {**stored_document(row), "history": [{key: entry[key] for key in HISTORY} for entry in history]}
