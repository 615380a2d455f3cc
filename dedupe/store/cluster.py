"""Redis Cluster: the client the service uses when DEDUPE_REDIS_CLUSTER=1, and the few places where a
cluster differs from one server (a pipeline of scripts, a topology that changes under a failover).

Every failure of the cluster reaches the service as a redis.RedisError, so it is answered 503 with
Retry-After like any Redis outage: redis-py raises some of them (a slot no master covers, during a
failover) as RedisClusterException, which is not one.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.exceptions import RedisClusterException
from redis.retry import Retry

log = logging.getLogger(__name__)
T = TypeVar("T")


class ClusterClient(RedisCluster):
    """RedisCluster whose every failure is a redis.RedisError (ConnectionError for the cluster's own).

    `wait_ms` > 0: every write of the index waits (WAIT 1 <wait_ms>) until a replica has it, so a decision
    acknowledged to a caller survives its master's death; 0 (default): replication is asynchronous."""

    wait_ms = 0

    def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().execute_command(*args, **kwargs)
        except RedisClusterException as exc:
            raise redis.ConnectionError(f"Redis Cluster: {exc}") from exc


def connect(url: str, timeout_s: float, wait_ms: int = 0) -> ClusterClient:
    """A cluster client from any node's URL, or several nodes' (`redis://a:7000,b:7001/0`: the service starts
    while one of them is down). One retry after a topology refresh, then the error: a request during a
    failover fails fast (503, Retry-After) instead of hanging until the replica is promoted."""
    first, others = split_nodes(url)
    client = ClusterClient(
        url=first,
        startup_nodes=others,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=Retry(NoBackoff(), 1),
        require_full_coverage=False,
    )
    client.wait_ms = wait_ms
    return client


def split_nodes(url: str) -> tuple[str, list[ClusterNode]]:
    """The URL of the first node named, and the other nodes (host:port after commas)."""
    scheme, _, rest = url.partition("://")
    auth, at, hostpart = rest.rpartition("@")
    hosts, slash, path = hostpart.partition("/")
    first, *others = hosts.split(",")
    nodes = [ClusterNode(host, int(port)) for host, port in (o.strip().rsplit(":", 1) for o in others)]
    return f"{scheme}://{auth}{at}{first}{slash}{path}", nodes


_MOVED = (redis.exceptions.MovedError, redis.exceptions.ClusterDownError)


def is_cluster(client: object) -> bool:
    return isinstance(client, RedisCluster)


def node_of(client: Any, key: str) -> Any:
    """The plain client of the master serving `key`'s slot (on one server, the client itself): a command that
    goes straight there skips the cluster client's routing, and a pipeline of scripts is allowed (redis-py's
    ClusterPipeline refuses EVALSHA)."""
    if not is_cluster(client):
        return client
    try:
        return client.get_redis_connection(client.get_node_from_key(key))
    except RedisClusterException as exc:
        raise redis.ConnectionError(f"Redis Cluster: {exc}") from exc


def slot_pipeline(client: Any, key: str) -> Any:
    """A plain pipeline to the master serving `key`'s slot."""
    return node_of(client, key).pipeline(transaction=False)


def guarded(client: Any, key: str, call: Callable[[Any], T]) -> T:
    """Run `call(node)` on the plain client of the master serving `key`. A dead connection or a MOVED reply (a
    failover) refreshes the topology; when the slot has a new master by then, the call runs once more there,
    else it fails as unavailable (503): what was refused did not run, and a retry finds the new master."""
    node = node_of(client, key)
    try:
        return call(node)
    except (redis.ConnectionError, *_MOVED) as exc:
        refresh(client)
        if node_of(client, key) is not node:
            return call(node_of(client, key))
        if isinstance(exc, redis.ConnectionError):
            raise
        raise redis.ConnectionError(f"Redis Cluster: {exc}") from exc
    except redis.TimeoutError:
        refresh(client)
        raise


def call_script(client: Any, script: Any, key: str, args: list[Any]) -> Any:
    """One script call straight to the master of `key`'s slot (loaded there when it lacks it: a restarted or
    promoted master). With the client's `wait_ms`, in one round trip with a WAIT for one replica."""
    wait_ms = getattr(client, "wait_ms", 0)
    if not wait_ms:
        return guarded(client, key, lambda node: script(keys=[key], args=args, client=node))

    def durable(node: Any) -> Any:
        pipe = node.pipeline(transaction=False)
        pipe.evalsha(script.sha, 1, key, *args)
        pipe.execute_command("WAIT", 1, wait_ms)
        reply, acked = pipe.execute(raise_on_error=False)
        if isinstance(reply, redis.exceptions.NoScriptError):
            node.script_load(script.script)
            return durable(node)
        if isinstance(reply, Exception):
            raise reply
        if not isinstance(acked, int) or acked < 1:
            log.warning("no replica acknowledged the write within %d ms: it may be lost in a failover", wait_ms)
        return reply

    return guarded(client, key, durable)


class Fanout:
    """Commands on keys of many slots, sent as one plain pipeline per master: one round trip to each."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.ops: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = []

    def add(self, key: str, command: str, *args: Any, **kwargs: Any) -> None:
        """`command` (a client method name) with its arguments, sent to the master serving `key`."""
        self.ops.append((key, command, args, kwargs))

    def execute(self) -> None:
        by_master: dict[str, list[tuple[str, str, tuple[Any, ...], dict[str, Any]]]] = {}
        for op in self.ops:
            by_master.setdefault(_master_name(self.client, op[0]), []).append(op)
        for ops in by_master.values():
            guarded(self.client, ops[0][0], functools.partial(self._send, ops=ops))

    def _send(self, node: Any, ops: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]]) -> None:
        pipe = node.pipeline(transaction=False)
        for _, command, args, kwargs in ops:
            getattr(pipe, command)(*args, **kwargs)
        if getattr(self.client, "wait_ms", 0):
            pipe.execute_command("WAIT", 1, self.client.wait_ms)
        pipe.execute(raise_on_error=True)


def _master_name(client: Any, key: str) -> str:
    if not is_cluster(client):
        return ""
    try:
        return str(client.get_node_from_key(key).name)
    except RedisClusterException as exc:
        raise redis.ConnectionError(f"Redis Cluster: {exc}") from exc


def execute(client: Any, pipe: Any, raise_on_error: bool = False) -> list[Any]:
    """Run a pipeline. A dead connection, or a MOVED reply (the slot changed master: a failover), refreshes the
    cluster's topology and fails as unavailable: what was refused did not run, and a retry finds the new master."""
    try:
        results = list(pipe.execute(raise_on_error=raise_on_error))
    except (redis.ConnectionError, redis.TimeoutError, redis.exceptions.MovedError, RedisClusterException) as exc:
        refresh(client)
        if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
            raise
        raise redis.ConnectionError(f"Redis Cluster: {exc}") from exc
    moved = next((r for r in results if isinstance(r, _MOVED)), None)
    if moved is not None:
        refresh(client)
        raise redis.ConnectionError(f"Redis Cluster: {moved}") from moved
    return results


def load_script(client: Any, script: str, key: str) -> None:
    """SCRIPT LOAD where `key`'s slot is served (a cluster client would send it to every master)."""
    if is_cluster(client):
        client.execute_command("SCRIPT LOAD", script, target_nodes=client.get_node_from_key(key))
    else:
        client.script_load(script)


def get_many(client: Any, keys: list[str]) -> list[bytes | None]:
    """GET of many keys in one round trip per master (MGET within one slot; across slots on a cluster)."""
    if not keys:
        return []
    if len(keys) == 1:
        return [guarded(client, keys[0], lambda node: node.get(keys[0]))]
    found = client.mget_nonatomic(keys) if is_cluster(client) else client.mget(keys)
    return list(found)


def refresh(client: Any) -> None:
    """Read the topology again (after a MOVED or a dead connection: a replica was promoted)."""
    if is_cluster(client):
        with contextlib.suppress(redis.RedisError, RedisClusterException):  # the next request tries again
            client.nodes_manager.initialize()
