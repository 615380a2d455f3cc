"""Hostile and broken input: the text pipeline fuzzed with hypothesis (no exception, bounded time), crafted
extremes through the HTTP API (no 5xx), and copies disguised to slip past the check (still flagged)."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dedupe.normalise import html_to_text, normalise_unicode
from dedupe.text import story_paragraphs
from support import articles
from support.tokens import article_tokens

from .util import story

#: Any character, lone surrogates and NUL included (hypothesis leaves surrogates out unless asked).
ANY_CHAR = st.characters(codec=None, exclude_categories=())
FUZZ = settings(max_examples=150, deadline=timedelta(seconds=3), suppress_health_check=list(HealthCheck),
                derandomize=True, database=None)  # fmt: skip
#: Wall-clock bound for one extreme input through the whole pipeline (CI machine: 2 cores).
EXTREME_BOUND_S = 15.0


@st.composite
def html_pages(draw) -> str:
    depth = draw(st.integers(0, 300))
    tag = draw(st.sampled_from(["div", "p", "span", "article", "b", "li", "table", "x-y"]))
    inner = draw(st.text(ANY_CHAR, max_size=300))
    junk = draw(st.sampled_from(["", "<", "</p", "<!--", "<![CDATA[", "&#0;", "&#xD800;", "&amp", "<script>"]))
    return f"<{tag}>" * depth + inner + junk + f"</{tag}>" * draw(st.integers(0, depth))


@FUZZ
@given(st.text(ANY_CHAR, max_size=2000), st.one_of(st.none(), st.text(ANY_CHAR, max_size=200)))
def test_text_functions_never_raise(text, title):
    out = normalise_unicode(text)
    assert isinstance(out, str) and "\x00" not in out
    assert all(isinstance(line, str) for line in story_paragraphs(out, title))
    assert all(isinstance(t, str) for t in article_tokens(text=text, title=title))


@FUZZ
@given(html_pages())
def test_html_functions_never_raise(page):
    assert isinstance(html_to_text(page), str)
    assert isinstance(article_tokens(html=page), list)


@FUZZ
@given(st.binary(max_size=3000))
@example(b"\xe4\xb8\xad\xe5\x9b\xbd\x80")  # Chinese and a lone surrogate: OpenCC takes UTF-8 only
def test_invalid_utf8_decoded_any_way_never_raises(raw):
    for text in (raw.decode("utf-8", "surrogateescape"), raw.decode("utf-8", "replace"), raw.decode("latin-1")):
        for tokens in (article_tokens(text=text), article_tokens(html=text)):
            assert isinstance(tokens, list)
            for token in tokens:  # words the fingerprint can hash: no lone surrogate, no NUL, never empty
                assert isinstance(token, str) and token and "\x00" not in token, (text, token)
                token.encode("utf-8")  # raises on a lone surrogate


def _extremes() -> dict[str, dict]:
    para = "<p>" + story(1, 1) + "</p>"
    return {
        "nested_html_100k": {"html": "<div>" * 100_000 + para + "</div>" * 100_000},
        "page_5mb": {"html": "<html><body>" + para * (5_000_000 // len(para)) + "</body></html>"},
        "token_1m_chars": {"text": story(2) + " " + "x" * 1_000_000},
        "token_1m_chars_html": {"html": "<p>" + "y" * 1_000_000 + "</p>" + para},
        "lone_surrogates": {"text": story(3).replace(" ", " \ud800 ", 50) + "\udfff"},
        "invalid_utf8": {"text": (story(4).encode() + b"\xff\xfe\xc3\x28\xa0\xa1").decode("utf-8", "surrogateescape")},
        "nul_bytes": {"text": story(5).replace(" ", "\x00 ", 100), "html": "<p>\x00</p>"},
        "mixed_scripts": {"text": story(6) + " Привет мир Γειά σου κόσμε مرحبا بالعالم 你好世界 こんにちは 🙂\u202e"},
        "entities_only": {"html": "&#0;&#xD800;&#x110000;&amp;&lt;" * 10_000},
        "one_huge_line": {"text": " ".join(["word"] * 400_000)},
    }


@pytest.mark.parametrize("name", list(_extremes()))
def test_extreme_input_is_handled_in_bounded_time(name):
    fields = _extremes()[name]
    started = time.perf_counter()
    tokens = article_tokens(text=fields.get("text"), html=fields.get("html"))
    took = time.perf_counter() - started
    assert isinstance(tokens, list)
    assert took < EXTREME_BOUND_S, f"{name}: {took:.1f}s"


# -- the same through HTTP: nothing a client sends gets a 5xx --------------------------------------------


def _hostile_requests() -> list[tuple[str, bytes | str, str]]:
    """(name, body, content type): each sent to /v1/check."""

    def j(obj) -> str:
        return json.dumps(obj)

    reqs = [(f"extreme:{name}", j({"id": name, **fields}), "application/json") for name, fields in _extremes().items()
            if len(j(fields)) < 1_900_000]  # fmt: skip
    reqs += [
        ("too_large", j({"id": "big", "text": "a " * 1_500_000}), "application/json"),
        ("invalid_utf8_body", b'{"id": "u", "text": "\xff\xfe caf\xe9"}', "application/json"),
        ("nested_json", "[" * 100_000 + "]" * 100_000, "application/json"),
        ("nested_object", '{"id": "n", "text": ' + '{"a": ' * 50_000 + "1" + "}" * 50_001, "application/json"),
        ("surrogate_escapes", '{"id": "\\ud800", "text": "\\udfff story \\ud83d"}', "application/json"),
        ("nul_in_id", j({"id": "a\x00b", "text": story(7)}), "application/json"),
        ("blank_id", j({"id": " \u200b ", "text": story(7)}), "application/json"),
        ("id_too_long", j({"id": "i" * 10_000, "text": story(7)}), "application/json"),
        ("numbers", j({"id": 1, "text": 2, "html": 3.5, "index": "yes"}), "application/json"),
        ("published_epoch", j({"id": "p", "text": story(7), "published_at": 1643270400}), "application/json"),
        (
            "published_garbage",
            j({"id": "p", "text": story(7), "published_at": "9999-99-99T99:99:99Z"}),
            "application/json",
        ),
        (
            "published_year_0",
            j({"id": "p1", "text": story(7), "published_at": "0001-01-01T00:00:00+14:00"}),
            "application/json",
        ),
        (
            "published_year_10000",
            j({"id": "p2", "text": story(7), "published_at": "9999-12-31T23:59:59-14:00"}),
            "application/json",
        ),
        ("not_json", "id=1&text=2", "application/x-www-form-urlencoded"),
        ("empty", "", "application/json"),
        ("nan", '{"id": "nan", "text": NaN}', "application/json"),
        ("huge_number", '{"id": "h", "text": "t", "index": 1' + "0" * 5000 + "}", "application/json"),
        ("array", j([{"id": "a", "text": story(8)}]), "application/json"),
        ("only_boilerplate", j({"id": "b", "text": "Source link\n\nAdvertisement\n\n© 2026"}), "application/json"),
        ("only_tags", j({"id": "t", "html": "<div><span></span></div>" * 1000}), "application/json"),
    ]
    return reqs


def test_hostile_http_inputs_never_get_a_5xx(app):
    client = app.test_client()
    answers = {}
    for name, body, ctype in _hostile_requests():
        response = client.post("/v1/check", data=body, content_type=ctype)
        answers[name] = response.status_code
        assert response.is_json, name
    for name in ("/v1/articles/%00", "/v1/articles/" + "x" * 5000, "/v1/stories/%ff%fe", "/v1/articles/%ED%A0%80"):
        answers[name] = client.get(name).status_code
    fivexx = {n: s for n, s in answers.items() if s >= 500}
    statuses = sorted(set(answers.values()))
    print(f"\nhostile HTTP: {len(answers)} requests, {len(fivexx)} answered 5xx; statuses {statuses}")
    assert not fivexx, fivexx
    assert answers["too_large"] == 413 and answers["invalid_utf8_body"] in (400, 422)


# -- evasion: a disguised copy is still a copy ----------------------------------------------------------

_CYR = str.maketrans("aeopcxyAEOPCXTHKM", "аеорсхуАЕОРСХТНКМ")
_GRK = str.maketrans("AEOIKNTXoiv", "ΑΕΟΙΚΝΤΧοιν")


def _entities(text: str) -> str:
    return "".join(f"&#{ord(c)};" if c in "aeiou" else c for c in text)


EVASIONS = {
    "zero_width": lambda t: t.replace(" ", " \u200b", 400).replace("e", "e\u200d").replace("o", "\u2060o"),
    "soft_hyphens": lambda t: t.replace("tion", "ti\u00adon").replace("er", "e\u00adr"),
    "cyrillic": lambda t: t.translate(_CYR),
    "greek": lambda t: t.translate(_GRK),
    "cyrillic_half": lambda t: " ".join(w.translate(_CYR) if i % 2 else w for i, w in enumerate(t.split(" "))),
    "html_entities": _entities,
    "whitespace": lambda t: t.replace(" ", "  \t").replace("\n\n", "\n \n\n"),
    "punctuation": lambda t: t.replace(",", " ,").replace(".", " . ").replace("“", '"').replace("”", '"'),
    "nbsp_and_fullwidth": lambda t: t.replace(" ", "\u00a0").replace("a", "\uff41"),
    "bidi_controls": lambda t: t.replace(" ", " \u202a\u2066", 300),
    "everything": lambda t: _entities(t.translate(_CYR)).replace(" ", "\u200b \u00ad"),
}


@pytest.mark.parametrize("name", list(EVASIONS))
def test_disguised_copy_is_still_flagged(client, name):
    original = articles.wire_original()
    assert client.post("/v1/check", json={"id": "orig", "text": original}).get_json()["duplicate"] is False
    disguised = EVASIONS[name](original)
    assert disguised != original
    for field in ("text", "html"):
        body = disguised if field == "text" else "<article>" + "".join(
            f"<p>{p}</p>" for p in disguised.split("\n\n")) + "</article>"  # fmt: skip
        answer = client.post("/v1/check", json={"id": f"copy-{field}", field: body, "index": False}).get_json()
        assert answer["duplicate"] is True, (name, field, answer)
