"""The field reference of docs/rules.md, generated from the fields rules can test (a test keeps the two equal)."""

from __future__ import annotations

from .fields import COLLECTIONS, KINDS


def markdown_reference() -> str:
    """The field reference of ``docs/rules.md``, generated so that it cannot drift."""
    lines: list[str] = []
    titles = {
        "contact": "contact (subject; also the items of an account's `contacts`)",
        "opportunity": "opportunity (subject; also the items of an account's `opportunities`)",
        "account": "account (subject; `account.<field>` from contact and opportunity rules)",
        "activity": "activity (items of `activities`)",
        "member": "member (items of an opportunity's `members`: every contact field, plus)",
        "deal": "deal (items of a contact's `deals`: every opportunity field, plus)",
        "team_member": "team_member (items of an account's `team`)",
    }
    inherited = {"member": KINDS["contact"], "deal": KINDS["opportunity"]}
    for kind, title in titles.items():
        lines += [f"### {title}", "", "| field | type | meaning |", "|---|---|---|"]
        for spec in KINDS[kind].values():
            if spec.name in inherited.get(kind, {}):
                continue
            choices = f" ({', '.join(map(str, spec.choices))})" if spec.choices else ""
            lines.append(f"| `{spec.name}` | {spec.type}{choices} | {spec.doc} |")
        lines.append("")
    lines += ["### collections", "", "| subject | collection | items | what |", "|---|---|---|---|"]
    for subject, collections in COLLECTIONS.items():
        for name, (item_kind, doc) in collections.items():
            lines.append(f"| {subject} | `{name}` | {item_kind} | {doc} |")
    return "\n".join(lines) + "\n"
