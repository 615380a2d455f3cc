"""Helpers of the reliability suite: synthetic stories, verification, polling with a deadline."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import redis

from tests.helpers import index_problems, read_record

from .harness import NAMESPACE, PREFIX, ROOT

_WORDS = str.split(
    "minister talks border troops city council election court police storm flood market shares bank rate "
    "report officials said thursday monday week year country government president army rebels village "
    "hospital school water power prices trade deal summit leaders agreement vote parliament opposition "
    "protest crowd capital region coast river mountain train airport port ship fire rescue workers union"
)


def story(seed: int, paragraphs: int = 6) -> str:
    """A synthetic story of about 40 words a paragraph: different seeds share no 5-word shingle in practice."""
    rng = random.Random(seed)
    paras = []
    for _ in range(paragraphs):
        words = [rng.choice(_WORDS) for _ in range(40)]
        words[0] = words[0].capitalize()
        paras.append(" ".join(words) + f" {seed}.")
    return "\n\n".join(paras)


def copy_of(text: str, outlet: str) -> str:
    """A syndicated copy: the story inside an outlet's wrapping."""
    return f"{outlet} News\n\n{text}\n\nSource link\n\n© {outlet} 2026. All rights reserved."


def verify_cli(redis_url: str, namespace: str = NAMESPACE, timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m dedupe verify` against the index, as an operator would run it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEDUPE_")}
    env.update(REDIS_URL=redis_url, DEDUPE_NAMESPACE=namespace)
    return subprocess.run(
        [sys.executable, "-m", "dedupe", "verify"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def assert_consistent(redis_url: str, client: redis.Redis, prefix: str = PREFIX, timeout: float = 60) -> None:
    """Both checks: the project's `verify` command (exit 0) and the tests' own reading of the key layout."""
    done = verify_cli(redis_url, timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert index_problems(client, prefix) == []


def wait_for(predicate: Callable[[], Any], timeout: float, interval: float = 0.05) -> tuple[Any, float]:
    """Poll until predicate() is truthy; (its value, seconds taken). Raises AssertionError at the deadline."""
    started = time.monotonic()
    while True:
        try:
            value = predicate()
        except Exception:  # a connection refused while the server comes back counts as "not yet"
            value = None
        if value:
            return value, time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def logical_state(client: redis.Redis, prefix: str = PREFIX) -> dict:
    """The index as a reader sees it, free of internal numbers and random story ids.

    {"articles": {id: (sig, size, ts, title, url, outlet, pub)}, "stories": frozenset of frozensets of ids}
    """
    ids = {k.decode(): int(v) for k, v in client.hgetall(prefix + "ids").items()}
    articles, stories = {}, {}
    for ext, n in ids.items():
        rec = read_record(client, prefix + f"a:{n}")
        articles[ext] = tuple(rec[f] for f in ("sig", "size", "ts", "title", "url", "outlet", "pub"))
        stories.setdefault(rec["story"], set()).add(ext)
    return {"articles": articles, "stories": frozenset(frozenset(s) for s in stories.values())}


def event(kind: str, article_id: str, seconds: int, **data: Any) -> dict:
    """A CMS event (Standard Webhooks payload shape) whose time is 2026-01-01 plus `seconds`."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1767225600 + seconds))
    return {"type": kind, "timestamp": stamp, "data": {"id": article_id, **data}}
