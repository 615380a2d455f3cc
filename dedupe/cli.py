"""Command line: `python -m dedupe backfill|verify|purge`. Same settings (environment) as the service."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError
from tqdm import tqdm

from . import build_services
from .config import Settings
from .errors import ApiError
from .fingerprint import Params
from .models import ArticleIn
from .service import prepare
from .verify import verify as verify_index

_PARAMS: Params | None = None


def _init_worker(params: Params) -> None:
    global _PARAMS
    _PARAMS = params


def _prepare_line(item: tuple[int, int, bytes]) -> tuple[int, int, object]:
    """(line number, end offset, (fingerprint, meta) or an error message); runs in a worker process."""
    line_no, end, raw = item
    try:
        article = ArticleIn.model_validate_json(raw)
        return line_no, end, prepare(article, _PARAMS, time.time())
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        return line_no, end, f"{'.'.join(map(str, err['loc'])) or 'body'}: {err['msg']}"
    except ApiError as exc:
        return line_no, end, f"{exc.field}: {exc.message}"


def _lines(path: Path, offset: int, first_line: int) -> Iterator[tuple[int, int, bytes]]:
    with path.open("rb") as f:
        f.seek(offset)
        line_no = first_line
        for raw in f:
            offset += len(raw)
            line_no += 1
            if raw.strip():
                yield line_no, offset, raw


def backfill(args: argparse.Namespace, settings: Settings) -> int:
    """Index a JSONL archive in order: fingerprints in worker processes, one pipeline per batch.

    Resumable: after each batch is stored, FILE.progress records how far it got; a rerun continues there
    (and re-storing an article already stored is a no-op, so an interrupted batch is harmless).
    """
    path = Path(args.file)
    progress = path.with_name(path.name + ".progress")
    state = {"offset": 0, "line": 0, "articles": 0, "duplicates": 0, "invalid": 0}
    if args.resume and progress.exists():
        state.update(json.loads(progress.read_text()))
    services = build_services(settings)
    params = services.dedupe.params
    with path.open("rb") as f:
        total = sum(1 for line in f if line.strip())
    started, done = time.perf_counter(), 0
    bar = tqdm(total=total, initial=state["line"], unit="article", disable=args.quiet, smoothing=0.1)
    workers = args.workers if args.workers >= 0 else (os.cpu_count() or 1)
    pool = multiprocessing.get_context("fork").Pool(workers, _init_worker, (params,)) if workers else None
    _init_worker(params)
    mapped = (pool.imap if pool else map)(_prepare_line, _lines(path, state["offset"], state["line"]),
                                          *((args.batch // 4 or 1,) if pool else ()))  # fmt: skip
    batch: list = []

    def flush() -> None:
        nonlocal batch, done
        ready = [r for _, _, r in batch if not isinstance(r, str)]
        for line_no, _, r in batch:
            if isinstance(r, str):
                state["invalid"] += 1
                print(f"{path}:{line_no}: skipped: {r}", file=sys.stderr)
        duplicates = services.dedupe.store_many(ready) if ready else []
        state["duplicates"] += sum(duplicates)
        state["articles"] += len(duplicates)
        state["line"], state["offset"] = batch[-1][0], batch[-1][1]
        progress.write_text(json.dumps(state))
        bar.update(len(batch))
        done += len(batch)
        batch = []

    try:
        for item in mapped:
            batch.append(item)
            if len(batch) >= args.batch:
                flush()
        if batch:
            flush()
    finally:
        bar.close()
        if pool:
            pool.terminate()
    elapsed = time.perf_counter() - started
    summary = {**state, "seconds": round(elapsed, 2), "per_second": round(done / elapsed, 1) if elapsed else None}
    print(json.dumps(summary))
    return 0


def verify(args: argparse.Namespace, settings: Settings) -> int:
    problems = verify_index(build_services(settings).dedupe.index)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)" if problems else "index is consistent")
    return 1 if problems else 0


def purge(args: argparse.Namespace, settings: Settings) -> int:
    removed = build_services(settings).dedupe.purge_expired(args.limit)
    print(f"removed {removed} expired article(s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dedupe", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backfill", help="index a JSONL archive (one /v1/check body per line), resumably")
    b.add_argument("file")
    b.add_argument("--batch", type=int, default=500, help="articles per Redis pipeline (default 500)")
    b.add_argument("--workers", type=int, default=-1, help="fingerprinting processes (default: one per core)")
    b.add_argument("--restart", dest="resume", action="store_false", help="ignore FILE.progress, start over")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=backfill)
    sub.add_parser("verify", help="check the index for half-written articles; exit 1 if any").set_defaults(func=verify)
    p = sub.add_parser("purge", help="remove articles older than DEDUPE_RETENTION_DAYS now")
    p.add_argument("--limit", type=int, default=1_000_000)
    p.set_defaults(func=purge)
    args = parser.parse_args(argv)
    return args.func(args, Settings.from_env())
