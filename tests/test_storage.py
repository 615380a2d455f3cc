"""Storage: retention (with an injected clock), recorded index parameters, and a refused mismatched index."""

from __future__ import annotations

import pytest

from dedupe.config import Settings
from dedupe.exceptions import IndexMismatch
from dedupe.fingerprint import Params
from dedupe.models import ArticleIn
from dedupe.service import Deduplicator, params_from
from dedupe.store import RedisIndex, bucket_bits_for
from dedupe.web import create_app
from dedupe.wiring import build_services
from support import articles
from tests.helpers import assert_index_consistent

DAY = 86400.0
HOUR = 3600.0
T0 = 1_643_277_600.0  # 2022-01-27T10:00:00Z


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def article(article_id: str, text: str, **fields) -> ArticleIn:
    return ArticleIn(id=article_id, text=text, **fields)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dedupe(index, settings, clock) -> Deduplicator:
    # retention (12 h) shorter than the match window (20 h by default): only retention can make a copy go
    assert settings.match_window_hours > 15
    return Deduplicator(index, Settings(**{**settings.__dict__, "retention_days": 0.5}), clock=clock)


def test_copy_within_retention_is_a_duplicate(dedupe, clock):
    dedupe.check(article("a", articles.wire_original()))
    clock.now += 10 * HOUR
    assert dedupe.check(article("b", articles.SEED)).duplicate is True


def test_article_older_than_retention_leaves_the_index_on_the_next_write(dedupe, clock, redis_client, settings):
    dedupe.check(article("a", articles.wire_original()))
    clock.now += 15 * HOUR  # still inside the match window: only retention can make it go
    result = dedupe.check(article("b", articles.SEED))
    assert result.duplicate is False
    assert result.matches == []
    assert dedupe.index.get("a") is None
    assert dedupe.index.count() == 1
    assert_index_consistent(redis_client, settings)


def test_each_write_purges_a_few_and_purge_removes_the_rest(dedupe, clock, redis_client, settings):
    from dedupe.store import PURGE_PER_WRITE

    for i in range(10):
        dedupe.check(article(f"old-{i}", articles.wire_original()))
    clock.now += 15 * HOUR
    dedupe.check(article("recent", articles.UNRELATED))
    assert dedupe.index.count() == 10 - PURGE_PER_WRITE + 1  # bounded work per write
    assert dedupe.purge_expired() == 10 - PURGE_PER_WRITE
    assert [dedupe.index.get(f"old-{i}") for i in range(10)] == [None] * 10
    assert dedupe.index.get("recent") is not None
    assert_index_consistent(redis_client, settings)


def test_look_only_checks_do_not_purge(dedupe, clock):
    dedupe.check(article("a", articles.wire_original()))
    clock.now += 15 * HOUR
    dedupe.check(article("probe", articles.UNRELATED, index=False))
    assert dedupe.index.get("a") is not None


def test_index_parameters_are_recorded(app, redis_client, settings):
    meta = redis_client.hgetall("dd:{test}:meta")
    assert meta[b"params"].decode() == params_from(settings).describe()
    params = params_from(settings)
    assert int(meta[b"bucket_bits"]) == bucket_bits_for(settings.expected_articles, params)
    assert meta[b"layout"].decode() == params.layout()
    assert meta[b"epoch"]


def test_index_with_other_parameters_is_refused(index, redis_client):
    other = RedisIndex(redis_client, Params(shingle_size=4), "test")
    with pytest.raises(IndexMismatch, match="shingle"):
        other.ensure()
    assert redis_client.hget("dd:{test}:meta", "params").decode() == index.params.describe()


def test_check_against_an_index_with_other_parameters_is_refused(index, redis_client, settings):
    from dedupe.service import rules_from

    other = RedisIndex(redis_client, Params(num_perm=64, body_bands=20, body_rows=3), "test")
    fp, meta = Deduplicator(other, settings).prepare(article("a", articles.wire_original()))
    with pytest.raises(IndexMismatch):
        other.check(fp, meta, rules_from(settings), store=True, now=T0, retention_s=DAY)
    assert index.count() == 0
    # the refused check left the index as it was: its recorded parameters are still the service's, not the other's
    recorded = redis_client.hgetall("dd:{test}:meta")
    assert recorded[b"params"].decode() == params_from(settings).describe() != other.params.describe()
    assert recorded[b"layout"].decode() == params_from(settings).layout() != other.params.layout()
    assert Deduplicator(index, settings).check(article("a", articles.wire_original())).duplicate is False
    assert index.count() == 1


def test_app_with_other_parameters_refuses_to_start_on_the_index(app, settings):
    mismatched = Settings(**{**settings.__dict__, "shingle_size": 4})
    with pytest.raises(IndexMismatch):
        create_app(mismatched, build_services(mismatched))


def test_other_namespace_holds_an_index_with_other_parameters(app, settings, redis_client):
    other = Settings(**{**settings.__dict__, "shingle_size": 4, "namespace": "other"})
    client = create_app(other, build_services(other)).test_client()
    assert client.post("/v1/check", json={"id": "a", "text": articles.SEED}).status_code == 200
    # each namespace records its own parameters, and its articles, side by side in one Redis
    ours, theirs = redis_client.hgetall("dd:{test}:meta"), redis_client.hgetall("dd:{other}:meta")
    assert ours[b"params"].decode() == params_from(settings).describe()
    assert theirs[b"params"].decode() == params_from(other).describe() != params_from(settings).describe()
    assert f"shingle={other.shingle_size}" in theirs[b"params"].decode()
    assert theirs[b"layout"].decode() == params_from(other).layout()
    assert redis_client.hkeys("dd:{other}:ids") == [b"a"] and redis_client.hlen("dd:{test}:ids") == 0
    assert app.test_client().post("/v1/check", json={"id": "b", "text": articles.SEED}).status_code == 200
    assert redis_client.hkeys("dd:{test}:ids") == [b"b"] and redis_client.hkeys("dd:{other}:ids") == [b"a"]


def test_running_app_answers_503_when_its_index_is_replaced_by_another(client, redis_client):
    redis_client.flushall()
    RedisIndex(redis_client, Params(shingle_size=4), "test").ensure()
    response = client.post("/v1/check", json={"id": "a", "text": articles.SEED})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "index_mismatch"
    assert redis_client.hlen("dd:{test}:ids") == 0


def test_the_script_and_python_name_its_arguments_alike():
    import re
    from pathlib import Path

    from dedupe.store import index as index_module

    lua = Path(index_module.__file__).with_name("check.lua").read_text()
    names = re.search(r"local NAMES = \{(.*?)\n\}", lua, re.S).group(1)
    in_lua = {mode: tuple(re.findall(r"'(\w+)'", body)) for mode, body in re.findall(r"(\w+) = \{(.*?)\}", names, re.S)}
    in_python = {"check": index_module.CHECK_ARGS, "delete": index_module.DELETE_ARGS, "purge": index_module.PURGE_ARGS}
    assert in_lua == in_python
    with pytest.raises(ValueError, match="differ"):
        index_module.ordered(index_module.PURGE_ARGS, mode="purge", cutoff="1")


def test_the_answer_carries_what_the_script_computed(index, settings):
    from dedupe.service import rules_from

    dedupe = Deduplicator(index, settings)
    fp, meta = dedupe.prepare(article("a", articles.wire_original()))
    index.check(fp, meta, rules_from(settings), store=True, now=T0, retention_s=DAY)
    fp, meta = dedupe.prepare(article("b", articles.wrapped_copy()))
    answer = index.check(fp, meta, rules_from(settings), store=True, now=T0, retention_s=DAY)
    (match,) = answer.matches
    assert answer.status == "created" and 0.4 < match.containment <= 1.0
    assert (answer.record, answer.removed) == (b"", ())  # one server: nothing to write beside the article
