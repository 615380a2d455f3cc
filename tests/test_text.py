"""The text pipeline (dedupe/text.py): boilerplate, datelines, Unicode noise and HTML pages."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.normalise import _THOUSANDS, html_to_text, normalise_unicode
from dedupe.text import story_paragraphs, story_text
from support import articles
from support.tokens import article_tokens, tokens

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
    assert story_paragraphs(f"{line}\n\n{PARAGRAPH}\n\n{line}") == [PARAGRAPH]


def test_story_sentence_mentioning_copyright_words_is_kept():
    sentence = (
        "The court ruled on Thursday that the agency's copyright had been infringed by the website, which "
        "had republished its photographs without permission for more than two years."
    )
    assert story_paragraphs(sentence) == [sentence]


def test_repeated_line_is_kept_once():
    assert story_paragraphs(f"{PARAGRAPH}\n{PARAGRAPH}\n\n{PARAGRAPH}") == [PARAGRAPH]


def test_title_line_is_removed_even_when_long():
    title = "Russia says the United States is failing on Ukraine, but more talks are possible in two weeks in Berlin."
    assert story_paragraphs(f"{title}\n{PARAGRAPH}", title=title) == [PARAGRAPH]


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
    assert story_paragraphs(dateline + PARAGRAPH) == [PARAGRAPH]


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
    assert story_paragraphs(f"{line}\n{PARAGRAPH}", title=normalise_unicode(title)) == [PARAGRAPH]
    kept = "Lavrov added: NATO ignored Russia's concerns, talks will go on."  # same first word, not the title
    assert story_paragraphs(f"{kept}\n{PARAGRAPH}", title=title)[0]
    assert story_paragraphs(f"{kept}\n{PARAGRAPH}", title=title) == [kept, PARAGRAPH]


# -- real layouts and scripts (issue: detection on real text) -------------------------------------------------


def _rewrap(text: str, width: int, indent: bool) -> str:
    """Hard-wrap every paragraph at `width` columns, as a wire feed does; paragraphs marked by indentation."""
    import textwrap

    lead = "    " if indent else ""
    paras = [p for p in text.split("\n") if p.strip()]
    return "\n".join(textwrap.fill(p, width, initial_indent=lead) for p in paras)


@settings(max_examples=40, deadline=None)
@given(width=st.integers(40, 100), indent=st.booleans(), crlf=st.booleans())
def test_rewrapping_an_article_at_any_width_keeps_its_fingerprint(width, indent, crlf):
    from dedupe.fingerprint import Params, fingerprint_text, jaccard

    params = Params(shingle_size=6)
    original = articles.wire_original()
    wrapped = _rewrap(original, width, indent)
    if crlf:
        wrapped = wrapped.replace("\n", "\r\n")
    a = fingerprint_text(story_text(original), params)
    b = fingerprint_text(story_text(wrapped), params)
    assert jaccard(a.signature, b.signature) >= 0.95
    assert len(
        set(a.sentences[i : i + 4] for i in range(0, len(a.sentences), 4))
        & set(b.sentences[i : i + 4] for i in range(0, len(b.sentences), 4))
    ) >= 0.8 * (len(a.sentences) // 4)  # fmt: skip (a subhead joins the paragraph after it)


def test_hard_wrapped_paragraphs_are_joined_and_wire_markers_dropped():
    wire = (
        "BC-Russia-US,0512\n"
        "    MOSCOW, Jan 27 (Reuters) - Russia said on Thursday that the United\n"
        "States had failed to address its main security concerns but left the\n"
        "door open to more talks.\n"
        "    The Kremlin said it would take time to study the reply sent on\n"
        "Wednesday.\n"
        "(MORE)\n"
        " REUTER\n"
        "-0-\n"
        "###\n"
        "END\n"
    )
    assert story_paragraphs(wire) == [
        "Russia said on Thursday that the United States had failed to address its main security concerns but left "
        "the door open to more talks.",
        "The Kremlin said it would take time to study the reply sent on Wednesday.",
    ]


def test_a_one_line_flash_is_a_story():
    assert story_text("Breaking: 3 hurt in Paris bus crash") == "Breaking: 3 hurt in Paris bus crash"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "新华社北京12月1日电 中国国家主席习近平1日会见法国总统。双方交换了意见。",
            "中国国家主席习近平1日会见法国总统。双方交换了意见。",
        ),
        ("【ワシントン共同】米政府は1日、新たな制裁を発表した。", "米政府は1日、新たな制裁を発表した。"),
        (
            "Jakarta (ANTARA) - Pemerintah mengumumkan kebijakan baru pada Kamis.",
            "Pemerintah mengumumkan kebijakan baru pada Kamis.",
        ),
        (
            "Oslo, 11 dic (EFE).- El Gobierno noruego anunció este jueves nuevas medidas.",
            "El Gobierno noruego anunció este jueves nuevas medidas.",
        ),
    ],
)
def test_datelines_of_other_languages_are_stripped(text, expected):
    assert story_text(text) == expected


def test_traditional_and_simplified_chinese_give_one_text():
    assert story_text("國務院總理李強主持召開會議。會議審議通過工作規則。") == story_text(
        "国务院总理李强主持召开会议。会议审议通过工作规则。"
    )


@pytest.mark.parametrize(
    "line", ["Lire la suite", "Baca juga: Harga emas naik", "Читайте также", "相关新闻", "関連記事"]
)
def test_furniture_of_other_languages_is_removed(line):
    assert story_paragraphs(f"{PARAGRAPH}\n{line}\n{PARAGRAPH.replace('Lavrov', 'Peskov')}") == [
        PARAGRAPH,
        PARAGRAPH.replace("Lavrov", "Peskov"),
    ]


@pytest.mark.parametrize("marker", ["END", "(MORE)", "-0-", "###", "REUTER", "AP-NY-01-27-22 1132EST", "nnnn"])
def test_wire_marker_lines_are_not_part_of_a_flash(marker):
    assert story_text(f"Breaking: 3 hurt in Paris bus crash\n{marker}\n") == "Breaking: 3 hurt in Paris bus crash"


# -- real page furniture and layouts (issue 9: copies whose page openings are mostly site furniture) --------------

SECOND = PARAGRAPH.replace("Lavrov", "Peskov").replace("Moscow's", "Russia's")


def test_a_page_of_menus_and_related_links_keeps_only_its_story():
    """Many short lines (menus, video links, related headlines) are labels, not a layout: they are dropped."""
    menu = ["Home", "World", "Vatican", "01:18", "Nigeria mourns the pope Go to the video", "01:02",
            "South Africa mourns the death of Pope Francis", "02:17", "Pope Francis, diplomacy for peace",
            "Go to the video", "Benin pays tribute to a writer", "Open in App"]  # fmt: skip
    page = "\n".join([*menu[:3], PARAGRAPH, SECOND, *menu[3:]])
    assert story_paragraphs(page) == [PARAGRAPH, SECOND]


def test_a_layout_of_short_lines_holding_most_words_is_still_read_as_lines():
    words = " ".join([PARAGRAPH.rstrip(".")] * 6).split()
    lines = [" ".join(words[i : i + 9]) for i in range(0, len(words), 9)]  # short lines, no sentence ends
    text = "\n".join(f"{line}\n" for line in lines)  # blank-line separated: never read as a hard wrap
    assert story_text(text).split() == text.split()


def test_a_sentence_broken_over_lines_by_hand_is_joined():
    broken = (
        f"{PARAGRAPH} {SECOND}\n\n{SECOND} {PARAGRAPH}\n\n"  # long paragraphs on one line each: no hard wrap
        "He reviewed the situation at a meeting with officials and directed to keep the\n"
        "situation under control.\n\n"
        "He encouraged the jawans deployed on the spot and congratulated them for\n"
        "quickly bringing the violence under control."
    )
    assert story_paragraphs(broken)[2:] == [
        "He reviewed the situation at a meeting with officials and directed to keep the situation under control.",
        "He encouraged the jawans deployed on the spot and congratulated them for quickly bringing the violence "
        "under control.",
    ]


def test_a_headline_is_not_joined_to_the_story_below_it():
    assert story_paragraphs(f"Kremlin sees some room for dialogue after US security response\n{PARAGRAPH}") == [
        PARAGRAPH
    ]


def test_a_teaser_repeating_a_story_paragraph_is_kept_where_the_story_has_it():
    assert story_paragraphs(f"{SECOND}\nRepresentational Image.\n{PARAGRAPH}\n{SECOND}") == [PARAGRAPH, SECOND]


@pytest.mark.parametrize(
    "line",
    [
        "Home > News > World > Europe",
        "首页>文化频道>要闻>正文",
        "We use cookies to give you the best experience. By continuing to use this site you accept them.",
        "Nous utilisons des cookies pour améliorer votre expérience de navigation.",
        "Цей сайт використовує cookies, як власні, так і від третіх осіб.",
        "编辑：张三",  # full-width colon, as the data is written: the text is normalised, so is the data
        "関連記事：大分で震度5強",
        "Blinken and Jaishankar in New Delhi last year. (File photo/News18)",
        "Sign up to read this article",
        "Presidente de Cuba, Miguel Díaz-Canel Bermúdez Foto/ ACN",
        "Home | News | Haryana's Nuh > Situation under control",
        "Votre adresse email ne sera pas publiée.",
        "Esta pregunta es para comprobar si usted es un visitante humano y prevenir envíos de spam automatizado.",
    ],
)
def test_furniture_of_real_pages_is_removed(line):
    assert story_paragraphs(f"{line}\n{PARAGRAPH}\n{SECOND}\n{line}") == [PARAGRAPH, SECOND]


def test_a_story_sentence_about_cookies_is_not_a_cookie_notice():
    cookies = "Regulators said the company had placed tracking cookies without consent for more than two years."
    assert story_paragraphs(f"{cookies}\n{PARAGRAPH}") == [cookies, PARAGRAPH]
    assert story_paragraphs(f"{PARAGRAPH}\n{cookies}") == [PARAGRAPH, cookies]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date 2022-01-04 New Delhi: External Affairs Minister S. Jaishankar spoke to Antony Blinken.",
         "External Affairs Minister S. Jaishankar spoke to Antony Blinken."),
        ("New Delhi [India], Feb 24 : Reacting to the violence, the home secretary said it was under control.",
         "Reacting to the violence, the home secretary said it was under control."),
        ("Chandigarh, Aug 5 (IANS) Situation in Haryana's Nuh is under control, the CRPF said on Saturday.",
         "Situation in Haryana's Nuh is under control, the CRPF said on Saturday."),
        ("Mumbai: Market benchmark indices scaled fresh closing peaks on Wednesday on buying by investors.",
         "Market benchmark indices scaled fresh closing peaks on Wednesday on buying by investors."),
        ("NEW DELHI: A Delhi-bound Air India flight made an emergency landing after the commander's report.",
         "A Delhi-bound Air India flight made an emergency landing after the commander's report."),
        ("(MENAFN) On Monday, Turkey's National Defense Ministry reported that five militants were killed.",
         "On Monday, Turkey's National Defense Ministry reported that five militants were killed."),
        ("MOSCOW (REUTERS) – The Kremlin said on Thursday there was room to continue dialogue with Washington.",
         "The Kremlin said on Thursday there was room to continue dialogue with Washington."),
        ("मुंबई, 25 जुलाई (आईएएनएस)। अभिनेत्री माधुरी दीक्षित ऑन स्क्रीन और ऑफ स्क्रीन खूब मस्ती करती हैं।",
         "अभिनेत्री माधुरी दीक्षित ऑन स्क्रीन और ऑफ स्क्रीन खूब मस्ती करती हैं।"),
        ("Offenbach | Der Deutsche Wetterdienst hat am Donnerstag erneut vor schweren Gewittern gewarnt.",
         "Der Deutsche Wetterdienst hat am Donnerstag erneut vor schweren Gewittern gewarnt."),
        ("МОСКВА, 30 ноя - ПРАЙМ. Отставка Андрея Ермака - очередной пиар-ход, заявила Мария Захарова.",
         "Отставка Андрея Ермака - очередной пиар-ход, заявила Мария Захарова."),
        ("La Habana, Cuba. – El presidente de la República de Cuba destacó hoy el apoyo internacional.",
         "El presidente de la República de Cuba destacó hoy el apoyo internacional."),
        ("俄罗斯卫星通讯社北京1月11日电 中国外交部发言人汪文斌1月11日在例行记者会上表示。",
         "中国外交部发言人汪文斌1月11日在例行记者会上表示。"),
    ],
)  # fmt: skip
def test_english_datelines_and_date_stamps_are_stripped(text, expected):
    assert story_text(text) == expected


def test_a_colon_after_a_lower_case_word_is_not_a_dateline():
    text = "Royaume-Uni: la reine Elizabeth II est morte à l'âge de 96 ans, a annoncé le palais de Buckingham."
    assert story_text(text) == text


def test_stacked_date_stamps_are_stripped_once_and_bounded():
    text = "date 2022-01-04 " * 5000 + "The talks went on."
    assert story_text(text).startswith("date 2022-01-04 date")


def test_a_caption_mark_inside_a_sentence_is_not_a_credit():
    line = "He showed the photo: a man in a red coat walking away from the burning car, with two more close behind"
    assert story_paragraphs(f"{line}\n{PARAGRAPH}") == [line, PARAGRAPH]


def test_a_short_line_met_twice_is_a_title_or_a_caption():
    caption = "Pope Francis has died at the age of 88."
    assert story_paragraphs(f"{caption}\n\n{caption}\n\n{PARAGRAPH}\n{SECOND}") == [PARAGRAPH, SECOND]
    assert story_text("Breaking: 3 hurt in Paris bus crash\nBreaking: 3 hurt in Paris bus crash") == (
        "Breaking: 3 hurt in Paris bus crash"
    )


def test_a_menu_flattened_into_one_line_is_not_story():
    menu = (
        "Home News World Business Markets Sport Cricket Football Entertainment Bollywood Lifestyle Health Tech "
        "Auto Video Photos Opinion Epaper Live TV"
    )
    assert story_paragraphs(f"{menu}\n{PARAGRAPH}\n{SECOND}") == [PARAGRAPH, SECOND]
    german = "Der Deutsche Wetterdienst warnt vor Sturm und Gewitter in weiten Teilen des Landes bis in die Nacht"
    assert story_paragraphs(f"{german}\n{PARAGRAPH}")[0] == german  # nouns are capitalised, not every word
