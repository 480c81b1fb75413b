"""Built-in emitter ``webhook``: POST the recommendations as JSON, with retries and a signature.

The body is ``{"recommendations": [...]}``. When ``KAMENGINE_WEBHOOK_SECRET`` is set, the
request carries ``X-Kamengine-Signature: sha256=<HMAC-SHA256 of the body>`` so the receiver
can check it came from us; the secret itself is never sent, printed or logged.

Only the URL given is posted to: a redirect is a failed delivery, never followed (a
follow would take the credentials and the signature to another host, and turn the POST into
a GET that reports success). A delivery, every attempt and every wait together, ends within
``[limits] delivery_seconds``. Credentials in the URL (``https://user:password@host/``) are
used but never stored or printed: the store keeps ``https://***@host/``, and a later
``kamengine deliver`` takes them from ``KAMENGINE_WEBHOOK_AUTH`` (``user:password``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from typing import Any

from kamengine.engine.plugin import EmitContext, Emitter, Recommendation, hookimpl
from kamengine.engine.plugin.deadlines import DeadlineExceeded, in_thread
from kamengine.engine.plugin.secrets import REDACTED, redact

SECRET_ENV = "KAMENGINE_WEBHOOK_SECRET"
AUTH_ENV = "KAMENGINE_WEBHOOK_AUTH"


class _Refuse(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises the 3xx as an HTTPError


_OPENER = urllib.request.build_opener(_Refuse)


class WebhookEmitter(Emitter):
    PLUGIN_NAME = "webhook"
    DESCRIPTION = f"HTTP POST of JSON to the URL TARGET; retries with backoff; HMAC signature if {SECRET_ENV} is set"
    TARGET_REQUIRED = True
    TIMEOUT = 10.0  # seconds per attempt
    ATTEMPTS = 4
    BACKOFF = 0.5  # seconds before the second attempt, doubled after each failure

    def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
        assert self.target
        shown = redact(self.target)
        if urllib.parse.urlsplit(self.target).scheme not in ("http", "https"):
            raise ValueError(f"expected an http or https URL, found '{shown}'")
        body = json.dumps({"recommendations": [r.to_dict() for r in recommendations]}, ensure_ascii=False).encode()
        url, headers = _request(self.target, body)
        deadline = time.monotonic() + context.limits.delivery_seconds
        delay = self.BACKOFF
        for attempt in range(1, self.ATTEMPTS + 1):
            left = deadline - time.monotonic()
            timeout = min(self.TIMEOUT, left)
            try:
                error = in_thread(functools.partial(self._post, url, body, headers, timeout), left, "the POST")
            except DeadlineExceeded:
                error = False, f"no answer within {context.limits.delivery_seconds:g} s ([limits] delivery_seconds)"
            if error is None:
                tries = f" after {attempt} attempts" if attempt > 1 else ""
                return f"{len(recommendations)} recommendations posted to {shown}{tries}"
            retry, reason = error
            if not retry or attempt == self.ATTEMPTS or deadline - time.monotonic() < delay:
                raise RuntimeError(f"POST to {shown} failed after {attempt} attempt(s): {reason}")
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def _post(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[bool, str] | None:
        """None on success, else (worth retrying, reason)."""
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with _OPENER.open(request, timeout=max(timeout, 0.1)) as response:
                response.read()
            return None
        except urllib.error.HTTPError as exc:
            if 300 <= exc.code < 400:
                where = redact(exc.headers.get("Location", "elsewhere") if exc.headers else "elsewhere")
                return False, f"HTTP {exc.code}: redirected to {where}, not followed (kamengine posts only to its URL)"
            # Server errors and rate limits may pass; other client errors will not.
            return exc.code >= 500 or exc.code == 429, f"HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            return True, str(getattr(reason, "strerror", None) or reason).lower()


def _request(target: str, body: bytes) -> tuple[str, dict[str, str]]:
    """The URL to post to (without credentials) and the headers: authorization and signature."""
    headers = {"Content-Type": "application/json", "User-Agent": "kamengine"}
    parts = urllib.parse.urlsplit(target)
    url, credentials = target, None
    if "@" in parts.netloc:
        userinfo, host = parts.netloc.rsplit("@", 1)
        url, credentials = urllib.parse.urlunsplit(parts._replace(netloc=host)), urllib.parse.unquote(userinfo)
    if credentials == REDACTED:  # a delivery from the store: its credentials were not kept there
        credentials = os.environ.get(AUTH_ENV)
        if not credentials:
            raise RuntimeError(f"the credentials of {redact(target)} are not stored: set {AUTH_ENV}=user:password")
    if credentials:
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
    secret = os.environ.get(SECRET_ENV)
    if secret:
        headers["X-Kamengine-Signature"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return url, headers


@hookimpl
def kamengine_register_emitters() -> list[type[Emitter]]:
    return [WebhookEmitter]
