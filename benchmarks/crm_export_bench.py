"""Rows/s of reading a Salesforce Data Export through ``--map salesforce`` (joins, value maps, ids, pruning).

Run: python benchmarks/crm_export_bench.py [--accounts N]
Writes a generated export of N accounts (10 contacts, 3 deals, 6 contact roles, 20 tasks, 5 events and
4 team members each, every id in its 18-character form, a tenth of the references in 15) into a temporary
folder and reads every account with the csv source; prints the time, rows/s and accounts/s.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

from kamengine.plugins.crm_values import salesforce_id
from kamengine.plugins.csv_source import CsvSource

STAGES = ("Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review", "Closed Won")
ROLES = ("Account Manager", "Pre-Sales Consultant", "Delivery Manager", "Executive Sponsor")
GROUPS = ("Decision Maker", "Economic Buyer", "Technical Buyer", "Evaluator", "Influencer", "Business User")


def _id(prefix: str, n: int) -> str:
    return salesforce_id(f"{prefix}Dn{n:010d}")


def write_export(folder: Path, accounts: int) -> int:
    """The export's files; the number of rows written."""
    tables: dict[str, tuple[list[str], list[list[str]]]] = {
        "Account": (["Id", "IsDeleted", "Name", "Industry", "KAM_Tier__c"], []),
        "Contact": (["Id", "IsDeleted", "AccountId", "FirstName", "LastName", "Title", "OwnerId", "Stance__c",
                     "Power_Role__c", "Description"], []),
        "Opportunity": (["Id", "IsDeleted", "AccountId", "Name", "StageName", "Amount", "CloseDate", "IsClosed",
                         "IsWon"], []),
        "OpportunityContactRole": (["Id", "OpportunityId", "ContactId", "Role", "IsDeleted"], []),
        "Task": (["Id", "WhoId", "WhatId", "AccountId", "OwnerId", "Type", "ActivityDate", "IsDeleted", "Status"], []),
        "Event": (["Id", "WhoId", "WhatId", "AccountId", "OwnerId", "Type", "ActivityDate", "IsDeleted"], []),
        "User": (["Id", "Name", "IsActive"], []),
        "AccountTeamMember": (["Id", "AccountId", "UserId", "TeamMemberRole", "IsDeleted"], []),
    }  # fmt: skip
    for u in range(4):
        tables["User"][1].append([_id("005", u), f"User {u}", "true"])
    for a in range(accounts):
        account = _id("001", a)
        tables["Account"][1].append([account, "false", f"Account {a}", "Energy", "Key"])
        contacts = [_id("003", a * 10 + c) for c in range(10)]
        for c, contact in enumerate(contacts):
            tables["Contact"][1].append([contact, "false", account, "Ana", f"Ruiz {c}", "Director", _id("005", c % 4),
                                         "Supporter", "Evaluator", "Met at a fair.\nLikes jazz."])  # fmt: skip
        deals = [_id("006", a * 3 + d) for d in range(3)]
        for d, deal in enumerate(deals):
            tables["Opportunity"][1].append([deal, "false", account, f"Deal {d}", STAGES[d], "120000.00", "2027-03-01",
                                             "false", "false"])  # fmt: skip
            for r in range(2):
                who = contacts[d * 2 + r]
                tables["OpportunityContactRole"][1].append(
                    [_id("00K", a * 6 + d * 2 + r), deal, who[:15] if r else who, GROUPS[d * 2 + r], "false"]
                )
        for t in range(20):
            task = _id("00T", a * 20 + t)
            tables["Task"][1].append([task, contacts[t % 10], deals[t % 3], account, _id("005", t % 4),
                                      "Call", f"2026-{t % 12 + 1:02d}-10", "false", "Completed"])  # fmt: skip
        for e in range(5):
            tables["Event"][1].append([_id("00U", a * 5 + e), contacts[e], account, account, _id("005", e % 4),
                                       "Meeting", "2026-10-01", "false"])  # fmt: skip
        for m in range(4):
            tables["AccountTeamMember"][1].append([_id("01M", a * 4 + m), account, _id("005", m), ROLES[m], "false"])
    rows = 0
    for name, (columns, body) in tables.items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, quoting=csv.QUOTE_ALL)
            writer.writerow(columns)
            writer.writerows(body)
        rows += len(body)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    accounts = parser.parse_args().accounts
    with tempfile.TemporaryDirectory() as folder:
        rows = write_export(Path(folder), accounts)
        source = CsvSource(folder)
        source.use_column_map("salesforce")
        start = time.perf_counter()
        records = list(source.records())
        took = time.perf_counter() - start
    failed = sum(record.error is not None for record in records)
    print(f"{accounts} accounts, {rows} rows: {took:.2f} s, {rows / took:,.0f} rows/s, "
          f"{accounts / took:,.0f} accounts/s, {failed} failed")  # fmt: skip


if __name__ == "__main__":
    main()
