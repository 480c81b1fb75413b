"""The account page: the layers at a glance, the power map as an org chart, a fishbone per live deal."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from kamengine.engine.api.explain import compute_facts
from kamengine.engine.model.recommendation import Recommendation
from kamengine.engine.model.snapshot import Opportunity, Snapshot

from .environment import Nav, render
from .fishbone import Fishbone, fishbone
from .forms import buttons, under
from .powermap import Advice, Card, Node, advice_line, cards, org_chart
from .summary import summary_from_facts


@dataclass(frozen=True)
class Step:
    """One step of the org chart as the template writes it, flat: a deep chart needs no recursion."""

    kind: str  # open_row close_row open_node close_node open_stack close_stack leaf
    card: Card | None = None


@dataclass(frozen=True)
class Line:
    """One row of the account's open advice: what, for whom, and the card to jump to."""

    advice: Advice
    subject: str  # the person's or the deal's name, or "the account"
    anchor: str | None  # the person's card on this page


@dataclass(frozen=True)
class Deal:
    """A live deal: its fishbone and the advice about it."""

    deal: Opportunity
    drawing: Fishbone
    advice: tuple[Advice, ...]


def render_account_page(
    snapshot: Snapshot,
    recommendations: Sequence[Recommendation],
    *,
    standalone: bool,
    actions_url: str | None = None,
    form_fields: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    nav: Nav = (),
    signed_in: str | None = None,
    actionable: Collection[str] | None = None,
    statuses: Mapping[str, str] | None = None,
) -> str:
    """The account page; see the package's documentation. ``actionable``: the recommendations the reader
    may decide on (None: all) — the others get no buttons; ``statuses``: what people decided of them."""
    facts = compute_facts(snapshot)
    own = sorted(
        (r for r in recommendations if r.account_id == snapshot.account.id), key=lambda r: (r.due, -r.priority, r.id)
    )
    by_id = cards(snapshot, facts.contacts, own)
    roots = org_chart(snapshot, by_id)
    live = [deal for deal in snapshot.opportunities if deal.live]
    live_ids = {deal.id for deal in live}
    deals = [
        Deal(
            deal,
            fishbone(deal, by_id),
            tuple(advice_line(r) for r in own if r.subject_kind == "opportunity" and r.subject_id == deal.id),
        )
        for deal in live
    ]
    owned = Counter(contact.owner for contact in snapshot.contacts)
    deal_names = {deal.id: deal.name for deal in snapshot.opportunities}
    url_for = None if standalone or actions_url is None else under(actions_url)  # the offline file has no forms
    decidable = [r.id for r in own if actionable is None or r.id in actionable]
    return render(
        "account.html",
        standalone=standalone,
        nav=nav,
        signed_in=signed_in,
        account=snapshot.account,
        as_of=snapshot.as_of,
        summary=summary_from_facts(snapshot, facts, own),
        chart=chart_steps([root for root in roots if root.reports]),
        loners=[root.card for root in roots if not root.reports],
        deals=deals,
        closed=[deal for deal in snapshot.opportunities if deal.id not in live_ids],
        advice=[_line(r, deal_names, by_id) for r in own],
        team=[(member, owned[member.id]) for member in snapshot.team],
        buttons=buttons(decidable, url_for, form_fields, today or dt.date.today(), statuses),
    )


def _line(rec: Recommendation, deals: Mapping[str, str], by_id: Mapping[str, Card]) -> Line:
    if rec.subject_kind == "contact" and rec.subject_id in by_id:
        card = by_id[rec.subject_id]
        return Line(advice_line(rec), card.name, card.anchor)
    if rec.subject_kind == "opportunity" and rec.subject_id in deals:
        return Line(advice_line(rec), deals[rec.subject_id], None)
    return Line(advice_line(rec), "the account" if rec.subject_kind == "account" else rec.subject_id, None)


def chart_steps(roots: Sequence[Node]) -> list[Step]:
    """The chart as open/close steps: each node's branches side by side, then its leaves in one stack."""
    steps: list[Step] = []
    todo: list[Step | Node] = [Step("close_row"), *reversed(roots), Step("open_row")]
    while todo:
        item = todo.pop()
        if isinstance(item, Step):
            steps.append(item)
            continue
        steps.append(Step("open_node", item.card))
        tail: list[Step | Node] = []
        if item.reports:
            tail += [Step("open_row"), *item.branches]
            if item.leaves:  # the stack is headed by whom they report to: stacked is not reporting to the one above
                leaves = [Step("leaf", leaf.card) for leaf in item.leaves]
                tail += [Step("open_stack", item.card), *leaves, Step("close_stack")]
            tail.append(Step("close_row"))
        tail.append(Step("close_node"))
        todo.extend(reversed(tail))
    return steps if roots else []
