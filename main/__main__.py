"""``python -m kamengine``: the same as the ``kamengine`` command.

This folder is installed as the ``kamengine`` namespace itself (``package-dir`` in pyproject.toml)
and holds nothing but this file: ``kamengine`` stays a namespace of engine, cli, plugins, rules
and service, and a folder named ``kamengine/`` at the root, which would shadow the installed
package whenever Python runs from the root (tests, a clone), is not needed.
"""

from __future__ import annotations

from kamengine.cli import main

main(prog_name="kamengine")
