"""Command line: `python -m dedupe backfill|verify|purge`. Same settings (environment) as the service."""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path

from pydantic import ValidationError
from tqdm import tqdm

from .config import Settings
from .exceptions import InvalidInput
from .fingerprint import Fingerprint, Params
from .models import ArticleIn, first_field
from .service import Deduplicator, prepare
from .store import ArticleMeta
from .store.verify import verify as verify_index
from .wiring import build_services

Prepared = tuple[Fingerprint, ArticleMeta]

_PARAMS: Params | None = None


def _init_worker(params: Params) -> None:
    global _PARAMS
    _PARAMS = params


def _prepare_line(item: tuple[int, int, bytes]) -> tuple[int, int, Prepared | str]:
    """(line number, end offset, (fingerprint, meta) or an error message); runs in a worker process."""
    line_no, end, raw = item
    assert _PARAMS is not None, "_init_worker sets it"
    try:
        article = ArticleIn.model_validate_json(raw)
        return line_no, end, prepare(article, _PARAMS, time.time())
    except ValidationError as exc:
        return line_no, end, f"{first_field(exc)}: {exc.errors(include_url=False)[0]['msg']}"
    except InvalidInput as exc:
        return line_no, end, str(exc)


def _lines(path: Path, offset: int, first_line: int) -> Iterator[tuple[int, int, bytes]]:
    with path.open("rb") as f:
        f.seek(offset)
        line_no = first_line
        for raw in f:
            offset += len(raw)
            line_no += 1
            if raw.strip():
                yield line_no, offset, raw


@dataclass
class Progress:
    """How far a backfill got: saved to FILE.progress after each stored batch, so a rerun continues there."""

    offset: int = 0
    line: int = 0
    articles: int = 0
    duplicates: int = 0
    invalid: int = 0

    @classmethod
    def load(cls, path: Path, resume: bool) -> Progress:
        return cls(**json.loads(path.read_text())) if resume and path.exists() else cls()

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))


@contextlib.contextmanager
def _prepared(path: Path, start: Progress, params: Params, workers: int, chunk: int) -> Iterator[Iterable]:
    """The archive's lines from where `start` stopped, fingerprinted in `workers` processes (0: in this one)."""
    pool = multiprocessing.get_context("fork").Pool(workers, _init_worker, (params,)) if workers else None
    _init_worker(params)
    lines = _lines(path, start.offset, start.line)
    try:
        yield pool.imap(_prepare_line, lines, chunk) if pool else map(_prepare_line, lines)
    finally:
        if pool:
            pool.terminate()


def _store(batch: list[tuple[int, int, Prepared | str]], dedupe: Deduplicator, state: Progress, path: Path) -> None:
    """Store one batch in one round trip and move the progress past it; invalid lines are reported."""
    ready = [r for _, _, r in batch if not isinstance(r, str)]
    for line_no, _, r in batch:
        if isinstance(r, str):
            state.invalid += 1
            print(f"{path}:{line_no}: skipped: {r}", file=sys.stderr)
    duplicates = dedupe.store_many(ready) if ready else []
    state.duplicates += sum(duplicates)
    state.articles += len(duplicates)
    state.line, state.offset = batch[-1][0], batch[-1][1]


def backfill(args: argparse.Namespace, settings: Settings) -> int:
    """Index a JSONL archive in order: fingerprints in worker processes, one pipeline per batch.

    Resumable (see Progress); re-storing an article already stored is a no-op, so an interrupted batch is
    harmless.
    """
    path = Path(args.file)
    progress_file = path.with_name(path.name + ".progress")
    state = Progress.load(progress_file, args.resume)
    dedupe = build_services(settings).dedupe
    with path.open("rb") as f:
        total = sum(1 for line in f if line.strip())
    started, done = time.perf_counter(), 0
    workers = args.workers if args.workers >= 0 else (os.cpu_count() or 1)
    with (
        tqdm(total=total, initial=state.line, unit="article", disable=args.quiet, smoothing=0.1) as bar,
        _prepared(path, state, dedupe.params, workers, args.batch // 4 or 1) as prepared,
    ):
        items = iter(prepared)
        while batch := list(islice(items, args.batch)):
            _store(batch, dedupe, state, path)
            state.save(progress_file)
            bar.update(len(batch))
            done += len(batch)
    elapsed = time.perf_counter() - started
    per_second = round(done / elapsed, 1) if elapsed else None
    print(json.dumps({**asdict(state), "seconds": round(elapsed, 2), "per_second": per_second}))
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
