"""A webhook's body from a Jinja2 template (sandboxed, every ``{{ }}`` a JSON value), and the bundled presets.

A receiver such as Slack, Teams or a CRM wants its own JSON shape, not kamengine's. A template
writes that shape; it sees plain dicts and lists only (the recommendations' JSON documents,
never Python objects), in Jinja2's sandbox. Escaping is JSON's: each ``{{ expression }}``
writes its value as a JSON literal — a string quoted and escaped, a number, ``null``, a list
— so no title, however it is spelled, can break the body or add a field to it. The rendered
text must parse as JSON, or the delivery fails naming the template and line.
"""

from __future__ import annotations

import json
import types
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamengine.plugins.delivery_settings import SETTINGS_BYTES, SettingsError

if TYPE_CHECKING:  # Jinja2 loads when a webhook's body is first made, not with every command's plugins (~50 ms)
    from jinja2.sandbox import ImmutableSandboxedEnvironment
from kamengine.toolkit import did_you_mean


@dataclass(frozen=True)
class Preset:
    """A bundled template and what its service allows in one request."""

    name: str
    chunk: int  # the most recommendations one request may carry (the service's documented limit, or its size)
    events: tuple[str, ...] | None  # the changes a nightly batch sends (None: new, changed and closed)
    what: str


PRESETS = {
    preset.name: preset
    for preset in (
        # Slack: at most 50 blocks a message; a header, then a divider and two blocks a recommendation: 1 + 3 * 16.
        Preset("slack", 16, None, "a Slack incoming webhook: text and Block Kit blocks"),
        # Teams: a message of about 28 KB at most; an Adaptive Card of 15 recommendations stays well under.
        Preset("teams", 15, None, "a Microsoft Teams workflow webhook: a message with an Adaptive Card"),
        # Salesforce sObject Collections: up to 200 records a request; a task is created once, then is the rep's.
        Preset(
            "salesforce-task", 200, ("new",), "Salesforce Task records, POST /services/data/vXX.X/composite/sobjects"
        ),
        # HubSpot batch create: up to 100 inputs a request.
        Preset("hubspot-task", 100, ("new",), "HubSpot tasks, POST /crm/v3/objects/tasks/batch/create"),
    )
}


def _json_value(value: Any) -> str:
    """What ``{{ value }}`` writes: the value as a JSON literal (the escaping a JSON body needs)."""
    import jinja2

    if isinstance(value, jinja2.Undefined):  # StrictUndefined raises here, naming what was missing
        str(value)
    return json.dumps(value, ensure_ascii=False)


def _slack_text(value: Any) -> str:
    """Text for Slack's mrkdwn: ``&``, ``<`` and ``>`` escaped, as Slack asks (``<`` starts a link or a mention)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(value: Any, length: int) -> str:
    """At most ``length`` characters, ending in ``…`` when cut (a service's field limit)."""
    text = "" if value is None else str(value)
    return text if len(text) <= length else text[: length - 1] + "…"


@cache
def _environment() -> ImmutableSandboxedEnvironment:
    """The one sandboxed environment every body template compiles in (made on first use)."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    # Immutable: a template reads the documents, it cannot change them for the next chunk or emitter.
    environment = ImmutableSandboxedEnvironment(
        autoescape=False,  # HTML escaping would corrupt JSON; _json_value escapes for JSON instead
        finalize=_json_value,
        undefined=jinja2.StrictUndefined,  # a misspelt field is an error, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(slack=_slack_text, cut=_cut)
    return environment


class BodyTemplate:
    """A compiled body template; ``render`` gives the bytes to post."""

    def __init__(self, source: str, name: str) -> None:
        import jinja2

        self.name = name
        environment = _environment()
        try:  # compiled under its name: a failure's traceback passes through a "file" of that name, at its line
            code = environment.compile(source, name=name, filename=name)
        except jinja2.TemplateSyntaxError as exc:
            raise SettingsError(f"template {name} line {exc.lineno}: {exc.message}") from None
        self.template = environment.template_class.from_code(environment, code, environment.make_globals(None))

    def render(self, context: dict[str, Any]) -> bytes:
        """The body for ``context`` (plain data), checked to be JSON; a failure names the template and its line."""
        try:
            text = self.template.render(context)
        except Exception as exc:  # UndefinedError, SecurityError, a filter given the wrong type: the template's fault
            raise RuntimeError(f"template {self.name}{_line(exc, self.name)}: {exc}") from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            hint = " (every {{ }} writes a JSON value: build a string inside it, {{ 'Hi ' ~ name }})"
            raise RuntimeError(f"template {self.name} gave a body that is not JSON: {exc}{hint}") from None
        return json.dumps(document, ensure_ascii=False).encode()


def _line(exc: BaseException, name: str) -> str:
    """`` line N`` of the template where ``exc`` arose, when its traceback passes through the template."""
    line = None
    traceback: types.TracebackType | None = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == name:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return f" line {line}" if line else ""


def preset_template(name: str, where: str) -> BodyTemplate:
    """The bundled template of a preset; an unknown name is an error listing the presets."""
    if name not in PRESETS:
        raise SettingsError(f"{where}: preset: unknown preset '{name}'{did_you_mean(name, PRESETS)}; "
                            f"expected one of {', '.join(PRESETS)}")  # fmt: skip
    source = (resources.files("kamengine.plugins") / "webhook_presets" / f"{name}.json.j2").read_text(encoding="utf-8")
    return BodyTemplate(source, f"preset {name}")


def file_template(path: Path, where: str) -> BodyTemplate:
    """A team's own template file."""
    try:
        if path.stat().st_size > SETTINGS_BYTES:
            raise SettingsError(f"{where}: template: {path} is over 1 MB")
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{where}: template: cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return BodyTemplate(source, str(path))
