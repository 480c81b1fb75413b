"""``kamengine tokens``: API tokens for ``kamengine serve`` — create (shown once), list, revoke."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .options import db_option, output_options
from .runtime import open_store

SCOPES = ("read", "act", "admin")  # kamengine.engine.store.tokens.SCOPES, without importing the engine for --help


if TYPE_CHECKING:
    from kamengine.engine.store.store import Store

    from .output import Output


def _store(path: str | None) -> Store:
    """The store, created if need be: a token may come before the first batch (serve fills the store too)."""
    from kamengine.engine.store.store import Store

    return Store(path)


@click.group()
def tokens() -> None:
    """API tokens for kamengine serve: read sees, act also decides, admin does everything."""


@tokens.command()
@click.option("--member", required=True, help="The team member the token speaks for (their id, e.g. u-ar).")
@click.option("--scope", type=click.Choice(SCOPES), default="read", show_default=True, help="What it may do.")
@db_option
def create(member: str, scope: str, db_path: str | None) -> None:
    """Make a token and print it once: the store keeps only its hash."""
    from kamengine.engine.store.tokens import create_token

    token_id, token = create_token(_store(db_path), member, scope)
    click.echo(token)
    click.echo(f"token {token_id} for {member} ({scope}); it is not shown again", err=True)


@tokens.command("list")
@db_option
@output_options()
def list_tokens(db_path: str | None, output: Output) -> None:
    """Every token's id, member, scope and dates (never the token)."""
    from kamengine.engine.store.tokens import list_tokens as listed

    rows = listed(open_store(db_path))
    display = [{**row, "state": f"revoked {row['revoked_at']}" if row["revoked_at"] else "live"} for row in rows]
    output.print(
        rows, ("id", "member", "scope", "created_at", "revoked_at"), display=display, empty="No tokens.",
        shown=("id", "member", "scope", "created_at", "state"), headers={"created_at": "created"},
    )  # fmt: skip


@tokens.command()
@click.argument("token_id")
@db_option
def revoke(token_id: str, db_path: str | None) -> None:
    """Revoke a token by its id (kamengine tokens list shows them); it stops working at once."""
    from kamengine.engine.store.tokens import revoke_token

    row = revoke_token(open_store(db_path), token_id)
    click.echo(f"token {row['id']} ({row['member']}) revoked {row['revoked_at']}")
