"""The OpenAPI document made to tell the truth: every status an operation answers, as the problem details it sends."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kamengine.engine.model.snapshot import OTHER_ACTIVITY, Snapshot

from .models import ProblemDoc
from .problems import PROBLEM

#: What any operation may answer: the service's own failure, and a store it cannot use now (busy past its timeout,
#: full, read-only; the caps on concurrent requests answer it too, with Retry-After).
_ANY = {
    "500": "Internal error, please report it (problem type internal)",
    "503": "The store cannot be used now, or the service is at its limits: try again (Retry-After when known)",
}
#: What every /v1 operation may also answer (docs/serve.md, "Refusals" and "Errors").
_V1 = {
    "401": "No valid token (none, unknown, malformed or revoked): the same answer whichever it was",
    "403": "The token may not see or do this (or it does not exist: the same answer)",
    "413": "The body is over its limit ([limits] snapshot_mb for a snapshot, 64 KB for any other body)",
    "422": "The request is invalid: one error per field path (type invalid-request or invalid-snapshot)",
}
#: What one operation answers beyond those: admin's 404 for what does not exist, the lifecycle's 409, the media
#: types a body may come as.
_MORE = {
    ("get", "/v1/accounts/{account_id}"): {"404": "No such account in the store (admin; others get the 403)"},
    ("get", "/v1/recommendations/{rec_id}"): {"404": "No such recommendation (admin; others get the 403)"},
    ("post", "/v1/recommendations/{rec_id}/{verb}"): {
        "404": "No such recommendation (admin; others get the 403)",
        "409": "A change the lifecycle does not allow (done or dismissed advice changes only once reopened)",
        "415": "The body is not sent as application/json",
    },
    ("post", "/v1/advise"): {"415": "The snapshot is not sent as application/json or a YAML type"},
    ("put", "/v1/accounts/{account_id}/snapshot"): {
        "415": "The snapshot is not sent as application/json or a YAML type",
    },
}
#: What a client is told of a 401 and a 503 beyond the body.
_HEADERS = {
    "401": {"WWW-Authenticate": {"description": "Bearer", "required": True, "schema": {"type": "string"}}},
    "503": {"Retry-After": {"description": "seconds to wait, when known", "schema": {"type": "string"}}},
}
#: FastAPI's own 422 shape, which the service never sends (its 422s are problem details).
_FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")


def complete(document: dict[str, Any], action_ids: Iterable[str]) -> dict[str, Any]:
    """FastAPI's document with the snapshot's schema, the bearer tokens, and each error an operation can answer
    declared as the problem details it is sent as (FastAPI declares a 422 of its own shape as application/json)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    snapshot = Snapshot.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(snapshot.pop("$defs", {}))
    schemas["Snapshot"] = snapshot
    # An activity's type is one of the actions this service knows (its playbooks' and plugins'): the model says
    # "text", the loader refuses any other, so the document names them.
    schemas["Activity"]["properties"]["type"]["enum"] = sorted({*action_ids, OTHER_ACTIVITY})  # other: met
    problem = ProblemDoc.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    for name in _FASTAPI_ERRORS:
        schemas.pop(name, None)
    _security(document)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            statuses = {**_ANY, **(_V1 if path.startswith("/v1/") else {}), **_MORE.get((method, path), {})}
            responses = operation.setdefault("responses", {})
            for status, text in statuses.items():
                responses.setdefault(status, {"description": text})
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
                    if status == "422":  # FastAPI's words for its own 422, which the service never sends
                        response["description"] = statuses["422"]
                    if status in _HEADERS:
                        response["headers"] = _HEADERS[status]
    return document


def _security(document: dict[str, Any]) -> None:
    """The API's bearer tokens in the document (and ``?token=`` for calendars)."""
    schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["bearer"] = {"type": "http", "scheme": "bearer", "description": "a token from kamengine tokens create"}
    schemes["query"] = {"type": "apiKey", "in": "query", "name": "token", "description": "for calendar programs"}
    for path, operations in document.get("paths", {}).items():
        if path.startswith("/v1/"):
            for operation in operations.values():
                operation["security"] = [{"bearer": []}, *([{"query": []}] if path.endswith(".ics") else [])]
