"""The reports' SQL: effectiveness and each rule's use aggregated in the store, so a report holds rows per action or
rule, not the store's tables (built from constants; every value is a parameter)."""

from __future__ import annotations

import sqlite3

from .statuses import Status

#: Each person's stance on a window's first night is looked up once and joined to every window that starts then:
#: kept as a table (SQLite 3.35 and later) rather than folded into the join, which asks again per window (5x slower).
_MATERIALIZED = "materialized " if sqlite3.sqlite_version_info >= (3, 35) else ""

# Each person's nights are their account's nights from their first recorded stance on, a stance standing until
# the next change (reports._nightly_history). For a person and a day: the last such night on or before it, and the
# stance then (the latest change on or before that night); their last night, and the stance then.
_NIGHT_BY = (
    "(select max(n.as_of) from stance_nights n where n.account_id = {who}.account_id and n.as_of >= {who}.first"
    " and n.as_of <= {day})"
)
_STANCE_ON = (
    "(select h.stance from stance_history h where h.account_id = {who}.account_id and h.contact_id = {who}.contact_id"
    " and h.as_of <= {night} order by h.as_of desc limit 1)"
)

#: Per action (or rule: ``{by}``), done on contacts from ?1 on: (key, treated, sum of their stance changes,
#: controls, sum of the controls' changes). A treated person is the first done advice of the key on them (by
#: priority, then id); their window runs from their last night on or before it was done to their last night,
#: which must come after. Each control is a person never treated by the key, present on the window's first and
#: last nights, at the treated person's stance on the first: counted once per treated person of that window.
EFFECTIVENESS = f"""
with treated as (
    select key, account_id, contact_id, done_on from (
        select r.{{by}} as key, r.account_id, r.subject_id as contact_id, substr(r.status_at, 1, 10) as done_on,
               row_number() over (partition by r.{{by}}, r.account_id, r.subject_id order by r.priority desc, r.id)
               as n
        from recommendations r
        where r.status = '{Status.DONE.value}' and r.subject_kind = 'contact' and substr(r.status_at, 1, 10) >= ?1
    ) where n = 1
), people as (
    select p.account_id, p.contact_id, p.first, p.last, {_STANCE_ON.format(who="p", night="p.last")} as now
    from (select q.account_id, q.contact_id, q.first,
                 (select max(n.as_of) from stance_nights n where n.account_id = q.account_id and n.as_of >= q.first)
                 as last
          from (select account_id, contact_id, min(as_of) as first from stance_history
                group by account_id, contact_id) q) p
), windows as (
    select t.key, p.account_id, p.contact_id, t.done_on, p.last, p.now,
           {_NIGHT_BY.format(who="p", day="t.done_on")} as start
    from treated t join people p on p.account_id = t.account_id and p.contact_id = t.contact_id
), measured as (
    select w.key, w.start, w.last as finish, {_STANCE_ON.format(who="w", night="w.start")} as before, w.now as after
    from windows w where w.start is not null and w.last > w.done_on
), windowed as (
    select key, start, finish, before, count(*) as times from measured group by key, start, finish, before
), nights as (  -- each person's night on or before each window's first night (looked up once per first night)
    select s.start, o.account_id, o.contact_id, o.last, o.now, {_NIGHT_BY.format(who="o", day="s.start")} as night
    from (select distinct start from windowed) s join people o on o.first <= s.start
), states as {_MATERIALIZED}(
    select start, account_id, contact_id, last, now, {_STANCE_ON.format(who="c", night="c.night")} as was
    from nights c where c.night is not null
), controls as (
    select g.key, g.times, c.now - c.was as moved
    from windowed g join states c on c.start = g.start and c.was = g.before and c.last >= g.finish
    where not exists (select 1 from treated t where t.key = g.key and t.account_id = c.account_id
                      and t.contact_id = c.contact_id)
)
select k.key, coalesce(m.treated, 0), coalesce(m.moved, 0), coalesce(c.controls, 0), coalesce(c.moved, 0)
from (select distinct key from treated) k
left join (select key, count(*) as treated, sum(after - before) as moved from measured group by key) m on m.key = k.key
left join (select key, sum(times) as controls, sum(times * moved) as moved from controls group by key) c
    on c.key = k.key
"""

#: Per rule, the recommendations first given from ?1 on (the window's cohort).
GIVEN = f"""
select r.rule, count(*) from status_history h join recommendations r on r.id = h.recommendation_id
where h.status = '{Status.OPEN.value}' and h.reason = 'new' and h.at >= ?1 group by r.rule
"""
# Each history entry of advice whose latest first giving up to the entry (its "new" entry) is from ?1 on.
_COHORT = f"""
select h.id, h.recommendation_id as rec, h.status, h.at, h.reason, r.rule, r.status as now_status, r.status_at,
       (select n.at from status_history n where n.recommendation_id = h.recommendation_id
        and n.status = '{Status.OPEN.value}' and n.reason = 'new' and n.id <= h.id order by n.id desc limit 1)
       as given_at
from status_history h join recommendations r on r.id = h.recommendation_id
"""
#: Per rule and decision: the recommendations of the cohort that reached it.
REACHED = f"select rule, status, count(distinct rec) from ({_COHORT}) where given_at >= ?1 group by rule, status"
#: Per rule and dismissal reason as written: how many, and the first entry's id (reasons merge as people write them).
REASONS = f"""
select rule, reason, count(*), min(id) from ({_COHORT})
where given_at >= ?1 and status = '{Status.DISMISSED.value}' group by rule, reason
"""
#: Per done entry of the cohort, by rule: when it was first given and when it was done (the recommendation's
#: ``status_at`` while it is still done, else the entry's time).
DONE = f"""
select rule, given_at,
       case when now_status = '{Status.DONE.value}' and coalesce(status_at, '') != '' then status_at else at end
from ({_COHORT}) where given_at >= ?1 and status = '{Status.DONE.value}' order by rule
"""

#: The latest finished run (``sqlite-utils``' ``rows_where`` order: started_at, newest first).
LATEST_RUN = "select id from runs where status = 'finished' order by started_at desc limit 1"
#: The accounts ?1 (a run) advised with success that have no recommendation it gave, in order.
UNADVISED = (
    "select account_id from run_accounts where run_id = ?1 and status = 'done'"
    " except select account_id from recommendations where last_run = ?1 order by 1"
)
