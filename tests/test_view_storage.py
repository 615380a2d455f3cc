"""What the check script keeps for the view: the story text (t:<n>), the URL index (u) and the recent stories
(recent), written with the record and removed with it (delete, retention), on a real Redis."""

from __future__ import annotations

import zlib

from dedupe.store import Keys
from dedupe.store.browse import Browse
from dedupe.text import story_text
from support import articles
from tests.helpers import PREFIX, assert_index_consistent, check

ORIGINAL = articles.wire_original()


def _number(redis_client, article_id: str) -> int:
    return int(redis_client.hget(PREFIX + "ids", article_id))


def test_the_story_text_is_stored_compressed_and_removed_with_the_article(client, redis_client):
    check(client, "a", ORIGINAL, url="https://afp.example/a", outlet="AFP")
    n = _number(redis_client, "a")
    stored = redis_client.get(PREFIX + f"t:{n}")
    assert zlib.decompress(stored).decode() == story_text(ORIGINAL, None, None)
    assert len(stored) < len(ORIGINAL.encode()) / 1.5
    assert client.delete("/v1/articles/a").status_code == 204
    assert redis_client.exists(PREFIX + f"t:{n}", PREFIX + "u", PREFIX + "recent") == 0


def test_nothing_is_stored_when_looking_or_when_the_setting_is_off(make_app, redis_client):
    on = make_app().test_client()
    check(on, "looked", ORIGINAL, index=False)
    assert not list(redis_client.scan_iter(PREFIX + "t:*"))
    off = make_app(store_text=False).test_client()
    check(off, "a", ORIGINAL)
    assert redis_client.hget(PREFIX + "ids", "a") is not None
    assert not list(redis_client.scan_iter(PREFIX + "t:*"))


def test_retention_removes_texts_urls_and_stories(client, redis_client, app):
    check(client, "old", ORIGINAL, url="https://x.example/old")
    n = _number(redis_client, "old")
    dedupe = app.extensions["dedupe"].dedupe
    dedupe.clock = lambda: 10**10  # far past retention
    assert dedupe.purge_expired() == 1
    assert redis_client.exists(PREFIX + f"t:{n}", PREFIX + "u", PREFIX + "recent") == 0


def test_url_index_and_recent_stories_follow_updates(client, redis_client):
    check(client, "a", ORIGINAL, url="https://x.example/1", published_at="2022-01-27T08:00:00Z")
    story_a = check(client, "a", ORIGINAL, url="https://x.example/2", published_at="2022-01-27T08:00:00Z")["story_id"]
    assert redis_client.hgetall(PREFIX + "u") == {b"https://x.example/2": str(_number(redis_client, "a")).encode()}
    # another article, updated to a copy of the first, joins its story and leaves its own, now empty
    story_b = check(client, "b", articles.UNRELATED)["story_id"]
    assert check(client, "b", articles.wrapped_copy())["story_id"] == story_a != story_b
    assert [s.decode() for s in redis_client.zrange(PREFIX + "recent", 0, -1)] == [story_a]


def test_browse_reads_recent_stories_and_search(client, redis_client, settings):
    check(client, "orig", ORIGINAL, title="Russia says US failing", url="https://afp.example/o", outlet="AFP",
          published_at="2022-01-27T08:00:00Z")  # fmt: skip
    check(client, "copy", articles.wrapped_copy(), title="Talks possible", url="https://ndtv.example/c",
          outlet="NDTV", published_at="2022-01-27T09:00:00Z")  # fmt: skip
    check(client, "other", articles.UNRELATED, title="Something else", outlet="AFP")
    browse = Browse(redis_client, Keys("test"))
    recent = browse.recent()
    assert [s.first.id for s in recent] == ["other", "orig"]
    story = recent[1]
    assert (story.copies, story.outlets, story.newest.id) == (2, 2, "copy")
    assert [c.id for c in browse.story(story.story_id)] == ["orig", "copy"]
    assert [c.id for c in browse.search("copy")] == ["copy"]
    assert [c.id for c in browse.search("https://afp.example/o")] == ["orig"]
    assert [c.id for c in browse.search("RUSSIA says")] == ["orig"]
    assert browse.search("nothing like it") == []
    (text,) = browse.texts([browse.article("copy").number])
    assert text == story_text(articles.wrapped_copy(), None, None)


def test_verify_checks_the_views_keys(client, redis_client, settings):
    from dedupe.store.verify import verify

    check(client, "a", ORIGINAL, url="https://x.example/a")
    check(client, "b", articles.wrapped_copy(), url="https://x.example/b")
    client.delete("/v1/articles/a")
    assert_index_consistent(redis_client, settings)
    redis_client.set(PREFIX + "t:999", b"x")
    redis_client.hset(PREFIX + "u", "https://x.example/gone", 998)
    redis_client.zadd(PREFIX + "recent", {"no-such-story": 1})
    index = client.application.extensions["dedupe"].dedupe.index
    problems = verify(index)
    assert len(problems) == 3 and all(("999" in p) or ("998" in p) or ("no-such-story" in p) for p in problems)
