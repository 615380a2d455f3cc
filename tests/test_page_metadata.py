"""An HTML page's title and publication time stand in for those the caller did not give; every answer says how
many words were kept, and warns when the text is too short to match reliably."""

from __future__ import annotations

from datetime import UTC, datetime

from dedupe.metadata import page_metadata
from support import articles
from tests.helpers import check

PUBLISHED = '<meta property="article:published_time" content="2022-01-27T14:05:00+05:30">'


def page(head_extra: str = "") -> str:
    """The test page (its <title> and og:title are the headline), with more in its <head>."""
    return articles.html_page().replace("</head>", head_extra + "</head>", 1)


def test_title_and_time_come_from_the_page_when_the_caller_gives_none(client):
    check(client, "p", html=page(PUBLISHED))
    stored = client.get("/v1/articles/p").get_json()
    assert stored["title"] == articles.HEADLINE
    assert stored["published_at"] == "2022-01-27T08:35:00Z"


def test_the_callers_title_and_time_win(client):
    check(client, "p", html=page(PUBLISHED), title="Our headline", published_at="2022-01-28T10:00:00Z")
    stored = client.get("/v1/articles/p").get_json()
    assert (stored["title"], stored["published_at"]) == ("Our headline", "2022-01-28T10:00:00Z")


def test_a_bare_date_is_not_a_publication_time(client):
    check(client, "p", html=page('<meta name="date" content="2022-01-27">'))
    assert client.get("/v1/articles/p").get_json()["published_at"] is None


def test_the_page_time_decides_which_copy_came_first(client):
    """The page says it was published before the text copy that arrived first: the page is the original."""
    check(client, "later", articles.SEED, published_at="2022-01-27T12:00:00Z")
    answer = check(client, "page", html=page(PUBLISHED))
    assert answer["duplicate"] is False and [m["id"] for m in answer["matches"]] == ["later"]
    assert check(client, "later", articles.SEED, published_at="2022-01-27T12:00:00Z")["duplicate"] is True


def test_page_metadata_of_pages_without_any():
    assert page_metadata("<p>only a fragment</p>") == page_metadata("") == page_metadata("<html><body></body></html>")
    found = page_metadata(page('<meta property="article:published_time" content="2022-01-27T08:35:00Z">'))
    assert found.published_at == datetime(2022, 1, 27, 8, 35, tzinfo=UTC)


def test_words_kept_and_no_warning_for_a_whole_story(client):
    answer = check(client, "a", articles.wire_original())
    assert answer["words"] > 500 and answer["warnings"] == []
    assert check(client, "b", html=page())["words"] > 500


def test_a_short_text_is_stored_with_a_warning(client):
    text = "Russia said Thursday that the United States was failing to address its main security concerns."
    answer = check(client, "short", text)
    assert answer["indexed"] is True and answer["words"] == 15
    assert answer["warnings"] == [
        "text too short to match reliably: 15 words (only near-verbatim copies are found below 45)"
    ]


def test_the_warning_stops_where_containment_starts_to_count(client):
    """DEDUPE_MIN_CONTAINMENT_SHINGLES (40) shingles of 6 words: 45 distinct words are enough, 44 are not."""
    words = [f"word{i}" for i in range(45)]
    assert check(client, "enough", " ".join(words) + ".")["warnings"] == []
    assert check(client, "short", " ".join(words[:44]) + ".")["warnings"] != []
