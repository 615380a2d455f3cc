"""What counts as a copy: each syndicated variant of the seed story is flagged; other stories are not."""

from __future__ import annotations

import pytest

from support import articles
from tests.helpers import check

COPIES = {
    "ndtv-scraped-copy": {"text": articles.SEED},
    "outlet-boilerplate": {"text": articles.wrapped_copy()},
    "new-headline-cut-to-half": {"text": articles.cut_copy()},
    "brief-of-four-paragraphs": {"text": articles.brief(paragraphs=4)},
    "brief-of-five-paragraphs": {"text": articles.brief(paragraphs=5)},
    "full-html-page": {"html": articles.html_page()},
    "lightly-edited": {"text": articles.edited_copy()},
}
NOT_COPIES = {
    "same-topic-same-people-same-day": articles.SAME_TOPIC,
    "unrelated-story": articles.UNRELATED,
}
PUBLISHED = "2022-01-27T10:00:00Z"


@pytest.fixture
def original(client):
    return check(client, "afp-original", articles.wire_original(), outlet="AFP", published_at=PUBLISHED)


def test_variants_are_what_they_claim_to_be():
    wire = articles.wire_original()
    cut = articles.cut_copy()
    assert 0.4 < len(cut.split()) / len(wire.split()) < 0.6
    assert articles.brief(paragraphs=4).count("\n\n") == 3
    assert articles.LOCAL_REACTION in articles.edited_copy()
    assert articles.edited_copy().index("Russia denies") < articles.edited_copy().index("Relations between")
    assert 0.6 < len(articles.SAME_TOPIC.split()) / len(wire.split()) < 1.4
    for name in ("Lavrov", "Blinken", "Peskov", "Kyiv", "NATO", "Putin", "Kuleba", "Stoltenberg"):
        assert name in articles.SAME_TOPIC


def test_first_copy_of_a_story_is_not_a_duplicate(original):
    assert original["duplicate"] is False
    assert original["matches"] == []
    assert original["indexed"] is True
    assert original["story_id"]


@pytest.mark.parametrize("variant", COPIES.values(), ids=COPIES.keys())
def test_syndicated_copy_is_flagged_duplicate_of_the_original(client, original, variant):
    result = check(client, "copy", **variant, outlet="Some Site", published_at="2022-01-27T12:00:00Z")
    assert result["duplicate"] is True
    assert result["story_id"] == original["story_id"]
    assert result["matches"][0]["id"] == "afp-original"
    assert result["matches"][0]["outlet"] == "AFP"
    assert result["matches"][0]["story_id"] == original["story_id"]


@pytest.mark.parametrize("variant", COPIES.values(), ids=COPIES.keys())
def test_syndicated_copy_without_dates_is_flagged_by_arrival(client, variant):
    check(client, "afp-original", articles.wire_original())
    assert check(client, "copy", **variant)["duplicate"] is True


@pytest.mark.parametrize("text", NOT_COPIES.values(), ids=NOT_COPIES.keys())
def test_other_story_is_not_flagged(client, original, text):
    result = check(client, "other", text, published_at=PUBLISHED)
    assert result["duplicate"] is False
    assert result["matches"] == []
    assert result["story_id"] != original["story_id"]


def test_same_topic_story_is_not_flagged_even_when_every_copy_is_indexed(client, original):
    for i, variant in enumerate(COPIES.values()):
        check(client, f"copy-{i}", **variant, published_at="2022-01-27T12:00:00Z")
    result = check(client, "other", articles.SAME_TOPIC, published_at="2022-01-27T13:00:00Z")
    assert result["duplicate"] is False
    assert result["matches"] == []


def test_copies_of_the_story_all_share_its_story_id(client, original):
    story_ids = {
        check(client, f"copy-{i}", **v, published_at=f"2022-01-27T1{i}:00:00Z")["story_id"]
        for i, v in enumerate(COPIES.values())
    }
    assert story_ids == {original["story_id"]}
    listed = client.get(f"/v1/stories/{original['story_id']}").get_json()["articles"]
    assert [a["id"] for a in listed] == ["afp-original"] + [f"copy-{i}" for i in range(len(COPIES))]


def test_copy_of_a_copy_is_the_same_story(client):
    first = check(client, "ndtv", articles.SEED)
    second = check(client, "brief", articles.brief(paragraphs=5))
    assert second["duplicate"] is True
    assert second["story_id"] == first["story_id"]


def test_copy_published_outside_the_match_window_is_another_story(client, original):
    result = check(client, "next-year", articles.SEED, published_at="2023-01-27T10:00:00Z")
    assert result["duplicate"] is False
    assert result["story_id"] != original["story_id"]
