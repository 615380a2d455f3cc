"""Part 4: bulk backfill through the service's own CLI, `python -m dedupe backfill FILE.jsonl`.

A seeded JSONL archive (one /v1/check body per line) is indexed into a private Redis by the CLI, as an operator
would run it (all cores, default batch); the figure is articles per second over the whole run, from the CLI's
own summary line, with the wall time of the process beside it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from support.redis_server import private_redis

from .corpus import Corpus

ROOT = Path(__file__).resolve().parent.parent


def cli_available() -> bool:
    return (ROOT / "dedupe" / "cli.py").exists()


def run(corpus: Corpus, articles: int, log=print) -> dict:
    if not cli_available():
        return {"skipped": "dedupe/cli.py is not there"}
    with tempfile.TemporaryDirectory(prefix="bench-backfill-") as tmp:
        path = corpus.write_jsonl(Path(tmp) / "archive.jsonl", articles)
        size = path.stat().st_size
        with private_redis() as server:
            env = {**os.environ, "REDIS_URL": server.url, "DEDUPE_NAMESPACE": "benchbackfill"}
            t0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-m", "dedupe", "backfill", str(path), "--quiet", "--restart"],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False,
            )  # fmt: skip
            wall = time.perf_counter() - t0
            indexed = int(server.client().hlen("dd:{benchbackfill}:ids"))
    if out.returncode != 0:
        return {"error": f"exit {out.returncode}: {out.stderr[-1500:]}"}
    summary = json.loads([x for x in out.stdout.splitlines() if x.startswith("{")][-1])
    result = {
        "articles": articles, "indexed": indexed, "archive_mb": size / 1e6, "wall_s": wall,
        "per_s": summary.get("per_second") or articles / wall, "per_s_wall": articles / wall,
        "duplicates": summary.get("duplicates"), "invalid": summary.get("invalid"),
    }  # fmt: skip
    log(f"  {articles:,} articles: {result['per_s']:,.0f}/s (CLI summary), {result['per_s_wall']:,.0f}/s wall "
        f"incl. start-up; {indexed:,} indexed, {summary.get('duplicates')} duplicates")  # fmt: skip
    return result
