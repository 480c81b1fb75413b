"""Local receivers for the webhook's presets: an HTTP server on 127.0.0.1 that checks each body as its service would.

Each checker holds what the service documents for the request kamengine makes — required
fields, their types and limits — and answers 400 with the problems, as the services do, or 200.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Check = Callable[[Any], list[str]]


class Receiver:
    """A local HTTP server: each POST's body is checked by ``check``; 400 with the problems, else 200."""

    def __init__(
        self, check: Check, answer: Callable[[dict[str, str], bytes], tuple[int, bytes]] | None = None
    ) -> None:
        self.documents: list[Any] = []
        self.headers: list[dict[str, str]] = []
        self.problems: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.headers.append(headers)
                code, reply = answer(headers, body) if answer else (200, b"")
                if code == 200:
                    document = json.loads(body)
                    problems = check(document)
                    receiver.problems += problems
                    code, reply = (400, json.dumps(problems).encode()) if problems else (200, b'{"ok": true}')
                    if not problems:
                        receiver.documents.append(document)
                self.send_response(code)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _text(value: Any, where: str, limit: int, problems: list[str]) -> None:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: expected a non-empty string, found {value!r}")
    elif len(value) > limit:
        problems.append(f"{where}: at most {limit} characters, found {len(value)}")


def slack(document: Any) -> list[str]:
    """Slack incoming webhooks (Block Kit): text, or at most 50 blocks; header plain_text <= 150; section and
    context text <= 3000 characters; context at most 10 elements."""
    problems: list[str] = []
    if not isinstance(document, dict) or not set(document) <= {"text", "blocks", "attachments", "thread_ts", "mrkdwn"}:
        return [f"not a Slack message: {sorted(document) if isinstance(document, dict) else document!r}"]
    _text(document.get("text"), "text", 40_000, problems)
    blocks = document.get("blocks", [])
    if not isinstance(blocks, list) or len(blocks) > 50:
        return [*problems, "blocks: a list of at most 50 blocks"]
    for number, block in enumerate(blocks):
        kind = block.get("type")
        if kind == "header":
            if block["text"].get("type") != "plain_text":
                problems.append(f"blocks[{number}]: a header's text is plain_text")
            _text(block["text"].get("text"), f"blocks[{number}].text", 150, problems)
        elif kind == "section":
            if block["text"].get("type") not in ("mrkdwn", "plain_text"):
                problems.append(f"blocks[{number}].text.type: mrkdwn or plain_text")
            _text(block["text"].get("text"), f"blocks[{number}].text", 3000, problems)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                problems.append(f"blocks[{number}].elements: 1 to 10 elements")
            for element in elements or []:
                _text(element.get("text"), f"blocks[{number}].elements[].text", 3000, problems)
        elif kind != "divider":
            problems.append(f"blocks[{number}].type: unknown block {kind!r}")
    return problems


def _card_element(element: Any, where: str, problems: list[str]) -> int:
    """Check one Adaptive Card element; return how many recommendation containers it is (for counting)."""
    kind = element.get("type") if isinstance(element, dict) else None
    if kind == "TextBlock":
        _text(element.get("text"), f"{where}.text", 10_000, problems)
    elif kind == "FactSet":
        for fact in element.get("facts", []):
            if not (isinstance(fact.get("title"), str) and isinstance(fact.get("value"), str)):
                problems.append(f"{where}.facts: title and value are strings, found {fact!r}")
    elif kind == "Container":
        if not isinstance(element.get("items"), list):
            problems.append(f"{where}.items: a Container holds a list of items")
        for number, item in enumerate(element.get("items") or []):
            _card_element(item, f"{where}.items[{number}]", problems)
        return 1
    else:
        problems.append(f"{where}.type: not an Adaptive Card element: {kind!r}")
    return 0


def teams(document: Any) -> list[str]:
    """A Teams workflow webhook: a message whose attachments hold an Adaptive Card (type AdaptiveCard, a version,
    a body of elements), the whole under 28 KB."""
    problems: list[str] = []
    if document.get("type") != "message" or not isinstance(document.get("attachments"), list):
        return ["expected {type: message, attachments: [...]}"]
    if len(json.dumps(document).encode()) > 28_000:
        problems.append("the message is over 28 KB")
    for attachment in document["attachments"]:
        if attachment.get("contentType") != "application/vnd.microsoft.card.adaptive":
            problems.append(f"contentType: {attachment.get('contentType')!r}")
        card = attachment.get("content", {})
        if card.get("type") != "AdaptiveCard" or not re.fullmatch(r"\d+\.\d+", str(card.get("version"))):
            problems.append("content: type AdaptiveCard and a version such as 1.4")
        for number, element in enumerate(card.get("body", [])):
            _card_element(element, f"body[{number}]", problems)
    return problems


TASK_FIELDS = {
    "attributes",
    "Subject",
    "Description",
    "ActivityDate",
    "Status",
    "Priority",
    "OwnerId",
    "WhatId",
    "WhoId",
}


def salesforce_tasks(document: Any) -> list[str]:
    """sObject Collections create: allOrNone a boolean, 1-200 records, each with attributes.type and no Id; a Task's
    Subject <= 255, ActivityDate a date, Priority High/Normal/Low, reference fields strings."""
    problems: list[str] = []
    if not set(document) <= {"allOrNone", "records"} or not isinstance(document.get("allOrNone", False), bool):
        return [f"expected allOrNone (a boolean) and records, found {sorted(document)}"]
    records = document.get("records")
    if not isinstance(records, list) or not 1 <= len(records) <= 200:
        return ["records: 1 to 200 sObjects"]
    for number, record in enumerate(records):
        where = f"records[{number}]"
        if record.get("attributes", {}).get("type") != "Task" or "Id" in record:
            problems.append(f"{where}: attributes.type Task, and no Id on a create")
        if unknown := set(record) - TASK_FIELDS:
            problems.append(f"{where}: no such Task field {sorted(unknown)}")
        _text(record.get("Subject"), f"{where}.Subject", 255, problems)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(record.get("ActivityDate"))):
            problems.append(f"{where}.ActivityDate: a date YYYY-MM-DD")
        if record.get("Priority") not in ("High", "Normal", "Low"):
            problems.append(f"{where}.Priority: High, Normal or Low")
        for field in ("OwnerId", "WhatId", "WhoId", "Status", "Description"):
            if field in record and not isinstance(record[field], str):
                problems.append(f"{where}.{field}: a string")
    return problems


def hubspot_tasks(document: Any) -> list[str]:
    """Tasks batch create: 1-100 inputs; properties are strings, hs_timestamp required (ISO 8601), status, priority
    and type from HubSpot's options; each association to an id with a category and a numeric type id."""
    problems: list[str] = []
    inputs = document.get("inputs") if isinstance(document, dict) else None
    if not isinstance(inputs, list) or not 1 <= len(inputs) <= 100:
        return ["inputs: 1 to 100 objects"]
    options = {
        "hs_task_status": {"NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"},
        "hs_task_priority": {"NONE", "LOW", "MEDIUM", "HIGH"},
        "hs_task_type": {"EMAIL", "CALL", "TODO", "LINKED_IN", "LINKED_IN_CONNECT", "LINKED_IN_MESSAGE"},
    }
    for number, item in enumerate(inputs):
        where, properties = f"inputs[{number}]", item.get("properties", {})
        if not all(isinstance(value, str) for value in properties.values()):
            problems.append(f"{where}.properties: values are strings")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", str(properties.get("hs_timestamp"))):
            problems.append(f"{where}.properties.hs_timestamp: required, ISO 8601 UTC")
        for name, allowed in options.items():
            if name in properties and properties[name] not in allowed:
                problems.append(f"{where}.properties.{name}: one of {sorted(allowed)}")
        _text(properties.get("hs_task_subject"), f"{where}.properties.hs_task_subject", 65_536, problems)
        for association in item.get("associations", []):
            if not isinstance(association.get("to", {}).get("id"), str):
                problems.append(f"{where}.associations[].to.id: a string")
            for kind in association.get("types", []):
                category = kind.get("associationCategory")
                if category not in ("HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED"):
                    problems.append(f"{where}.associations[].types[].associationCategory: {category!r}")
                if not isinstance(kind.get("associationTypeId"), int):
                    problems.append(f"{where}.associations[].types[].associationTypeId: an integer")
    return problems
