"""Start fast: help, version and the reference evaluator never open the durable door; without durable, a notice."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from kamengine.cli import main
from support import REPO

EXAMPLE = str(REPO / "examples" / "acme-telecom.yaml")
CHECK = """
import sys
from kamengine.cli import main
try:
    main({args!r}, prog_name="kamengine")
except SystemExit as exit:
    assert not exit.code, exit.code
loaded = sorted(m for m in sys.modules if m.startswith(("durable", "kamengine.engine.evaluate.durable")))
assert not loaded, loaded
"""


@pytest.mark.parametrize(
    "args", [["--help"], ["--version"], ["advise", EXAMPLE, "--engine", "reference"], ["rules", "list"]], ids=" ".join
)
def test_durable_rules_is_not_imported(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-c", CHECK.format(args=args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_without_durable_rules_the_compiled_evaluator_evaluates_with_a_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "kamengine.engine.evaluate.durable", None)  # as on Python 3.13+
    result = CliRunner().invoke(main, ["advise", EXAMPLE, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "Notice: durable_rules does not run on this Python; evaluating with the compiled evaluator instead\n"
    )
    for engine in ("compiled", "reference"):
        other = CliRunner().invoke(main, ["advise", EXAMPLE, "-f", "json", "--engine", engine])
        assert result.stdout == other.stdout, engine
