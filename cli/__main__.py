"""``python -m kamengine.cli``: the same as the ``kamengine`` command."""

from kamengine.cli import main

main(prog_name="kamengine")
