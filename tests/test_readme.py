"""Every shell and Python example in README.md runs as written against a live service: gunicorn on a free port
with a private Redis and the webhook secret README says to set. Only host and port are adjusted.

A block that cannot run here (it starts the service, builds an image, or measures for minutes) must be listed
in SKIPPED with the reason: a new example is run, or the test fails until someone says why it is not.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from support.redis_server import RedisServer
from tests.reliability.harness import Service

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
ADDRESS = re.compile(r"\b(?:localhost|127\.0\.0\.1):8000\b")
#: Blocks not run here, by their first command, and why.
SKIPPED = {
    "make run": "starts the service itself (this test starts one the same way: gunicorn -c gunicorn.conf.py)",
    "make eval": "a measurement of minutes; tests/test_eval_sample.py runs `python -m eval --sample`",
    ".venv/bin/python -m eval.real": "a measurement; tests/test_eval_* run the evaluation code",
    "make bench": "a measurement of minutes; tests/test_bench_smoke.py runs `python -m bench --quick`",
    "docker build": "needs a container engine, which CI does not have; hadolint checks the Dockerfile",
    "podman build": "needs a container engine, which CI does not have",
}


def blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(README) if lang == language]


def first_command(block: str) -> str:
    return next(line for line in block.splitlines() if line.strip() and not line.startswith("#"))


def runnable_shell() -> list[str]:
    return [b for b in blocks("sh") if not any(first_command(b).startswith(s) for s in SKIPPED)]


def test_every_shell_block_is_run_or_skipped_with_a_reason():
    every = blocks("sh")
    assert len(runnable_shell()) >= 5
    for skipped in SKIPPED:  # a stale entry would hide nothing but must not linger either
        assert any(first_command(b).startswith(skipped) for b in every), f"no README block starts with {skipped!r}"


def test_json_examples_are_json():
    for block in blocks("json"):
        json.loads(block)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    secret = re.search(r"DEDUPE_WEBHOOK_SECRET=(whsec_[A-Za-z0-9+/=]+)", README)
    assert secret, "README must say which webhook secret its example signs with"
    tmp = tmp_path_factory.mktemp("readme")
    redis_server = RedisServer(tmp / "redis").start()
    service = Service(tmp / "svc", redis_server.url, DEDUPE_WEBHOOK_SECRET=secret.group(1))
    try:
        service.start()
        yield service, redis_server, tmp
    finally:
        service.stop()
        redis_server.stop()


def run(command: list[str], script: str, *, cwd: Path, env: dict[str, str] | None = None) -> str:
    out = subprocess.run(
        command, input=script, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode == 0, f"exit {out.returncode}\n--- script\n{script}\n--- stdout\n{out.stdout}\n{out.stderr}"
    return out.stdout


@pytest.mark.slow
def test_readme_examples_run_against_a_live_service(live):
    service = live[0]
    here = f"127.0.0.1:{service.port}"
    # curl as written, but failing (with the body printed) on an HTTP error, which `curl -s` alone hides
    prelude = 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n'
    outputs = []
    for block in runnable_shell():
        if first_command(block).startswith(".venv/bin/python -m dedupe"):
            continue  # the command-line block: below, on an archive of its own
        outputs.append(run(["bash"], prelude + ADDRESS.sub(here, block), cwd=ROOT))
    for block in blocks("python"):
        outputs.append(run([sys.executable, "-"], ADDRESS.sub(here, block), cwd=ROOT))
    checked = json.loads(outputs[0])  # the first example: POST /v1/check
    assert checked["id"] == "ndtv-2022-01-27-russia-us" and checked["indexed"] is True
    assert any('"type": "article.deleted"' in o for o in outputs), outputs  # the signed webhook was accepted


@pytest.mark.slow
def test_readme_command_line_block_runs(live):
    """`python -m dedupe backfill archive.jsonl`, `verify`, `purge` as written, in a directory that has an
    archive.jsonl and the project's .venv, against the live service's Redis and namespace."""
    service, redis_server, tmp = live
    (block,) = [b for b in runnable_shell() if first_command(b).startswith(".venv/bin/python -m dedupe")]
    work = tmp / "cli"
    work.mkdir()
    (work / ".venv").symlink_to(Path(sys.prefix))
    bodies = [{"id": f"archive-{i}", "text": (ROOT / "tests/fixtures/seed-article.txt").read_text()} for i in range(3)]
    (work / "archive.jsonl").write_text("".join(json.dumps(b) + "\n" for b in bodies))
    env = {"REDIS_URL": redis_server.url, "DEDUPE_NAMESPACE": service.env["DEDUPE_NAMESPACE"], "PYTHONPATH": str(ROOT)}
    run(["bash"], "set -euo pipefail\n" + block, cwd=work, env=env)
    assert redis_server.client().hexists(f"dd:{{{service.env['DEDUPE_NAMESPACE']}}}:ids", "archive-2")
