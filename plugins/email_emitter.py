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

import smtplib
import ssl
from collections.abc import Callable, Sequence
from typing import Any

from kamengine import Change, EmitContext, Emitter, Event, Outgoing, Recommendation, hookimpl
from kamengine.plugins.delivery_settings import SettingsError, Table, is_settings_target, read_table
from kamengine.plugins.email_digest import Addressbook, Digest, compose, gather, people

KEYS = frozenset({"host", "port", "sender", "username", "password", "starttls", "cafile", "addresses"})
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


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
        documents = [r.to_dict() for r in recommendations]  # a run with no store: everything is new to its people
        return self._send(lambda book: gather([("new", d) for d in documents], [("open", d) for d in documents], book))

    def emit_changes(self, outgoing: Outgoing, context: EmitContext) -> str:
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
        table = read_table(self.target or "", KEYS, "email")
        server = _Server(table)
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
    return people(change.recommendation.to_dict())


class _Server:
    """The SMTP server a settings table names, and the sending of digests to it."""

    def __init__(self, table: Table) -> None:
        self.where = table.where
        host, sender = table.text("host"), table.text("sender")
        if not host or not sender:
            raise SettingsError(f'{table.where}: host and sender are required, e.g. host = "smtp.example.com"')
        self.host, self.sender = host, table.expanded("sender", sender)
        self.port = table.number("port", 587)
        self.starttls = table.flag("starttls", True)
        if not self.starttls and host not in _LOOPBACK:
            raise SettingsError(
                f"{table.where}: starttls = false would send the mail and the password in clear: "
                "only for a relay on this machine (host = localhost)"
            )
        user, password = table.text("username"), table.text("password")
        self.username = table.expanded("username", user) if user else None
        self.password = table.expanded("password", password) if password else ""
        cafile = table.text("cafile")
        self.cafile = str(table.folder / cafile) if cafile else None

    def deliver(self, messages: list[tuple[Digest, Any]]) -> dict[str, str]:
        """Send each digest; return the addresses the server refused, with why. A connection, TLS or login
        failure raises: nothing was sent."""
        if not messages:
            return {}
        where = f"{self.host}:{self.port}"
        try:
            with smtplib.SMTP(self.host, self.port, timeout=EmailEmitter.TIMEOUT) as smtp:
                smtp.ehlo()
                if self.starttls:
                    if not smtp.has_extn("starttls"):
                        raise RuntimeError(f"{where} does not offer STARTTLS; kamengine sends no mail in clear")
                    smtp.starttls(context=ssl.create_default_context(cafile=self.cafile))
                    smtp.ehlo()
                if self.username:
                    smtp.login(self.username, self.password)
                return {digest.address: why for digest, message in messages if (why := _one(smtp, message))}
        except ssl.SSLError as exc:
            raise RuntimeError(f"{where}: TLS failed: {exc.reason or exc} (a private CA: set cafile)") from None
        except smtplib.SMTPAuthenticationError as exc:
            raise RuntimeError(f"{where} refused the login of {self.username}: {_said(exc)}") from None
        except smtplib.SMTPException as exc:
            raise RuntimeError(f"{where}: {_said(exc) or exc}") from None
        except OSError as exc:
            raise RuntimeError(f"cannot reach the mail server {where}: {exc.strerror or exc}") from None


def _one(smtp: smtplib.SMTP, message: Any) -> str | None:
    """Send one message; why the server refused it, or None."""
    try:
        smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        return "; ".join(f"{code} {text.decode(errors='replace')}" for code, text in exc.recipients.values())
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
        return _said(exc)
    return None


def _said(exc: smtplib.SMTPException) -> str:
    code, text = getattr(exc, "smtp_code", ""), getattr(exc, "smtp_error", b"")
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}".strip()


@hookimpl
def kamengine_register_emitters() -> list[type[Emitter]]:
    return [EmailEmitter]
