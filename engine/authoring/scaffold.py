"""``rules new``: a ``kamengine-NAME`` playbook package that installs and passes its own tests as generated."""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from ..errors import KamengineError, UsageError

NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "kamengine-__NAME__"
version = "0.1.0"
description = "kamengine playbook package: __NAME__"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["kamengine"]

[project.optional-dependencies]
# pip install -e '.[test]': what python -m pytest needs to run the playbook's cases.
test = ["pytest>=8"]

# kamengine loads every installed package with an entry point in this group.
[project.entry-points.kamengine]
__NAME__ = "__MODULE__.hooks"

[tool.setuptools]
packages = ["__MODULE__", "__MODULE__.playbooks"]

[tool.setuptools.package-data]
"__MODULE__.playbooks" = ["*.yaml"]

[tool.pytest.ini_options]
# kamengine's pytest plugin runs each case of these playbooks (their tests: section) as a
# test, and fails when a rule is fired by no case.
kamengine_playbooks = ["__MODULE__/playbooks"]
testpaths = ["tests"]
"""

_INIT = '''"""kamengine-__NAME__: the __NAME__ team's playbook, as a kamengine plugin."""
'''

_HOOKS = '''"""The plugin's hooks: kamengine finds them through the entry point in pyproject.toml."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from kamengine import hookimpl


@hookimpl
def kamengine_register_playbooks() -> list[Traversable]:
    return [resources.files("__MODULE__") / "playbooks"]
'''

_PLAYBOOK = """\
# The __NAME__ playbook: `kamengine rules test` runs its cases, `kamengine rules lint` checks it.
playbook: __NAME__
version: 1
description: The __NAME__ team's rules.
parameters:
  opposing_stance:
    default: -1
    description: the stance at which a person counts as opposing us

rules:
  - id: visit-opposing-decision-maker
    description: A decision maker opposes us.
    rationale: >-
      A decision maker against us can stop the deal on their own: find out why, in person,
      before a competitor makes it final.
    subject: contact
    priority: 80
    when:
      - role: D
      - stance: $opposing_stance
    actions:
      - action: regular_office_visit
        title: "Visit {name} ({title}), a decision maker who opposes us"
        due_in_days: 7

tests:
  - name: an opposing decision maker gets a visit; a supportive one does not
    snapshot:
      as_of: 2026-11-20
      account: {id: acct, name: ACME}
      team: [{id: u-ar, name: Li Wei, role: AR, level: middle}]
      contacts:
        - {id: c-against, name: Lena Fischer, title: Director of Operations, role: D, stance: -1, owner: u-ar}
        - {id: c-for, name: Tom Keller, title: Head of Procurement, role: D, stance: 2, owner: u-ar}
    expect:
      - {subject: c-against, action: regular_office_visit, rule: visit-opposing-decision-maker}
    forbid:
      - {subject: c-for, action: regular_office_visit, rule: visit-opposing-decision-maker}
"""

_TEST = '''"""kamengine-__NAME__ as kamengine sees it once installed (its playbook cases run from pyproject.toml)."""

from __future__ import annotations

from kamengine import Engine


def test_kamengine_loads_the_playbook_through_the_entry_point() -> None:
    registry = Engine().registry  # every installed plugin, as kamengine advise loads them
    assert any(plugin == "__NAME__" for plugin, _ in registry.playbook_sources)
'''

_README = """\
# kamengine-__NAME__

The __NAME__ team's playbook for [kamengine](https://pypi.org/project/kamengine/), as a
plugin: installed next to kamengine, its rules are evaluated with the built-in ones on every
`kamengine advise`, `plan` and `batch`.

```bash
pip install -e '.[test]'         # next to kamengine, which finds it through its entry point
kamengine plugins                # lists __NAME__
kamengine rules test __MODULE__/playbooks
python -m pytest                 # the same cases, and this package's own tests
```

Write rules in `__MODULE__/playbooks/__NAME__.yaml` (the rule language: kamengine's
docs/rules.md), and give each one a case in its `tests:` section: a rule no case fires
fails the tests.
"""


def scaffold(name: str, parent: Path, taken: Collection[str] = ()) -> Path:
    """Write ``parent/kamengine-NAME`` and return it; a bad name, a playbook id already ``taken`` (the
    package's playbook is named NAME) or an existing directory is an error."""
    if not NAME.match(name):
        raise UsageError(
            f"NAME '{name}': expected lower-case letters and digits, words joined by '-' (e.g. 'telecom-emea')"
        )
    if name in taken:  # two playbooks with one id cannot load together
        raise UsageError(f"NAME '{name}': a playbook with that id is already installed; choose another name")
    root = parent / f"kamengine-{name}"
    if root.exists():
        raise KamengineError(f"{root}: already exists; choose another name or directory")
    module = f"kamengine_{name.replace('-', '_')}"
    files = {
        "pyproject.toml": _PYPROJECT,
        "README.md": _README,
        f"{module}/__init__.py": _INIT,
        f"{module}/hooks.py": _HOOKS,
        f"{module}/playbooks/{name}.yaml": _PLAYBOOK,
        f"tests/test_{module}.py": _TEST,
    }
    try:
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text.replace("__NAME__", name).replace("__MODULE__", module), encoding="utf-8")
    except OSError as exc:
        raise KamengineError(f"{root}: cannot write ({exc.strerror})") from None
    return root
