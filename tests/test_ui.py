"""The newsroom view over HTTP (Flask's client, real Redis): pages, hostile article fields made inert, CSRF
on its forms, the login with DEDUPE_API_KEYS. The browser tests (test_ui_browser.py) click through it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from support import articles
from tests.helpers import check

HOSTILE = {
    "title": '<script>alert("title")</script><img src=x onerror=alert(1)>',
    "url": "javascript:alert(document.cookie)",
    "outlet": "<script>alert('outlet')</script>",
}


class Links(HTMLParser):
    """Every tag and every URL-valued attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in ("href", "src", "action", "formaction", "xlink:href")]
        assert not [k for k, _ in attrs if k.startswith("on")], (tag, attrs)


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def story_of(client, article_id: str) -> str:
    return client.get(f"/v1/articles/{article_id}").get_json()["story_id"]


def csrf_token(client, path: str = "/ui/check") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture
def story(client):
    paras = articles.story_paragraphs()
    check(client, "afp-1", articles.join(paras), title="Russia says US failing", url="https://afp.example/1",
          outlet="AFP", published_at="2022-01-27T08:00:00Z")  # fmt: skip
    local = "Residents of the city gathered on Thursday evening to discuss what the talks could mean for them."
    check(client, "ndtv-1", articles.join([local, *paras[:8]]), title="Talks possible", outlet="NDTV",
          url="https://ndtv.example/1", published_at="2022-01-27T09:30:00Z")  # fmt: skip
    return story_of(client, "afp-1")


def test_every_page_renders(client, story):
    recent = client.get("/ui/").get_data(as_text=True)
    assert "Russia says US failing" in recent and f"/ui/stories/{story}" in recent
    page = client.get(f"/ui/stories/{story}").get_data(as_text=True)
    assert "<svg" in page and page.count('class="dot ') == 2 and "stops after sentence 8" in page
    copy = client.get("/ui/articles/ndtv-1").get_data(as_text=True)
    assert 'class="added"' in copy and 'class="cut"' in copy and 'class="shared"' in copy
    assert "adds 1 sentence at the top" in copy
    assert "/ui/articles/ndtv-1" in client.get("/ui/search?q=talks").get_data(as_text=True)
    assert "/ui/articles/afp-1" in client.get("/ui/search?q=https://afp.example/1").get_data(as_text=True)
    assert client.get("/ui/stories/nope").status_code == client.get("/ui/articles/nope").status_code == 404
    for path in ("/ui/", f"/ui/stories/{story}", "/ui/articles/ndtv-1", "/ui/search?q=x", "/ui/check"):
        response = client.get(path)
        assert "script-src" not in response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_the_check_form_checks_without_storing(client, story, redis_client):
    before = redis_client.dbsize()
    response = client.post("/ui/check", data={"csrf_token": csrf_token(client), "text": articles.brief()})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "A copy of a story already seen" in page and "/ui/articles/afp-1" in page
    assert redis_client.dbsize() == before
    bad = client.post("/ui/check", data={"csrf_token": csrf_token(client), "text": "x", "published_at": "yesterday"})
    assert bad.status_code == 422 and "published_at" in bad.get_data(as_text=True)


def test_forms_without_a_valid_csrf_token_are_refused(client, story):
    assert client.post("/ui/check", data={"text": articles.brief()}).status_code == 400
    assert client.post("/ui/check", data={"csrf_token": "forged", "text": articles.brief()}).status_code == 400
    assert client.post("/ui/logout").status_code == 400
    assert client.post("/v1/check", json={"id": "api", "text": articles.brief()}).status_code == 200  # API: keys


def test_hostile_article_fields_are_inert_on_every_page(client):
    text = articles.wire_original() + "\n\n<script>alert('text')</script> <a href=\"javascript:alert(2)\">x</a>"
    check(client, "evil<script>", text, **HOSTILE, published_at="2022-01-27T08:00:00Z")
    check(client, "evil-copy", articles.wrapped_copy() + "\n\n<script>alert(3)</script>", **HOSTILE)
    story = story_of(client, "evil-copy")
    token = csrf_token(client)
    pages = [client.get(p) for p in ("/ui/", f"/ui/stories/{story}", "/ui/articles/evil-copy",
                                      "/ui/articles/evil%3Cscript%3E", "/ui/search?q=<script>alert(1)</script>",
                                      "/ui/search?q=evil-copy")]  # fmt: skip
    pages.append(client.post("/ui/check", data={"csrf_token": token, "text": text, **HOSTILE}))
    for response in pages:
        assert response.status_code == 200, response.request.path
        html = response.get_data(as_text=True)
        assert "<script" not in html.lower() and "<img" not in html.lower()
        links = parse(html)
        assert "script" not in links.tags
        assert all(re.match(r"^(https?://|/(?!/)|\?|#)", u) for u in links.urls), links.urls
    assert "&lt;script&gt;" in pages[2].get_data(as_text=True)  # shown, as text


@pytest.fixture
def keyed(make_app):
    return make_app(api_keys=("k-one", "k-two"), secret_key="test-secret").test_client()


def test_with_api_keys_the_view_asks_for_a_key(keyed, make_app):
    response = keyed.get("/ui/stories/x?y=1")
    assert response.status_code == 302 and response.headers["Location"].startswith("/ui/login?next=")
    token = csrf_token(keyed, "/ui/login")
    wrong = keyed.post("/ui/login", data={"csrf_token": token, "key": "nope"})
    assert wrong.status_code == 401
    assert keyed.post("/ui/login", data={"key": "k-two"}).status_code == 400  # no CSRF token
    ok = keyed.post("/ui/login", data={"csrf_token": token, "key": "k-two", "next": "//evil.example/"})
    assert ok.status_code == 302 and ok.headers["Location"] == "/ui/"
    assert keyed.get("/ui/").status_code == 200
    cookie = keyed.get_cookie("dedupe_ui")
    assert cookie.http_only and cookie.same_site == "Lax" and "k-two" not in cookie.value
    # the key leaves DEDUPE_API_KEYS: the session no longer opens the view
    rotated = make_app(api_keys=("k-one",), secret_key="test-secret").test_client()
    rotated.set_cookie("dedupe_ui", cookie.value)
    assert rotated.get("/ui/").status_code == 302
    assert keyed.post("/ui/logout", data={"csrf_token": csrf_token(keyed, "/ui/")}).status_code == 302
    assert keyed.get("/ui/").status_code == 302


def test_without_stored_texts_the_copy_page_shows_the_alignment(make_app):
    client = make_app(store_text=False).test_client()
    check(client, "a", articles.wire_original(), published_at="2022-01-27T08:00:00Z")
    check(client, "b", articles.brief(), published_at="2022-01-27T09:00:00Z")
    page = client.get("/ui/articles/b").get_data(as_text=True)
    assert "not stored" in page and "shares all" in page
