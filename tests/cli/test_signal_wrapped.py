"""Ctrl-C or SIGTERM that a library wraps in an error of its own (pydantic-core building a schema turns it into a
SchemaError) still ends the command in one line with the shell's code, not a traceback."""

from __future__ import annotations

import signal

import pytest
from click.testing import CliRunner
from kamengine.cli import main, runtime


def _signalled_inside_a_library(signum: int) -> None:
    try:
        signal.raise_signal(signum)  # the command's handler raises here, as it did inside pydantic-core
    except BaseException:
        raise RuntimeError('Error building "literal" validator: Interrupted') from None


@pytest.mark.parametrize(
    ("signum", "code", "said"), [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")]
)
def test_a_signal_a_library_wraps_ends_the_command_as_the_signal(
    monkeypatch: pytest.MonkeyPatch, signum: int, code: int, said: str
) -> None:
    monkeypatch.setattr(runtime, "say_engine_warnings", lambda: _signalled_inside_a_library(signum))
    result = CliRunner().invoke(main, ["advise", "examples/acme-telecom.yaml"])
    assert (result.exit_code, result.output.strip()) == (code, said)


def test_the_same_error_without_a_signal_is_not_taken_for_one(monkeypatch: pytest.MonkeyPatch) -> None:
    def fails() -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(runtime, "say_engine_warnings", fails)
    result = CliRunner().invoke(main, ["advise", "examples/acme-telecom.yaml"])
    assert isinstance(result.exception, RuntimeError)
