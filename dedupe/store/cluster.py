"""Redis Cluster: the client the service uses when DEDUPE_REDIS_CLUSTER=1, and the few places where a
cluster differs from one server (a pipeline of scripts, a topology that changes under a failover).

Every failure of the cluster reaches the service as a redis.RedisError, so it is answered 503 with
Retry-After like any Redis outage: redis-py raises some of them (a slot no master covers, during a
failover) as RedisClusterException, which is not one.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
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
    """A cluster client from any node's URL. One retry after a topology refresh, then the error: a request
    during a failover fails fast (503, Retry-After) instead of hanging until the replica is promoted."""
    client = ClusterClient(
        url=url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=Retry(NoBackoff(), 1),
        require_full_coverage=False,
    )
    client.wait_ms = wait_ms
    return client


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


def guarded(client: Any, call: Callable[[], T]) -> T:
    """Run a call made straight to one master: a dead connection or a MOVED reply (a failover) refreshes the
    topology and fails as unavailable (503): what was refused did not run, and a retry finds the new master."""
    try:
        return call()
    except (redis.ConnectionError, redis.TimeoutError):
        refresh(client)
        raise
    except _MOVED as exc:
        refresh(client)
        raise redis.ConnectionError(f"Redis Cluster: {exc}") from exc


def call_script(client: Any, script: Any, key: str, args: list[Any]) -> Any:
    """One script call straight to the master of `key`'s slot (loaded there when it lacks it: a restarted or
    promoted master). With the client's `wait_ms`, in one round trip with a WAIT for one replica."""
    node = node_of(client, key)
    wait_ms = getattr(client, "wait_ms", 0)
    if not wait_ms:
        return guarded(client, lambda: script(keys=[key], args=args, client=node))

    def durable() -> Any:
        pipe = node.pipeline(transaction=False)
        pipe.evalsha(script.sha, 1, key, *args)
        pipe.execute_command("WAIT", 1, wait_ms)
        reply, acked = pipe.execute(raise_on_error=False)
        if isinstance(reply, redis.exceptions.NoScriptError):
            node.script_load(script.script)
            return durable()
        if isinstance(reply, Exception):
            raise reply
        if not isinstance(acked, int) or acked < 1:
            log.warning("no replica acknowledged the write within %d ms: it may be lost in a failover", wait_ms)
        return reply

    return guarded(client, durable)


class Fanout:
    """One plain pipeline per master, for commands on keys of many slots: one round trip to each master."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.pipes: dict[int, Any] = {}

    def __call__(self, key: str) -> Any:
        """The pipeline that reaches `key`."""
        node = node_of(self.client, key)
        if id(node) not in self.pipes:
            self.pipes[id(node)] = node.pipeline(transaction=False)
        return self.pipes[id(node)]

    def execute(self) -> None:
        wait_ms = getattr(self.client, "wait_ms", 0)
        for pipe in self.pipes.values():
            if wait_ms:
                pipe.execute_command("WAIT", 1, wait_ms)
            execute(self.client, pipe, raise_on_error=True)


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
        return [guarded(client, lambda: node_of(client, keys[0]).get(keys[0]))]
    found = client.mget_nonatomic(keys) if is_cluster(client) else client.mget(keys)
    return list(found)


def refresh(client: Any) -> None:
    """Read the topology again (after a MOVED or a dead connection: a replica was promoted)."""
    if is_cluster(client):
        with contextlib.suppress(redis.RedisError, RedisClusterException):  # the next request tries again
            client.nodes_manager.initialize()
