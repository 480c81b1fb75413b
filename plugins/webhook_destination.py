"""Where a webhook posts and how: a URL, or a settings table with headers, a body template and a signing secret.

``--emit webhook:URL`` posts kamengine's own JSON to URL. ``--emit webhook:FILE.toml#TABLE``
reads the destination from a table of a settings file (docs/delivery.md): ``url``, ``headers``
(``Authorization = "Bearer ${CRM_TOKEN}"``), a ``preset`` or a ``template`` for the body,
``chunk`` and ``signing_secret`` (Standard Webhooks). Values may name environment variables
as ``${NAME}``; they are read when a delivery is made, and no header value, nor anything read
from the environment, is ever shown in a message: ``hide`` takes them out of any text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from kamengine.plugins.delivery_settings import SettingsError, Table, is_settings_target, read_table
from kamengine.plugins.webhook_body import PRESETS, BodyTemplate, Preset, file_template, preset_template
from kamengine.plugins.webhook_signing import SigningSecretError, signing_key
from kamengine.toolkit import REDACTED, redact

#: The Standard Webhooks secret (``whsec_…``) of a webhook given by its URL alone.
SIGNING_ENV = "KAMENGINE_WEBHOOK_SIGNING_SECRET"
KEYS = frozenset({"url", "preset", "template", "headers", "chunk", "signing_secret"})
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # an HTTP header name (RFC 9110 token)
#: Headers kamengine sets itself: one given in the table would contradict the request or its signature.
_OURS = frozenset({"host", "content-length", "idempotency-key", "webhook-id", "webhook-timestamp", "webhook-signature"})


@dataclass(frozen=True)
class Destination:
    """A webhook's URL, extra headers, body template, chunk size, events and signing key, ready to post."""

    url: str
    shown: str  # the URL for messages: as written in the file (its ${NAME}s) or redacted, never a secret
    headers: dict[str, str]
    secrets: tuple[str, ...] = ()  # every header value and environment value used: never in a message
    body: BodyTemplate | None = None  # None: kamengine's own JSON
    chunk: int | None = None  # None: [limits] webhook_chunk
    events: tuple[str, ...] | None = None  # the changes a nightly batch posts (None: all)
    signing_key: bytes | None = None

    def hide(self, text: str) -> str:
        """``text`` without any secret of this destination (a receiver may echo a header back in its error)."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            if len(secret) >= 4:  # a value that short would hide half the words of the message, and protects nothing
                text = text.replace(secret, REDACTED)
        return redact(text)


def destination(target: str) -> Destination:
    """The destination an emitter TARGET names; a settings error names the file, table and key."""
    if not is_settings_target(target):
        secret = os.environ.get(SIGNING_ENV)
        key = _key(secret, SIGNING_ENV) if secret else None
        return Destination(target, redact(target), {}, (secret,) if secret else (), signing_key=key)
    table = read_table(target, KEYS, "webhook")
    written = table.text("url")
    if not written:
        raise SettingsError(f'{table.where}: url: required, e.g. url = "https://hooks.example/kam"')
    url = table.expanded("url", written)
    secrets = _used(written, url)
    headers = _headers(table)
    secrets += headers.values()
    body, preset = _body(table)
    chunk = table.number("chunk", preset.chunk if preset else 0, 0, 10_000) or None
    signing = table.text("signing_secret")
    key = None
    if signing:
        expanded = table.expanded("signing_secret", signing)
        secrets.append(expanded)
        key = _key(expanded, f"{table.where}: signing_secret")
    shown = written if "${" in written else redact(written)
    events = preset.events if preset else None
    return Destination(url, shown, headers, tuple(secrets), body, chunk, events, key)


def _used(written: str, expanded: str) -> list[str]:
    """The environment's values a setting took in (``${NAME}``), to hide them from messages."""
    names = re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", written)
    return [os.environ[name] for name in names if os.environ.get(name)] if expanded != written else []


def _headers(table: Table) -> dict[str, str]:
    headers = {}
    for name, value in table.strings("headers").items():
        if not _TOKEN.match(name):
            raise SettingsError(f"{table.where}: headers: '{name}' is not a header name (letters, digits, - and _)")
        if name.lower() in _OURS:
            raise SettingsError(f"{table.where}: headers.{name}: kamengine sets this header itself")
        expanded = table.expanded(f"headers.{name}", value)
        if any(ord(c) < 32 or ord(c) == 127 for c in expanded):  # a line break would start another header
            raise SettingsError(f"{table.where}: headers.{name}: a header value holds no control characters")
        headers[name] = expanded
    return headers


def _body(table: Table) -> tuple[BodyTemplate | None, Preset | None]:
    preset_name, template = table.text("preset"), table.text("template")
    if preset_name and template:
        raise SettingsError(f"{table.where}: give a preset or a template, not both")
    if preset_name:
        return preset_template(preset_name, table.where), PRESETS[preset_name]
    if template:
        return file_template(table.folder / template, table.where), None
    return None, None


def _key(secret: str, where: str) -> bytes:
    try:
        return signing_key(secret)
    except SigningSecretError as exc:
        raise SettingsError(f"{where}: {exc}") from None
