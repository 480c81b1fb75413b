"""Helpers for tests that start `dask scheduler` and `dask worker` as processes of their own."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path


def read_scheduler_address(scheduler_file: Path, scheduler: subprocess.Popen[bytes]) -> str:
    """The address the scheduler wrote to ``--scheduler-file`` once it listens (up to 90 s)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if scheduler.poll() is not None:
            raise AssertionError(f"dask scheduler exited with {scheduler.returncode}")
        try:
            return str(json.loads(scheduler_file.read_text(encoding="utf-8"))["address"])
        except (OSError, ValueError, KeyError):  # not written yet, or written half
            time.sleep(0.2)
    raise AssertionError("dask scheduler did not start in 90 s")


def stop_processes(processes: Sequence[subprocess.Popen[bytes]]) -> None:
    """Workers before the scheduler, each given 20 s to stop before it is killed."""
    for process in reversed(processes):
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
