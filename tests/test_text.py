"""The text pipeline (dedupe/text.py): boilerplate, datelines, Unicode noise and HTML pages."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.text import _THOUSANDS, article_tokens, html_to_text, normalise_unicode, story_lines, tokens
from tests import articles

PARAGRAPH = (
    "Foreign Minister Sergei Lavrov said Moscow's chief concern had been ignored, but that it would be "
    "possible to move forward on other issues."
)


@pytest.mark.parametrize(
    "line",
    [
        "Source link",
        "Leave a Reply",
        "Leave a comment",
        "Your email address will not be published. Required fields are marked *",
        "(This story has not been edited by NDTV staff and is auto-generated from a syndicated feed.)",
        "(This story has not been edited by Business Standard staff and is auto-generated from a syndicated feed.)",
        "© 2022 AFP",
        "Copyright 2022 The Associated Press. All rights reserved.",
        "Reporting by Mark Trevelyan; Editing by Alex Richardson",
        "Additional reporting by Jane Doe in Kyiv",
        "Photo: Russian President Vladimir Putin (AFP)",
        "Russia has a fraught historical relationship with Ukraine. (Representational)",
        "Updated: January 27, 2022 9:42 pm IST",
        "Read more",
        "Related Stories",
        "Advertisement",
        "Russia Says US Failing On Ukraine But More Talks Possible",  # a headline: short, no sentence end
        "By Agence France-Presse",
    ],
)
def test_boilerplate_line_is_removed_and_story_kept(line):
    assert story_lines(f"{line}\n\n{PARAGRAPH}\n\n{line}") == [PARAGRAPH]


def test_story_sentence_mentioning_copyright_words_is_kept():
    sentence = (
        "The court ruled on Thursday that the agency's copyright had been infringed by the website, which "
        "had republished its photographs without permission for more than two years."
    )
    assert story_lines(sentence) == [sentence]


def test_repeated_line_is_kept_once():
    assert story_lines(f"{PARAGRAPH}\n{PARAGRAPH}\n\n{PARAGRAPH}") == [PARAGRAPH]


def test_title_line_is_removed_even_when_long():
    title = "Russia says the United States is failing on Ukraine, but more talks are possible in two weeks in Berlin."
    assert story_lines(f"{title}\n{PARAGRAPH}", title=title) == [PARAGRAPH]


@pytest.mark.parametrize(
    "dateline",
    [
        "MOSCOW (AFP) - ",
        "MOSCOW (AFP) -- ",
        "MOSCOW (AFP) — ",
        "NEW DELHI, Jan 27 (Reuters) - ",
        "(AP) -- ",
        "WASHINGTON (AP) — ",
        "Kyiv (AFP) – ",
    ],
)
def test_dateline_is_stripped_from_the_first_paragraph(dateline):
    assert story_lines(dateline + PARAGRAPH) == [PARAGRAPH]


def test_wire_original_and_outlet_copy_have_the_same_tokens():
    wire = article_tokens(articles.wire_original())
    assert wire == article_tokens(articles.SEED)
    assert wire == article_tokens(articles.wrapped_copy())
    assert wire[:4] == ["russia", "said", "thursday", "that"]
    joined = " ".join(wire)
    for noise in ("source link", "leave a reply", "auto generated", "representational", "moscow afp"):
        assert noise not in joined


ORIGINAL = "Russia’s “security concerns” were ignored, Lavrov said; 13,000 people have been killed since 2014."


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(ORIGINAL.replace("Russia", "Rus\u200bsia").replace("Lavrov", "Lav\u200drov"), id="zero-width"),
        pytest.param(
            ORIGINAL.replace("security", "secu\u00adrity").replace("ignored", "ig\u00adnored"), id="soft-hyphen"
        ),
        pytest.param(ORIGINAL.replace("a", "\u0430").replace("o", "\u043e").replace("e", "\u0435"), id="cyrillic"),
        pytest.param(ORIGINAL.replace("p", "\u0440").replace("i", "\u0456").replace("c", "\u0441"), id="homoglyph-mix"),
        pytest.param(ORIGINAL.replace("’", "'").replace("“", '"').replace("”", '"'), id="straight-quotes"),
        pytest.param(ORIGINAL.replace(" ", "\u00a0"), id="nbsp"),
        pytest.param(ORIGINAL.replace("13,000", "13\u00a0000"), id="nbsp-thousands"),
        pytest.param(ORIGINAL.replace("13,000", "13000"), id="no-thousands-separator"),
        pytest.param(ORIGINAL.replace("Lavrov", "Ｌａｖｒｏｖ"), id="fullwidth"),
        pytest.param(ORIGINAL.replace("Lavrov", "Lavrov\ufeff"), id="bom"),
        pytest.param(ORIGINAL.replace("’", "&rsquo;").replace("“", "&ldquo;"), id="html-entities"),
        pytest.param(ORIGINAL.upper(), id="upper-case"),
    ],
)
def test_unicode_variants_produce_the_same_tokens(variant):
    assert variant != ORIGINAL
    assert tokens([normalise_unicode(variant)]) == tokens([normalise_unicode(ORIGINAL)])


def test_normalise_unicode_removes_nul_and_invisible_characters():
    assert normalise_unicode("a\x00b") == "ab"
    assert normalise_unicode("a\u200bb\u2060c\u00add") == "abcd"


def test_html_extraction_keeps_the_story_and_drops_navigation_related_comments_and_footer():
    text = html_to_text(articles.html_page())
    assert "Russia said Thursday that the United States was failing" in text
    assert "insufficient for a full-scale offensive" in text
    for noise in ("Privacy Policy", "observer99", "nobody ever learns", "Cricket", "Oil prices climb", "Business"):
        assert noise not in text


def test_html_page_gives_the_same_tokens_as_the_wire_text():
    assert article_tokens(html=articles.html_page()) == article_tokens(articles.wire_original())


def test_html_fragment_without_article_markup_still_yields_text():
    assert article_tokens(html=f"<div><p>{PARAGRAPH}</p></div>") == tokens([PARAGRAPH])


def test_text_wins_over_html_when_both_are_given():
    assert article_tokens(text=PARAGRAPH, html="<p>Something else entirely, a whole other sentence here.</p>") == (
        tokens([PARAGRAPH])
    )


def test_only_boilerplate_gives_no_tokens():
    assert article_tokens("Source link\n\nLeave a Reply\n\n© 2022 AFP") == []


# The readable form of the thousands rule: a digit, a separator, then exactly three digits.
READABLE_THOUSANDS = re.compile(r"(\d)[,.\u00a0\u202f'’](?=\d{3}(?!\d))")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789,.'’ \u00a0\u202fab", max_size=40))
def test_thousands_separators_go_as_the_readable_rule_says(text):
    """text._THOUSANDS is written for speed (separator first, then a look behind): same effect."""
    assert normalise_unicode(text) == normalise_unicode(READABLE_THOUSANDS.sub(r"\1", text))
    assert READABLE_THOUSANDS.sub(r"\1", text) == _THOUSANDS.sub("", text)


def test_a_paragraph_equal_to_the_title_goes_whatever_its_punctuation():
    title = "Lavrov: NATO ignored Russia's concerns, talks will go on."
    line = "“Lavrov — NATO ignored Russia’s concerns; talks will go on.”"
    assert story_lines(f"{line}\n{PARAGRAPH}", title=normalise_unicode(title)) == [PARAGRAPH]
    kept = "Lavrov added: NATO ignored Russia's concerns, talks will go on."  # same first word, not the title
    assert story_lines(f"{kept}\n{PARAGRAPH}", title=title)[0]
    assert story_lines(f"{kept}\n{PARAGRAPH}", title=title) == [kept, PARAGRAPH]
