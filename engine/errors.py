"""The error hierarchy: every user mistake becomes one of these, with a location."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

#: Control characters (and DEL and the C1 range), and the marks that reorder text on screen (bidi overrides):
#: in a table or a message they move the cursor, clear the screen, start a line or reverse what follows;
#: shown as ``\\n``, ``\\x1b``, ``\\u202e`` instead.
_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_CONTROLS.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
_CONTROLS.update({code: f"\\u{code:04x}" for code in (0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))})


def printable(text: str) -> str:
    """``text`` with every control character written as an escape, for a terminal or a Markdown table."""
    return text.translate(_CONTROLS)


def printable_lines(text: str) -> str:
    """``printable`` line by line: a message of several lines keeps its lines, and nothing else moves the cursor."""
    return "\n".join(printable(line) for line in text.split("\n"))


def brief(text: str, limit: int = 60) -> str:
    """``text`` as a message quotes what it found: whole when short, else its start and end and its length
    (a cell of 5,000 digits is not worth 5,000 characters of error)."""
    if len(text) <= limit:
        return text
    return f"{text[: limit // 2]}…{text[-10:]} ({len(text):,} characters)"


class KamengineError(Exception):
    """Root of every error kamengine reports to a user (never shown with a traceback)."""


class InputError(KamengineError):
    """A file a user gave (snapshot or playbook) is missing, unreadable or invalid.

    ``problems`` holds one line per problem, each naming file, line and field path.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = [printable(problem) for problem in problems]  # one line each, whatever the data held
        super().__init__("\n".join(self.problems))

    def __reduce__(self) -> tuple[type[InputError], tuple[list[str]]]:
        # Pickled to and from worker processes: rebuilt from its problems, not from the joined text.
        return type(self), (self.problems,)


class SnapshotError(InputError):
    """An account snapshot does not match the contract (docs/snapshot.md).

    ``paths`` holds, per problem, the field path it names (``None`` where it names none), for
    callers that answer with structured errors (the service's problem details).
    """

    def __init__(self, problems: Sequence[str], paths: Sequence[tuple[str | int, ...] | None] | None = None) -> None:
        super().__init__(problems)
        self.paths = list(paths) if paths is not None else [None] * len(self.problems)


class PlaybookError(InputError):
    """A playbook YAML file breaks the rule language (``docs/rules.md``)."""


class PluginError(KamengineError):
    """Plugins conflict (two register one name) or a plugin returned something unusable."""


class EvaluationError(KamengineError):
    """Evaluating one account failed inside the engine (an action raised, durable failed)."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def format_path(path: Sequence[str | int]) -> str:
    """Render a field path like ``contacts[2].stance``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def article(noun: str) -> str:
    """'a contact', 'an account', 'an opportunity'."""
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


class UsageError(KamengineError):
    """The caller asked for something that cannot be done as asked (a usage mistake: exit code 2)."""


class SpecError(UsageError):
    """A ``NAME:LOCATION`` source or ``NAME[:TARGET]`` emitter spec names nothing installed, or lacks its part."""


#: Exceptions whose message alone says nothing to a person (``KeyError: 'x'`` reads as ``'x'``): a bug's.
_BUG_CLASSES = (KeyError, IndexError, AttributeError, TypeError, NameError, AssertionError, RecursionError)


def plain(exc: BaseException, target: str | None = None) -> str:
    """An exception as a person reads it, without Python's class name: the file (``target`` when
    given: an emitter's, not its temporary file) and what went wrong; a bug keeps its class, for
    whoever fixes it."""
    if isinstance(exc, KamengineError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = target or exc.filename
        return f"{where}: {exc.strerror.lower()}" if where else exc.strerror.lower()
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position {exc.start})"
    text = str(exc)
    if isinstance(exc, _BUG_CLASSES) or not text:
        return f"internal error, please report it: {type(exc).__name__}" + (f": {text}" if text else "")
    return text
