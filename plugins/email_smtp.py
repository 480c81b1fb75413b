"""The SMTP side of the ``email`` emitter: the server a settings table names, and the sending of digests to it."""

from __future__ import annotations

import smtplib
import ssl
from typing import Any

from kamengine.plugins.delivery_settings import SettingsError, Table
from kamengine.plugins.email_digest import Digest

_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


class Server:
    """The SMTP server a settings table names, and the sending of digests to it."""

    def __init__(self, table: Table, timeout: float) -> None:
        self.where, self.timeout = table.where, timeout
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
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
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
