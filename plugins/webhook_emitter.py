"""Built-in emitter ``webhook``: POST the recommendations as JSON in chunks, with retries and a signature.

Each body is ``{"recommendations": [...], "chunk": N, "chunks": M}``, at most ``[limits]
webhook_chunk`` recommendations; a nightly batch adds ``delivery`` and gives each
recommendation its ``event`` (new, changed, closed), ``status`` and ``version`` — the contract
for receivers is in docs/batch.md. Every request carries ``Idempotency-Key`` (a digest of its
body: a retried chunk has the same key). When ``KAMENGINE_WEBHOOK_SECRET`` is set, it carries
``X-Kamengine-Signature: sha256=<HMAC-SHA256 of the body>`` too; the secret itself is never
sent, printed or logged.

Only the URL given is posted to: a redirect is a failed delivery, never followed (a
follow would take the credentials and the signature to another host, and turn the POST into
a GET that reports success). A delivery, every chunk, attempt and wait together, ends within
``[limits] delivery_seconds``; a ``Retry-After`` (seconds or a date) is waited for when it
fits in that time. Credentials in the URL (``https://user:password@host/``) are used but
never stored or printed: the store keeps ``https://***@host/``, and a later ``kamengine
deliver`` takes them from ``KAMENGINE_WEBHOOK_AUTH`` (``user:password``).

``webhook:FILE.toml#TABLE`` takes the destination from a settings table instead (headers, a
body template or preset, Standard Webhooks signing: ``webhook_destination.py``, docs/delivery.md).
A refusal quotes the start of the receiver's answer (500 bytes, control characters escaped).
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import functools
import hashlib
import hmac
import json
import math
import os
import time
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from kamengine import Change, EmitContext, Emitter, Outgoing, Recommendation, hookimpl
from kamengine.plugins.delivery_settings import is_settings_target, read_table
from kamengine.toolkit import REDACTED, DeadlineExceeded, has_redacted_query, in_thread, pages, printable, redact

if TYPE_CHECKING:  # urllib.request (http.client, ssl) and the destination load when a webhook is used, not with
    import urllib.error  # every command's plugins
    import urllib.request

    from kamengine.plugins.webhook_destination import Destination

SECRET_ENV = "KAMENGINE_WEBHOOK_SECRET"
AUTH_ENV = "KAMENGINE_WEBHOOK_AUTH"

T = TypeVar("T")
Failure = tuple[bool, str, float | None]  # worth retrying, why, how long the server asked us to wait
ERROR_BODY_BYTES = 500  # of a refusal's answer, quoted in the message: enough for a service's reason


@functools.cache
def _opener() -> urllib.request.OpenerDirector:
    """The opener that posts: it follows no redirect (urllib then raises the 3xx as an HTTPError)."""
    import urllib.request

    class Refuse(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    return urllib.request.build_opener(Refuse)


class WebhookEmitter(Emitter):
    PLUGIN_NAME = "webhook"
    DESCRIPTION = (
        "HTTP POST of JSON to the URL TARGET (or FILE.toml#TABLE: headers, presets slack, teams, salesforce-task, "
        "hubspot-task, a template, Standard Webhooks signing), in chunks; retries, honours Retry-After"
    )
    TARGET_REQUIRED = True
    OWN_DEADLINE = "delivery_seconds"  # it ends a delivery itself, chunks acknowledged: not cut by hook_seconds
    TIMEOUT = 10.0  # seconds per attempt
    ATTEMPTS = 4  # per chunk
    BACKOFF = 0.5  # seconds before the second attempt, doubled after each failure

    def __init__(self, target: str | None) -> None:
        super().__init__(target)
        if is_settings_target(target):  # a missing file or a misspelt key is told before a run, not after it
            from kamengine.plugins.webhook_destination import KEYS

            read_table(target or "", KEYS, "webhook")

    def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
        where = _destination(self.target)
        if where.events is not None and not recommendations:  # a CRM refuses an empty batch of tasks
            return f"no recommendations; nothing posted to {where.shown}"
        size = where.chunk or context.limits.webhook_chunk
        chunks = [recommendations[i : i + size] for i in range(0, len(recommendations), size)] or [[]]
        return self._post_chunks(where, chunks, len(recommendations), {}, context, Recommendation.to_dict)

    def emit_changes(self, outgoing: Outgoing, context: EmitContext) -> str:
        where = _destination(self.target)
        if not outgoing.count:
            return f"nothing changed since the last delivery; nothing posted to {where.shown}"
        events = where.events
        count, acknowledge = outgoing.count, outgoing.acknowledge
        if events is not None:  # a CRM task is created once: changed and closed ones are the rep's from then on
            count = sum(1 for change in outgoing.changes() if change.event.value in events)
            if not count:
                return (
                    f"no {' or '.join(events)} recommendations since the last delivery; nothing posted to {where.shown}"
                )
        wanted = (c for c in outgoing.changes() if events is None or c.event.value in events)
        chunks = pages(wanted, where.chunk or context.limits.webhook_chunk)
        extra = {"delivery": outgoing.key}
        return self._post_chunks(where, chunks, count, extra, context, Change.to_dict, acknowledge, "changes")

    def _post_chunks(
        self,
        where: Destination,
        chunks: Iterable[Sequence[T]],
        count: int,
        extra: dict[str, Any],
        context: EmitContext,
        document: Callable[[T], dict[str, Any]],
        posted: Callable[[Sequence[T]], None] | None = None,
        what: str = "recommendations",
    ) -> str:
        """POST each chunk in turn, within one deadline for them all; ``posted`` hears of each that went through."""
        shown = where.shown
        if urllib.parse.urlsplit(where.url).scheme not in ("http", "https"):
            raise ValueError(f"expected an http or https URL, found '{shown}'")
        size = where.chunk or context.limits.webhook_chunk
        total = max(1, math.ceil(count / size))
        deadline = time.monotonic() + context.limits.delivery_seconds
        attempts = 0
        for number, chunk in enumerate(chunks, 1):
            items = [document(item) for item in chunk]
            fields = {**extra, "chunk": number, "chunks": total, "recommendations": items}
            if where.body is None:
                body = json.dumps(fields, ensure_ascii=False).encode()
            else:  # a template sees plain data only: the documents, the chunk's place, the delivery's id
                body = where.body.render({"delivery": None, **fields, "count": count})
            try:
                attempts += self._post_with_retries(where, body, deadline, context)
            except RuntimeError as exc:
                post = f"POST of chunk {number} of {total} to {shown}" if total > 1 else f"POST to {shown}"
                done = f"; chunks 1-{number - 1} went through" if number > 1 else ""
                raise RuntimeError(where.hide(f"{post} {exc}{done}")) from None
            if posted is not None:
                posted(chunk)
        tries = f" after {attempts} attempts" if attempts > total else ""
        in_chunks = f" in {total} chunks" if total > 1 else ""
        return f"{count} {what} posted to {shown}{in_chunks}{tries}"

    def _post_with_retries(self, where: Destination, body: bytes, deadline: float, context: EmitContext) -> int:
        """POST one body until it goes through (return the attempts it took); raise when it will not."""
        url, fixed = _request(where, body)
        delay = self.BACKOFF
        for attempt in range(1, self.ATTEMPTS + 1):
            left = deadline - time.monotonic()
            allowed = min(left, context.limits.attempt_seconds)  # one attempt, not the whole delivery's time
            until = time.monotonic() + allowed  # the attempt stops itself then too, not only our waiting for it
            headers = fixed
            if where.signing_key is not None:  # signed anew each attempt: a late retry is not taken for a replay
                message_id = "msg_" + fixed["Idempotency-Key"]
                from kamengine.plugins.webhook_signing import signed_headers

                headers = {**fixed, **signed_headers(where.signing_key, message_id, body)}
            post = functools.partial(self._post, url, body, headers, min(self.TIMEOUT, allowed), until)
            try:
                failure = in_thread(post, allowed, "the POST")
            except DeadlineExceeded:
                if allowed < left:  # this attempt's time is up, the delivery's is not: try again
                    limit = f"{allowed:g} s ([limits] attempt_seconds)"
                    failure = True, f"no whole answer within {limit}", None
                else:
                    seconds = context.limits.delivery_seconds
                    failure = False, f"no answer within {seconds:g} s ([limits] delivery_seconds)", None
            if failure is None:
                return attempt
            retry, reason, asked = failure
            wait = delay if asked is None else asked
            if retry and asked is not None and deadline - time.monotonic() < wait:
                reason += f"; asked to retry after {wait:g} s, past the delivery deadline ([limits] delivery_seconds)"
            if not retry or attempt == self.ATTEMPTS or deadline - time.monotonic() < wait:
                raise RuntimeError(f"failed after {attempt} attempt(s): {reason}")
            time.sleep(wait)
            delay *= 2
        raise AssertionError("unreachable")

    def _post(self, url: str, body: bytes, headers: dict[str, str], timeout: float, until: float) -> Failure | None:
        """None on success, else (worth retrying, reason, seconds the server asked us to wait). The answer is read
        as it comes, up to ``until``: a receiver that drips it does not keep a given-up attempt alive."""
        import urllib.error
        import urllib.request

        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with _opener().open(request, timeout=max(timeout, 0.1)) as response:
                while response.read1(65536):
                    if time.monotonic() > until:
                        return True, "the answer did not end in time", None
            return None
        except urllib.error.HTTPError as exc:
            if 300 <= exc.code < 400:
                where = redact(exc.headers.get("Location", "elsewhere") if exc.headers else "elsewhere")
                why = f"HTTP {exc.code}: redirected to {where}, not followed (kamengine posts only to its URL)"
                return False, why, None
            # Server errors and rate limits may pass; other client errors will not.
            asked = retry_after(exc.headers.get("Retry-After") if exc.headers else None)
            return exc.code >= 500 or exc.code == 429, f"HTTP {exc.code} {exc.reason}{_answer(exc)}", asked
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            return True, str(getattr(reason, "strerror", None) or reason).lower(), None


def _destination(target: str | None) -> Destination:
    """Where the webhook posts, from its TARGET (a URL, or a settings table)."""
    from kamengine.plugins.webhook_destination import destination

    return destination(target or "")


def retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """The seconds a ``Retry-After`` header asks for (a number of seconds, or an HTTP date); None without one."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # not a header we understand: our own backoff then
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def _answer(error: urllib.error.HTTPError) -> str:
    """``: the receiver said: …``, the start of a refusal's body (a service says there what it expected), or ''."""
    try:
        data = error.read(ERROR_BODY_BYTES + 1)
    except (OSError, ValueError):
        return ""
    text = printable(data[:ERROR_BODY_BYTES].decode("utf-8", "replace").strip())
    cut = "…" if len(data) > ERROR_BODY_BYTES else ""
    return f"; the receiver said: {text}{cut}" if text else ""


def _request(where: Destination, body: bytes) -> tuple[str, dict[str, str]]:
    """The URL to post to (without credentials) and the headers: the destination's, authorization, idempotency key
    and signature."""
    target = where.url
    headers = {"Content-Type": "application/json", "User-Agent": "kamengine", **where.headers}
    headers["Idempotency-Key"] = hashlib.sha256(body).hexdigest()[:32]
    parts = urllib.parse.urlsplit(target)
    url, credentials = target, None
    if "@" in parts.netloc:
        userinfo, host = parts.netloc.rsplit("@", 1)
        url, credentials = urllib.parse.urlunsplit(parts._replace(netloc=host)), urllib.parse.unquote(userinfo)
    if has_redacted_query(url):  # the store kept the URL without its secret: posting it would only be refused
        raise RuntimeError(
            f"the secret in the query of {redact(target)} is not stored: give the receiver the secret as "
            f"user:password@ (its password from {AUTH_ENV}) or as the signature's {SECRET_ENV}"
        )
    if credentials == REDACTED:  # a delivery from the store: its credentials were not kept there
        credentials = os.environ.get(AUTH_ENV)
        if not credentials:
            raise RuntimeError(f"the credentials of {redact(target)} are not stored: set {AUTH_ENV}=user:password")
    if credentials and not any(name.lower() == "authorization" for name in where.headers):
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
    secret = os.environ.get(SECRET_ENV)
    if secret:
        headers["X-Kamengine-Signature"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return url, headers


@hookimpl
def kamengine_register_emitters() -> list[type[Emitter]]:
    return [WebhookEmitter]
