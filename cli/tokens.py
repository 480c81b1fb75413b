"""``kamengine tokens``: API tokens for ``kamengine serve`` — create (shown once), list, revoke."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from .options import db_option, output_options

#: kamengine.engine.api.access.SCOPES, without importing the engine for --help.
SCOPES = ("read", "act", "admin", "metrics")


if TYPE_CHECKING:
    from kamengine.engine.api.stores import Store

    from .output import Output


def _store(path: str | None, must_exist: bool = True) -> Store:
    """The store ``--db`` names (else the default); ``create`` makes it if need be: a token may come before the
    first batch (serve fills the store too)."""
    from kamengine.engine.api.stores import open_store

    return open_store(path, must_exist=must_exist)


@click.group()
def tokens() -> None:
    """API tokens for kamengine serve: read sees, act also decides, admin does everything; metrics reads
    GET /metrics only (a monitoring system's scraper)."""


_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class Duration(click.ParamType[dt.timedelta]):
    """A length of time as people write it: ``90d``, ``12h``, ``4w``, ``30m``."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.timedelta:
        if isinstance(value, dt.timedelta):
            return value
        text = str(value).strip().lower()
        number, unit = text[:-1], text[-1:]
        if unit not in _UNITS or not number.isdigit() or int(number) == 0 or int(number) > 100_000:
            self.fail(f"{value!r} is not a length of time; expected a number and m, h, d or w (90d, 12h)", param, ctx)
        return dt.timedelta(seconds=int(number) * _UNITS[unit])


@tokens.command()
@click.option("--member", required=True, help="The team member the token speaks for (their id, e.g. u-ar).")
@click.option("--scope", type=click.Choice(SCOPES), default="read", show_default=True, help="What it may do.")
@click.option("--expires", type=Duration(), default=None, help="It stops working this long from now (90d, 12h).")
@click.option("--any-member", is_flag=True, help="Make it for a member no stored team has (yet).")
@db_option
def create(member: str, scope: str, expires: dt.timedelta | None, any_member: bool, db_path: str | None) -> None:
    """Make a token and print it once: the store keeps only its hash.

    A read or act token is for a member of a stored team (the command lists the known ids);
    an admin token may speak for a system, such as a CRM (--member crm); a metrics token
    is a monitoring system's (--member prometheus --scope metrics), not a team member's."""
    from kamengine.engine.api import Engine

    store = _store(db_path, must_exist=False)
    # A metrics token sees no account: its member names the scraper, which no team has.
    if not any_member and scope != "metrics" and not Engine.check_member(store, member, scope):
        click.echo(f"the store holds no team yet: the member id {member} is not checked", err=True)
    token_id, token = Engine.create_token(store, member, scope, expires_in=expires)
    click.echo(token)
    until = f", until {(dt.datetime.now(dt.UTC) + expires).isoformat(timespec='minutes')}" if expires else ""
    click.echo(f"token {token_id} for {member} ({scope}{until}); it is not shown again", err=True)


@tokens.command("list")
@db_option
@output_options()
def list_tokens(db_path: str | None, output: Output) -> None:
    """Every token's id, member, scope, dates and state: live (until its expiry), expired or revoked."""
    from kamengine.engine.api import Engine

    rows = Engine.list_tokens(_store(db_path))
    display = [{**row, "state": _state(row, Engine.token_expired(row["expires_at"]))} for row in rows]
    output.print(
        rows, ("id", "member", "scope", "created_at", "expires_at", "revoked_at"), display=display,
        empty="No tokens.", shown=("id", "member", "scope", "created_at", "state"), headers={"created_at": "created"},
    )  # fmt: skip


def _state(row: dict[str, Any], gone: bool) -> str:
    """What a token is now: revoked, expired, live until its expiry, or live."""
    if row["revoked_at"]:
        return f"revoked {row['revoked_at']}"
    if row["expires_at"]:
        return f"{'expired' if gone else 'live until'} {row['expires_at']}"
    return "live"


@tokens.command()
@click.argument("token_id")
@db_option
def revoke(token_id: str, db_path: str | None) -> None:
    """Revoke a token by its id (kamengine tokens list shows them); it stops working at once."""
    from kamengine.engine.api import Engine

    row = Engine.revoke_token(_store(db_path), token_id)
    click.echo(f"token {row['id']} ({row['member']}) revoked {row['revoked_at']}")
