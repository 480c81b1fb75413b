""" "My week": one person's planned approaches of one ISO week, day by day, each with its accept/done/dismiss/snooze
buttons; links to the weeks before and after, filters (account, action, overdue) and the next page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from urllib.parse import urlencode

from kamengine.engine.api.week import Item
from kamengine.engine.model.recommendation import Owner

from .environment import Nav, render
from .forms import ActionUrlFor, buttons, segment


@dataclass(frozen=True)
class WeekFilters:
    """What the reader narrowed the week to (None / False: not narrowed)."""

    account: str | None = None
    action: str | None = None
    overdue: bool = False


@dataclass(frozen=True)
class WeekView:
    """Where a one-week page sits: its week and the weeks beside it, its filters and the choices they offer (the
    accounts and actions of the whole week), how many items the filters keep, and its page's place."""

    path: str  # the page's own address, without a query: /week/u-ad
    week: str
    previous: str
    following: str
    first_day: dt.date
    filters: WeekFilters = WeekFilters()
    accounts: Sequence[tuple[str, str]] = ()  # (id, company) of the week's items, for the filter
    actions: Sequence[str] = ()
    total: int = 0  # items the filters keep in the whole week, over every page
    next_cursor: str | None = None  # the cursor of the page after this one
    later_page: bool = False  # this page follows another (a cursor brought the reader here)
    person_id: str | None = None  # whose week: the meetings they attend say who leads them

    @property
    def last_day(self) -> dt.date:
        return self.first_day + dt.timedelta(days=6)

    def address(self, week: str | None = None, cursor: str | None = None, *, filtered: bool = True) -> str:
        """This page's address for ``week`` (default its own), keeping the filters unless ``filtered`` is False."""
        query: list[tuple[str, str]] = [("week", week or self.week)]
        if filtered:  # ids as in the filter's choices: percent-encoded, never raw text in an attribute
            chosen = (("account", self.filters.account), ("action", self.filters.action))
            query += [(name, segment(value)) for name, value in chosen if value]
            query += [("overdue", "1")] if self.filters.overdue else []
        query += [("cursor", cursor)] if cursor else []
        return f"{self.path}?{urlencode(query)}"


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
    view: WeekView | None = None,
) -> str:
    """The plan's items for ``owner`` (a team member, or the words to call them by), grouped by week and day:
    ``week`` when they are one week's, ``starting`` (a week) when they run from it on; ``view``: one page of one
    week, with its links and filters. Without ``action_url_for`` (a reader who may not decide), no buttons;
    ``actionable``: the recommendations the reader may decide on (None: all); ``statuses``: what people decided
    of them, shown with each."""
    person = f"{owner.name} ({owner.role})" if isinstance(owner, Owner) else owner
    person_id = owner.id if isinstance(owner, Owner) else view.person_id if view else None
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
        person_id=person_id,
        week=view.week if view else week,
        starting=starting,
        weeks=weeks,
        view=view,
        customer=sum(1 for i in ordered if i.customer_action),
        total=len(ordered),
        buttons=buttons(ids, action_url_for, form_fields, today or dt.date.today(), statuses),
    )
