"""Passage alignment: counts from sentence hashes, the same sentences as the fingerprint's, in the API answer,
and agreement with a brute-force sentence comparison on the evaluation's generated copies."""

from __future__ import annotations

import re

import pytest

from dedupe.alignment import align, shared_flags, split, unpack
from dedupe.fingerprint import Params, fingerprint_text
from dedupe.text import story_text
from support import articles
from tests.helpers import check

ORIGINAL = list(range(100, 130))  # 30 sentences


def test_a_copy_with_a_new_top_cut_after_nine():
    copy = [1, *ORIGINAL[:9]]
    a = align(copy, ORIGINAL)
    assert (a.shared, a.sentences, a.match_sentences) == (9, 10, 30)
    assert (a.added_top, a.added_inside, a.added_end, a.cut_top, a.cut_after) == (1, 0, 0, 0, 9)
    assert a.summary == "shares 9 of its 10 sentences; adds 1 sentence at the top; stops after sentence 9 of 30"


def test_additions_inside_and_at_the_end_and_a_cut_top():
    copy = [*ORIGINAL[3:8], 1, 2, *ORIGINAL[8:], 3]
    a = align(copy, ORIGINAL)
    assert (a.shared, a.added_top, a.added_inside, a.added_end, a.cut_top, a.cut_after) == (27, 0, 2, 1, 3, None)
    assert a.summary == (
        "shares 27 of its 30 sentences; adds 2 sentences in the middle; adds 1 sentence at the end; "
        "leaves out the first 3 sentences of 30"
    )


def test_whole_copies_and_strangers():
    assert align(ORIGINAL, ORIGINAL).summary == "shares all 30 sentences"
    none = align([1, 2], ORIGINAL)
    assert (none.shared, none.added_top, none.cut_after) == (0, 2, None)
    assert none.summary == "shares none of its 2 sentences"
    assert align([], ORIGINAL).summary == "no sentence to compare"
    # a longer article carrying a short one whole: it goes on, the match does not stop early
    longer = align([*ORIGINAL[:4], 7, 8], ORIGINAL[:4])
    assert (longer.added_end, longer.cut_after) == (2, None)


def test_split_gives_the_fingerprints_sentences_and_the_text_back():
    for raw in (
        articles.SEED,
        "北京消息。今天天气很好，我们去公园散步吧。明天可能会下雨，记得带伞出门。",
        "Short. Too short.",
    ):
        story = story_text(raw, None, None)
        pieces = split(story)
        assert "".join(p.text for p in pieces) == story
        hashed = [p.hash for p in pieces if p.hash is not None]
        assert hashed == unpack(fingerprint_text(story, Params()).sentences)


def test_the_answer_carries_the_alignment(client):
    paras = articles.story_paragraphs()
    check(client, "orig", articles.join(paras), published_at="2022-01-27T08:00:00Z")
    local = "Residents of the city gathered on Thursday evening to discuss what the talks could mean for them."
    copy = articles.join([local, *paras[:9]])
    (match,) = check(client, "copy", copy, published_at="2022-01-27T09:00:00Z")["matches"]
    a = match["alignment"]
    assert a["added_top"] == 1 and a["added_inside"] == a["added_end"] == 0
    assert a["shared"] == a["sentences"] - 1
    assert a["cut_after"] is not None and a["cut_after"] < a["match_sentences"]
    assert a["summary"].startswith(
        f"shares {a['shared']} of its {a['sentences']} sentences; adds 1 sentence at the top"
    )
    assert f"stops after sentence {a['cut_after']} of {a['match_sentences']}" in a["summary"]
    # the original, checked again without storing, carries the copy's sentences and goes on after them
    (back,) = check(client, "orig", articles.join(paras), index=False)["matches"]
    assert back["alignment"]["added_end"] > 0 and back["alignment"]["added_top"] == 0


_WORDS = re.compile(r"\w+")


def _words(sentence: str) -> tuple[str, ...]:
    return tuple(_WORDS.findall(sentence.casefold()))


def agreement(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """Share of the copies' sentences (5 words or more) that the alignment and a brute-force comparison (the
    same words as a sentence of the original, compared as text) both call shared, or both call added: over all
    of them (those beyond the 64 hashed count as unlike), and over those the alignment covers."""
    alike = total = covered = 0
    for copy, original in pairs:
        mine, theirs = split(copy), split(original)
        hashes = [s.hash for s in mine if s.hash is not None]
        flags = dict(zip(hashes, shared_flags(hashes, [s.hash for s in theirs if s.hash is not None]), strict=True))
        texts = {_words(s.text) for s in theirs}
        for s in mine:
            if len(_words(s.text)) >= 5:
                total += 1
                covered += s.hash in flags
                alike += flags.get(s.hash) == (_words(s.text) in texts)
    return alike / total, alike / covered


@pytest.mark.slow
def test_alignment_agrees_with_brute_force_on_the_evaluations_copies():
    from eval import dataset, syndicate
    from eval.service_run import stories_of

    items = dataset.sample(dataset.build(), 400)
    stories = stories_of(items)
    pairs = [(stories[it.id], stories[it.story]) for it in items if it.kind in syndicate.COPY_KINDS]
    assert len(pairs) > 500
    overall, covered = agreement(pairs)
    print(f"alignment vs brute force: {overall:.4f} of all sentences, {covered:.4f} of the first 64")
    assert overall >= 0.95 and covered >= 0.995
