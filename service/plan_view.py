"""One page of the plan: one ISO week of one owner by default, filtered by account, action or overdue, paged."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kamengine.engine.api.week import Item, iso_week, monday

from .cursors import fingerprint, make_cursor, read_cursor
from .problems import Problem

ALL = "all"  # every week, or every owner the reader may see
#: An item's place in a page's order: owner (not in one person's week), day, most urgent first, id (``item_key``).
KEY_SHAPE = (str, str, int | float, str)


@dataclass(frozen=True)
class PlanFilters:
    """What a reader asked of the plan: whose (None: everyone they may see), which week (or ``all``), and the
    narrowing filters of the week page."""

    owner: str | None
    week: str
    account: str | None = None
    action: str | None = None
    overdue: bool = False

    def keeps(self, item: Item) -> bool:
        """The item is in the week and takes the time of the person asked (leading or attending), is of the account,
        has the action (lead or companion) and is overdue, when those were asked."""
        if self.week != ALL and item.week != self.week:
            return False
        if self.owner is not None and self.owner not in item.people:  # the meetings they lead and attend
            return False
        if self.account is not None and item.lead.account_id != self.account:
            return False
        if self.action is not None and self.action not in {r.action for r in (item.lead, *item.companions)}:
            return False
        return not self.overdue or item.overdue_since is not None

    def digest(self, reader: str) -> str:
        """What a cursor is tied to: the reader's token and every filter."""
        return fingerprint(reader, self.owner, self.week, self.account, self.action, self.overdue)


@dataclass(frozen=True)
class PlanPage:
    """The items of one page, how many the filters keep in all, and the cursor of the page after (None: the last)."""

    items: list[Item]
    total: int
    next_cursor: str | None


def shown_week(week: str | None, today: dt.date) -> str:
    """The week asked (``all`` included), this week when none was; a week that does not exist is a 422."""
    shown = week or iso_week(today)
    if shown != ALL:
        if not re.fullmatch(r"\d{4}-W\d{2}", shown):
            raise Problem(
                422, "invalid-request", "The request is invalid", f"week: expected 2026-W49 or all, found {shown!r}"
            )
        try:
            monday(shown)
        except (ValueError, IndexError):
            raise Problem(422, "invalid-request", "The request is invalid", f"week: no week {shown}") from None
    return shown


def sunday(week: str) -> dt.date:
    """The last day of an ISO week like 2026-W49."""
    return monday(week) + dt.timedelta(days=6)


def horizon_end(today: dt.date, weeks: int) -> dt.date:
    """The last day (a Sunday) of a plan of ``weeks`` ISO weeks from ``today``'s."""
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=weeks, days=-1)


def neighbour(week: str, weeks: int) -> str:
    """The ISO week ``weeks`` away from ``week`` (-1: the one before)."""
    return iso_week(monday(week) + dt.timedelta(weeks=weeks))


def item_key(item: Item, person: str | None = None) -> list[Any]:
    # One person's week reads day by day, what they lead and what they attend together (issue 22: a second
    # colleague attends the star's meetings); everyone's is grouped by owner.
    owner = "" if person is not None else item.owner_id or ""
    return [owner, item.day.isoformat(), -item.lead.priority, item.lead.id]


def page_of(items: Sequence[Item], filters: PlanFilters, reader: str, limit: int, cursor: str | None) -> PlanPage:
    """The items the filters keep, in page order, from after ``cursor`` (one this service gave for these filters
    and this reader: another is a 422), at most ``limit`` of them."""
    digest = filters.digest(reader)
    after = read_cursor(cursor, digest, KEY_SHAPE)
    kept = sorted((i for i in items if filters.keeps(i)), key=lambda i: item_key(i, filters.owner))
    rest = kept if after is None else [i for i in kept if item_key(i, filters.owner) > after]
    page = rest[:limit]
    following = make_cursor(digest, item_key(page[-1], filters.owner)) if len(rest) > limit else None
    return PlanPage(page, len(kept), following)


def cursor_after(filters: PlanFilters, reader: str, cursor: str | None) -> list[Any] | None:
    """The page order's key of the item a cursor continues after (None: the first page); one this service did not
    give for these filters and this reader is a 422."""
    return read_cursor(cursor, filters.digest(reader), KEY_SHAPE)


def page_by_owner(
    led: Iterable[Sequence[Item]], filters: PlanFilters, reader: str, limit: int, after: list[Any] | None
) -> PlanPage:
    """Everyone's page (``filters.owner`` None) made owner by owner: ``led`` gives each owner's led items, owners in
    page order from the cursor's (``after``); taken until one more than ``limit`` is kept after the cursor, so the
    page, its order and its cursor are ``page_of``'s over the whole plan. ``total`` is what was kept, not all."""
    found: list[Item] = []
    for items in led:
        kept = (i for i in items if filters.keeps(i) and (after is None or item_key(i) > after))
        found += sorted(kept, key=item_key)
        if len(found) > limit:
            break
    page = found[:limit]
    following = make_cursor(filters.digest(reader), item_key(page[-1])) if len(found) > limit else None
    return PlanPage(page, len(found), following)
