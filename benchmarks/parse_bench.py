"""Parse + validate per snapshot, each way one comes in: a JSON Lines line, a .json file, a request body, YAML.

Run: python benchmarks/parse_bench.py [--accounts N] [--contacts 30] [--way jsonl] [--rounds 5]
                                      [--against REF [--processes 5]]
Prints, for each size (default 10, 30 and 100 contacts), the median CPU ms per snapshot of: ``jsonl`` (a line as
the JSON Lines source, so a batch worker, reads it: ``snapshot_from_json``), ``json file`` and ``yaml file``
(``load_snapshot``, as ``advise FILE`` reads one, the file read included) and ``body`` (``parse`` then
``snapshot_from_document``, as the service reads a request body). The ways run interleaved, round by round over
the same snapshots (``--way``: only those named; YAML takes twenty times as long as the others).
``--against REF``: the same, run in REF's install and in this checkout's, as ``--processes`` fresh processes
each, interleaved (``against.py``); prints each figure for both and now / ref.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import against

WAYS = ("jsonl", "json file", "body", "yaml file")


def _ways(folder: Path) -> dict[str, Callable[[int, str], Any]]:
    """Each way in: a function of (index, JSON text) that validates the snapshot."""
    from kamengine.engine.errors import SnapshotError
    from kamengine.engine.model.actions import ActionCatalogue
    from kamengine.engine.model.documents import parse
    from kamengine.engine.model.loading import load_snapshot, snapshot_from_document, snapshot_from_json

    actions = ActionCatalogue()

    def from_file(suffix: str) -> Callable[[int, str], Any]:
        return lambda index, _: load_snapshot(str(folder / f"{index}{suffix}"), actions)

    return {
        "jsonl": lambda index, text: snapshot_from_json(text, f"portfolio.jsonl:{index + 1}", actions),
        "json file": from_file(".json"),
        "body": lambda _, text: snapshot_from_document(parse(text, "request", SnapshotError, aliases=False), actions),
        "yaml file": from_file(".yaml"),
    }


def _write(folder: Path, texts: list[str], yaml_too: bool) -> None:
    """Each snapshot as ``N.json`` (and ``N.yaml``) in ``folder``, for the ways that read a file."""
    import yaml

    for index, text in enumerate(texts):
        (folder / f"{index}.json").write_text(text, encoding="utf-8")
        if yaml_too:
            (folder / f"{index}.yaml").write_text(yaml.safe_dump(json.loads(text)), encoding="utf-8")


def run(args: argparse.Namespace) -> dict[str, float]:
    """Every size and way, interleaved; prints the table (unless ``--json``) and returns ``contacts/way`` in ms."""
    from portfolio import portfolio

    say = (lambda *a: None) if args.json else print
    say(f"CPU ms per snapshot (median of {args.rounds} rounds x {args.accounts} snapshots)")
    chosen = list(dict.fromkeys(args.way or WAYS))
    say(f"{'contacts':>8}" + "".join(f"  {way:>10}" for way in chosen))
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        ways = _ways(folder)
        for contacts in args.contacts or (10, 30, 100):
            texts = [json.dumps(snapshot) for snapshot in portfolio(args.accounts, contacts)]
            _write(folder, texts, "yaml file" in chosen)
            times: dict[str, list[float]] = {way: [] for way in chosen}
            for way in chosen:  # warm-up
                for index, text in enumerate(texts[:20]):
                    ways[way](index, text)
            for _ in range(args.rounds):
                for way in chosen:
                    for index, text in enumerate(texts):
                        began = time.process_time()
                        ways[way](index, text)
                        times[way].append(time.process_time() - began)
            for way in chosen:
                figures[f"{contacts}/{way}"] = statistics.median(times[way]) * 1000
            say(f"{contacts:>8}" + "".join(f"  {figures[f'{contacts}/{way}']:>10.3f}" for way in chosen))
    return figures


def main() -> None:
    """Parse the options; run here, or on both sides with ``--against``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200, help="snapshots per size (default 200)")
    parser.add_argument("--contacts", type=int, action="append", help="contacts per snapshot (default 10, 30, 100)")
    parser.add_argument("--way", action="append", choices=WAYS, help="ways to time (default: all)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds over the snapshots (default 5)")
    against.main(__file__, parser, run, processes=5)


if __name__ == "__main__":
    main()
