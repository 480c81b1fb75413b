"""``python -m kamengine``: the same as the ``kamengine`` command.

This folder is installed as the ``kamengine`` package itself (``package-dir`` in pyproject.toml): its
``__init__.py`` is the plugin author's face, ``toolkit.py`` their helpers. The engine, cli, plugins,
rules and service are subpackages from folders of their own, so no folder named ``kamengine/`` sits at
the root, where it would shadow the installed package whenever Python runs from the root (tests, a clone).
"""

from __future__ import annotations

from kamengine.cli import main

main(prog_name="kamengine")
