"""Standard Webhooks signatures: ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` (``v1,`` HMAC-SHA256).

The receiver checks that the body came from us (the HMAC of ``id.timestamp.body`` with the
shared secret) and that it is fresh (a timestamp within its tolerance, five minutes by the
specification's advice): a request captured on the way and sent again later is refused. The
id is the same on every attempt of one body (a receiver drops what it has seen); the
timestamp and signature are made anew for each attempt, so a retry after a long wait is not
taken for a replay. The secret is ``whsec_`` and base64, as the specification writes it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time

PREFIX = "whsec_"
#: How far a receiver lets a timestamp stray from its clock, the specification's advice.
TOLERANCE_SECONDS = 300


class SigningSecretError(ValueError):
    """A signing secret that is not ``whsec_`` followed by base64."""


def signing_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_…`` secret (its base64 decoded); anything else is an error saying what was expected."""
    if not secret.startswith(PREFIX):
        raise SigningSecretError("a Standard Webhooks signing secret starts with whsec_ (then base64)")
    try:
        key = base64.b64decode(secret[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise SigningSecretError("a Standard Webhooks signing secret is whsec_ then base64; the rest is not") from None
    if len(key) < 16:  # fewer bytes than that is a password, not a key
        raise SigningSecretError("a Standard Webhooks signing secret holds at least 16 bytes (24 base64 characters)")
    return key


def signature(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body``."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(key: bytes, message_id: str, body: bytes, now: float | None = None) -> dict[str, str]:
    """The three headers for one attempt at posting ``body``."""
    timestamp = int(time.time() if now is None else now)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(key, message_id, timestamp, body),
    }


def verify(key: bytes, headers: dict[str, str], body: bytes, now: float | None = None) -> str | None:
    """Why a receiver refuses a request (None: it is authentic and fresh): what a receiver does, for our tests and
    for anyone writing one."""
    message_id, stamp, signatures = (headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not (message_id and stamp and signatures):
        return "missing webhook-id, webhook-timestamp or webhook-signature"
    if not stamp.isdigit():
        return "webhook-timestamp is not whole seconds"
    if abs((time.time() if now is None else now) - int(stamp)) > TOLERANCE_SECONDS:
        return "webhook-timestamp outside the tolerance: a replay or a clock adrift"
    expected = signature(key, message_id, int(stamp), body)
    if not any(hmac.compare_digest(expected, given) for given in signatures.split()):
        return "no signature matches"
    return None
