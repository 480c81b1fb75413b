""" "My week": one person's planned approaches, day by day, each with its accept/done/dismiss/snooze buttons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from itertools import groupby

from kamengine.engine.model.recommendation import Owner
from kamengine.engine.plan.week import Item

from .environment import Nav, render
from .forms import ActionUrlFor, buttons


def render_my_week_page(
    owner: Owner | str,
    items: Sequence[Item],
    *,
    action_url_for: ActionUrlFor | None,
    week: str | None = None,
    today: dt.date | None = None,
    form_fields: Mapping[str, str] | None = None,
    nav: Nav = (),
    signed_in: str | None = None,
    starting: str | None = None,
    statuses: Mapping[str, str] | None = None,
    actionable: Collection[str] | None = None,
) -> str:
    """The plan's items for ``owner`` (a team member, or the words to call them by), grouped by week and day:
    ``week`` when they are one week's, ``starting`` (a week) when they run from it on. Without ``action_url_for``
    (a reader who may not decide), no buttons; ``actionable``: the recommendations the reader may decide on
    (None: all); ``statuses``: what people decided of them, shown with each."""
    person = f"{owner.name} ({owner.role})" if isinstance(owner, Owner) else owner
    ordered = sorted(items, key=lambda i: (i.week, i.day, -i.lead.priority, i.lead.id))
    weeks = [
        (name, [(day, list(on_day)) for day, on_day in groupby(in_week, key=lambda i: i.day)])
        for name, in_week in groupby(ordered, key=lambda i: i.week)
    ]
    ids = [rec.id for item in ordered for rec in (item.lead, *item.companions)]
    ids = [rec_id for rec_id in ids if actionable is None or rec_id in actionable]
    return render(
        "week.html",
        standalone=False,
        nav=nav,
        signed_in=signed_in,
        person=person,
        week=week,
        starting=starting,
        weeks=weeks,
        customer=sum(1 for i in ordered if i.customer_action),
        total=len(ordered),
        buttons=buttons(ids, action_url_for, form_fields, today or dt.date.today(), statuses),
    )
