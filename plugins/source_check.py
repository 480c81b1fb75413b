"""What reading whole sources gives, per file and per account, for ``kamengine sources check``."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from kamengine import Source, SourceRecord

from .crm_references import LEFT_OUT
from .tabular import LEFT_ROW


def check_sources(readers: Iterable[Source]) -> dict[str, Any]:
    """Every account of the sources read: ``files`` (rows read, skipped and why, left out, values the map
    lacked, encoding), ``accounts`` (what each holds), ``errors`` (one line each) and ``notices``."""
    files: list[dict[str, Any]] = []
    accounts: list[dict[str, Any]] = []
    errors: list[str] = []
    left: Counter[str] = Counter()  # account -> its rows left out
    for reader in readers:
        for record in reader.records():  # a location that cannot be read at all raises: one error
            if record.snapshot is not None:
                accounts.append(_account(record))
            elif record.error is not None:
                errors.extend(record.error.problems)
                whose = _whose(record.origin)
                if record.error.problems[-1].endswith(LEFT_ROW):  # a row left out: its account is read without it
                    left[whose] += 1
                elif whose:  # an account that cannot be advised
                    accounts.append(_failed(whose, record))
        files += _files(reader)
    notices = [notice for reader in readers for notice in reader.notices]
    for account in accounts:  # references the export did not hold, left out of this account
        marker = f"({account['name']}){LEFT_OUT}"
        account["detail"] += "".join(f"; {n.split(LEFT_OUT, 1)[1]}" for n in notices if marker in n)
        account["left_out"] = left.get(account["name"], 0) if account["read"] else ""
    return {"files": files, "accounts": accounts, "errors": errors, "notices": notices}


def _whose(origin: str) -> str:
    """The account an origin names (``Account.csv:2 (001...)``), or ""."""
    found = re.search(r" \(([^()]*)\)$", origin)
    return found.group(1) if found else ""


def _failed(account_id: str, record: SourceRecord) -> dict[str, Any]:
    problems = record.error.problems if record.error else []
    return {"kind": "account", "name": account_id, "read": "", "skipped": "", "left_out": "",
            "detail": f"not read: {len(problems)} error(s), the first: {problems[0] if problems else '?'}",
            "counts": {}, "origin": record.origin}  # fmt: skip


def _account(record: SourceRecord) -> dict[str, Any]:
    snapshot = record.snapshot
    assert snapshot is not None
    counts = {
        "contacts": len(snapshot.contacts),
        "deals": len(snapshot.opportunities),
        "decision roles": sum(len(g.members) for o in snapshot.opportunities for g in o.decision_groups),
        "activities": len(snapshot.activities),
        "team": len(snapshot.team),
    }
    others = sum(activity.type == "other" for activity in snapshot.activities)
    detail = f"{snapshot.account.name}; as of {snapshot.as_of}"
    detail += f"; {others} activit(y/ies) kept as 'other'" if others else ""
    read = ", ".join(f"{count} {what}" for what, count in counts.items())
    return {"kind": "account", "name": snapshot.account.id, "read": read, "skipped": "", "left_out": "",
            "detail": detail, "counts": counts, "origin": record.origin}  # fmt: skip


def _files(reader: Source) -> list[dict[str, Any]]:
    rows = []
    for path, report in getattr(reader, "file_reports", {}).items():
        unmapped: Counter[str] = Counter()
        for (column, value), count in report.unmapped.items():
            unmapped[f"{column} '{value}'"] += count
        listed = "; ".join(f"{what} ×{count}" for what, count in sorted(unmapped.items()))
        encoding = "utf-8" if report.encoding in ("utf-8-sig", "utf_8_sig") else report.encoding
        lookup = "" if report.table else "joined to rows (a lookup)"
        parts = (
            lookup,
            f"encoding {encoding}" if encoding else "",
            f"values not in the map: {listed}" if listed else "",
        )
        rows.append({
            "kind": "file", "name": path, "read": report.rows if report.table else report.looked_up,
            "skipped": "; ".join(f"{why} ×{count}" for why, count in report.skipped.most_common()),
            "left_out": len(report.dropped), "detail": "; ".join(part for part in parts if part),
            "skipped_count": sum(report.skipped.values()), "unmapped": dict(unmapped), "encoding": encoding,
        })  # fmt: skip
    return rows
