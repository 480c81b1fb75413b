"""Built-in emitter ``email``: one digest per person over SMTP with STARTTLS, from a settings table.

``--emit email:FILE.toml#TABLE`` reads the mail server from the table (docs/delivery.md):
``host``, ``port`` (587), ``sender``, ``username`` and ``password`` (``${SMTP_PASSWORD}``),
``starttls`` (true; false only for a relay on this machine), ``cafile`` for a private CA, and
``addresses`` for people whose team entry has no ``email``. The connection is upgraded with
STARTTLS and the server's certificate verified before the login or any mail is sent: a
server that does not offer STARTTLS is refused. One person's refused address does not stop
the others' digests; it fails the delivery, naming the address, and a nightly batch sends the
changes of the people who had theirs only once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from kamengine import Change, EmitContext, Emitter, Event, Outgoing, Recommendation, hookimpl
from kamengine.plugins.delivery_settings import SettingsError, is_settings_target, read_table

if TYPE_CHECKING:  # the digests (email.message) and smtplib, ssl load when mail is sent, not with every command
    from kamengine.plugins.email_digest import Addressbook, Digest

KEYS = frozenset({"host", "port", "sender", "username", "password", "starttls", "cafile", "addresses"})


class EmailEmitter(Emitter):
    PLUGIN_NAME = "email"
    DESCRIPTION = (
        "FILE.toml#TABLE naming an SMTP server (host, port, sender, username, password): one digest per person "
        "of their changes and their week, over STARTTLS"
    )
    TARGET_REQUIRED = True
    TIMEOUT = 30.0  # seconds for each exchange with the server

    def __init__(self, target: str | None) -> None:
        super().__init__(target)
        if not is_settings_target(target):
            raise SettingsError(f"email:{target}: expected email:FILE.toml#TABLE, a settings table naming the server")
        read_table(target or "", KEYS, "email")  # a missing file or a misspelt key is told before a run

    def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
        from kamengine.plugins.email_digest import gather

        documents = [r.to_dict() for r in recommendations]  # a run with no store: everything is new to its people
        return self._send(lambda book: gather([("new", d) for d in documents], [("open", d) for d in documents], book))

    def emit_changes(self, outgoing: Outgoing, context: EmitContext) -> str:
        from kamengine.plugins.email_digest import gather

        if not outgoing.count:
            return "nothing changed since the last delivery; no digest sent"
        changes = list(outgoing.changes())

        def digests(book: Addressbook) -> list[Digest]:
            current = ((c.status, c.to_dict()) for c in outgoing.current() if c.event != Event.CLOSED)
            return gather(((c.event.value, c.to_dict()) for c in changes), current, book)

        return self._send(digests, changes, outgoing)

    def _send(
        self,
        digests: Callable[[Addressbook], list[Digest]],
        changes: Sequence[Change] = (),
        outgoing: Outgoing | None = None,
    ) -> str:
        from kamengine.plugins.email_digest import Addressbook, compose
        from kamengine.plugins.email_smtp import Server

        table = read_table(self.target or "", KEYS, "email")
        server = Server(table, self.TIMEOUT)
        book = Addressbook(table.strings("addresses"))
        made = digests(book)
        refused = server.deliver([(digest, compose(digest, server.sender)) for digest in made])
        if outgoing is not None:  # a change all of whose people have it is not sent again after a failure
            failed = {digest.person for digest in made if digest.address in refused}
            outgoing.acknowledge([c for c in changes if not failed & {p["id"] for p in _people(c)}])
        sent = len(made) - len(refused)
        summary = f"{sent} digest(s) sent via {server.host}:{server.port}"
        if book.unreachable:
            who = ", ".join(f"{name} ({person})" for person, name in sorted(book.unreachable.items()))
            summary += f"; no e-mail address for {who} (give their team entry an email, or [addresses])"
        if refused:
            why = "; ".join(f"{address}: {reason}" for address, reason in refused.items())
            raise RuntimeError(f"{summary}; refused: {why}")
        return summary


def _people(change: Change) -> list[dict[str, Any]]:
    from kamengine.plugins.email_digest import people

    return people(change.recommendation.to_dict())


@hookimpl
def kamengine_register_emitters() -> list[type[Emitter]]:
    return [EmailEmitter]
