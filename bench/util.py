"""Small helpers shared by the benchmark parts: statistics, timers, a private Redis, round-trip counting."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import redis
from redis.connection import Connection


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; values need not be sorted."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100.0 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def repeat(runs: int, fn: Callable[[int], dict]) -> list[dict]:
    """fn(run) for each run; each returns a dict of figures measured within that run."""
    return [fn(r) for r in range(runs)]


def medians(results: list[dict]) -> dict:
    """Median of every numeric key over the runs (ratios are computed per run first, then their median)."""
    keys = [k for k, v in results[0].items() if isinstance(v, int | float) and not isinstance(v, bool)]
    return {k: median([r[k] for r in results]) for k in keys}


class RoundTrips:
    """Counts client -> Redis round trips in this process: each send of a command or of a whole pipeline."""

    count = 0
    _patched = False

    @classmethod
    def install(cls) -> None:
        if cls._patched:
            return
        original = Connection.send_packed_command

        def counting(self, command, check_health=True):  # type: ignore[no-untyped-def]
            RoundTrips.count += 1
            return original(self, command, check_health)

        Connection.send_packed_command = counting  # type: ignore[method-assign]
        cls._patched = True


def used_memory(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def commandstats(client: redis.Redis) -> dict[str, dict]:
    return client.info("commandstats")


class Stopwatch:
    def __init__(self) -> None:
        self.t0 = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0


#: What the benchmark measures: a result is stale when one of these changed after the commit it records.
MEASURED_PATHS = ("dedupe/", "bench/", "app.py", "gunicorn.conf.py", "requirements.txt")


def git_state(root: Path) -> dict:
    """The commit the figures are measured on, and whether the measured code differed from it (dirty)."""
    import subprocess

    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return out.stdout.strip() if out.returncode == 0 else ""

    commit = git("rev-parse", "HEAD")
    changed = git("status", "--porcelain", "--", *MEASURED_PATHS)
    return {"commit": commit or None, "dirty": bool(changed), "dirty_files": changed.splitlines()[:20]}
