"""Built-in emitter ``webhook``: POST the recommendations as JSON, with retries and a signature.

The body is ``{"recommendations": [...]}``. When ``KAMENGINE_WEBHOOK_SECRET`` is set, the
request carries ``X-Kamengine-Signature: sha256=<HMAC-SHA256 of the body>`` so the receiver
can check it came from us; the secret itself is never sent, printed or logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence

from kamengine.engine.plugin import EmitContext, Emitter, Recommendation, hookimpl

SECRET_ENV = "KAMENGINE_WEBHOOK_SECRET"


class WebhookEmitter(Emitter):
    PLUGIN_NAME = "webhook"
    DESCRIPTION = f"HTTP POST of JSON to the URL TARGET; retries with backoff; HMAC signature if {SECRET_ENV} is set"
    TARGET_REQUIRED = True
    TIMEOUT = 10.0  # seconds per attempt
    ATTEMPTS = 4
    BACKOFF = 0.5  # seconds before the second attempt, doubled after each failure

    def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
        assert self.target
        url = self.target
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"expected an http or https URL, found '{_redact(url)}'")
        body = json.dumps({"recommendations": [r.to_dict() for r in recommendations]}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "kamengine"}
        url, credentials = _split_credentials(url)
        if credentials:
            headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
        secret = os.environ.get(SECRET_ENV)
        if secret:
            digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Kamengine-Signature"] = f"sha256={digest}"
        delay = self.BACKOFF
        for attempt in range(1, self.ATTEMPTS + 1):
            error = self._post(url, body, headers)
            if error is None:
                tries = f" after {attempt} attempts" if attempt > 1 else ""
                return f"{len(recommendations)} recommendations posted to {_redact(self.target)}{tries}"
            retry, reason = error
            if not retry or attempt == self.ATTEMPTS:
                raise RuntimeError(f"POST to {_redact(self.target)} failed after {attempt} attempt(s): {reason}")
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[bool, str] | None:
        """None on success, else (worth retrying, reason)."""
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.TIMEOUT) as response:
                response.read()
            return None
        except urllib.error.HTTPError as exc:
            # Server errors and rate limits may pass; other client errors will not.
            return exc.code >= 500 or exc.code == 429, f"HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            return True, f"{type(exc).__name__}: {reason}"


def _split_credentials(url: str) -> tuple[str, str | None]:
    """``http://user:pw@host/x`` into ``http://host/x`` and ``user:pw`` (urllib rejects the former)."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, host = parts.netloc.rsplit("@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=host)), urllib.parse.unquote(userinfo)


def _redact(url: str) -> str:
    """The URL without any user:password part, for messages."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))


@hookimpl
def kamengine_register_emitters() -> list[type[Emitter]]:
    return [WebhookEmitter]
