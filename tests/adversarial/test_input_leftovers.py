"""The earlier review's input leftovers: each mistake is one line naming where, never a traceback or a silent loss."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result
from kamengine.cli import main
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"


def _kamengine(*args: str) -> Result:
    return CliRunner().invoke(main, ["--config", "/dev/null", *args])


def _one_error_line(result: Result) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.output
    return errors[0]


@pytest.mark.parametrize(
    "value,said",
    [
        ("[1", "not a YAML value: while parsing a flow sequence: expected ',' or ']'"),
        ("{a", "not a YAML value"),
        ('"unclosed', "not a YAML value: while scanning a quoted scalar"),
        ("@", "not a YAML value: while scanning for the next token"),
        ("!!python/object/apply:os.system [ls]", "could not determine a constructor for the tag"),
        ("a\n---\nb", "expected a single document in the stream"),
        ("!!timestamp 2026-99-99", "month must be in 1..12"),
        ("*a", "YAML aliases (*name) are not allowed in a --param value"),
        ("[&a [1, 1], *a]", "YAML aliases (*name) are not allowed in a --param value"),
        ("[" * 3000, "nested too deeply"),
        ("9" * 5000, "not a YAML value"),
        (".inf", "expected a finite number"),
        (".nan", "expected a finite number"),
    ],
)
def test_a_param_value_yaml_cannot_read_is_one_line(value: str, said: str) -> None:
    result = _kamengine("advise", str(EXAMPLE), "--param", f"single_point_share={value}")
    assert result.exit_code == 2
    line = _one_error_line(result)
    assert line.startswith("Error: Invalid value for '--param': single_point_share=")
    assert said in line
    assert len(line) < 250  # a value of thousands of characters is quoted briefly


def test_a_param_value_yaml_reads_still_works() -> None:
    """Flow lists are YAML, not JSON: [a, b] stays a list (the value is then checked against the parameter)."""
    result = _kamengine("advise", str(EXAMPLE), "--param", "single_point_share=[a, b]")
    assert "expected a number, like its default 0.7" in _one_error_line(result)
    assert _kamengine("advise", str(EXAMPLE), "--param", "single_point_share=0.5").exit_code == 0
