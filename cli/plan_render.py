"""How ``kamengine plan`` shows a week: a table for a terminal, Markdown for a team meeting."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any


def _people(items: Sequence[Any]) -> list[tuple[str, list[Any]]]:
    ordered = sorted(items, key=lambda i: (i.owner_id is None, i.owner_name, i.day, -i.lead.priority))
    return [(name, list(group)) for name, group in groupby(ordered, key=_person)]


def _person(item: Any) -> str:
    owner = item.lead.owner
    return _shown(f"{owner.name} ({owner.role})") if owner else "Unassigned: the account has no team (sales management)"


def _approvals(item: Any) -> list[str]:
    """What compliance says of the occasion and what it carries, each once."""
    notes = [r.compliance for r in (item.lead, *item.companions) if r.compliance]
    return list(dict.fromkeys(notes))


def _flags(item: Any) -> str:
    flags = []
    if item.moved_from:
        flags.append(f"moved from {item.moved_from.isoformat()}: the week was full")
    if item.over_capacity:
        flags.append("over capacity: the director decides")
    return f" [{'; '.join(flags)}]" if flags else ""


def render_table(items: Sequence[Any], week: str) -> str:
    if not items:
        return f"Nothing planned for week {week}.\n"
    lines = []
    for person, theirs in _people(items):
        customer = sum(1 for i in theirs if i.customer_action)
        lines.append(f"{person} — week {week}: {customer} customer action(s), {len(theirs) - customer} of our own")
        for item in theirs:
            company = _shown(item.lead.account_name or item.lead.account_id)
            why = f"(priority {item.lead.priority:g}){_flags(item)}"
            lines.append(f"  {item.day.isoformat()}  {company}  {_shown(item.lead.title)}  {why}")
            lines.extend(f"              + {_shown(c.title)}" for c in item.companions)
            lines.extend(f"              ! {_shown(note)}" for note in _approvals(item))
        lines.append("")
    return "\n".join(lines)


def render_markdown(items: Sequence[Any], week: str) -> str:
    if not items:
        return f"Nothing planned for week {week}.\n"
    lines = []
    for person, theirs in _people(items):
        lines += [
            f"## {person} — week {week}",
            "",
            "| day | company | what | also | why first | compliance |",
            "|---|---|---|---|---|---|",
        ]
        for item in theirs:
            also = "<br>".join(_cell(c.title) for c in item.companions)
            why = f"{_cell(item.lead.rationale)} (priority {item.lead.priority:g}){_cell(_flags(item))}"
            company = item.lead.account_name or item.lead.account_id
            approvals = "<br>".join(_cell(note) for note in _approvals(item))
            cells = (item.day.isoformat(), _cell(company), _cell(item.lead.title), also, why, approvals)
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return _shown(" ".join(text.split())).replace("|", "\\|")


def _shown(text: str) -> str:
    """Data as a terminal shows it: control characters escaped, never acted on."""
    from kamengine.engine.plugin.emitters import printable

    return printable(text)
