"""The one template environment of the pages: autoescaping, sandboxed, templates and styles from this package."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from .forms import segment

HERE = Path(__file__).resolve().parent  # an editable install in strict mode links each file from elsewhere
TEMPLATES = HERE / "templates"
#: The styles and any other file the served pages link under ``/static/``; the offline page inlines them.
STATIC_DIR = HERE / "static"
STYLESHEET = "kamengine.css"
#: The links in a served page's header, (label, address) each: the service's own routes.
Nav = Sequence[tuple[str, str]]


@cache
def environment() -> ImmutableSandboxedEnvironment:
    """Templates that escape every value and cannot reach private attributes or change the objects they show."""
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a misspelt name in a template fails its test, not silently blank
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = _day
    env.filters["percent"] = _percent
    env.filters["path"] = segment
    env.filters["money"] = _money
    return env


def render(template: str, *, standalone: bool, nav: Nav = (), signed_in: str | None = None, **context: Any) -> str:
    """A whole page; ``standalone`` puts the stylesheet inside it and drops ``nav``, else it links ``/static/``.
    ``signed_in``: who the reader is, shown in the header with a way to sign out."""
    css = Markup((STATIC_DIR / STYLESHEET).read_text(encoding="utf-8")) if standalone else None
    links = () if standalone else tuple(nav)
    who = None if standalone else signed_in
    page = environment().get_template(template)
    return page.render(standalone=standalone, inline_css=css, nav=links, signed_in=who, **context)


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else "-"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _money(value: float | None, currency: str) -> str:
    if value is None:
        return "-"
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix} {currency}"
    return f"{value:g} {currency}"
