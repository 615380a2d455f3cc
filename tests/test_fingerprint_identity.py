"""The compiled fingerprint (dedupe/tokens.py, dedupe/_kernels.py) computes exactly what the numpy code it
replaced computed (support/fingerprint_reference.py, kept verbatim): every field of every Fingerprint, and the
sentences alignment.split cuts, on the whole real corpus, the generated evaluation and bench corpora, and
hypothesis-made text in many scripts. Indexes built with scheme dedupe-v5 store these values: one changed
bit would silently break them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import astuple, fields
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe import alignment
from dedupe.fingerprint import SCHEME, Fingerprint, Params, fingerprint_text, minhash, shingles_of, word_hashes
from dedupe.text import story_text
from support import fingerprint_reference as ref

REAL = Path(__file__).resolve().parent.parent / "eval" / "real"
#: The shipped parameters, and others that take the other branches (lead shorter than a shingle, other sizes).
PARAMS = (
    Params(),
    Params(shingle_size=3, lead_tokens=20, seed=7),
    Params(shingle_size=8, num_perm=64, body_bands=32, lead_tokens=4, lead_perm=12, lead_bands=4),
    Params(shingle_size=1, lead_tokens=1),
)


def fingerprint_or_none(fn: Callable[[str, Params], Fingerprint], text: str, params: Params) -> Fingerprint | None:
    try:
        return fn(text, params)
    except ValueError:  # no words: both must refuse
        return None


def assert_same(text: str, params: Params = PARAMS[0]) -> None:
    new = fingerprint_or_none(fingerprint_text, text, params)
    old = fingerprint_or_none(ref.fingerprint_text, text, params)
    if new != old:
        differ = [f.name for f in fields(Fingerprint) if getattr(new, f.name, None) != getattr(old, f.name, None)]
        pytest.fail(f"{differ} differ for {text[:120]!r} ({params.describe()})")


def assert_same_split(text: str) -> None:
    assert [astuple(s) for s in alignment.split(text)] == [astuple(s) for s in ref.split(text)], text[:120]


def test_the_scheme_is_the_one_the_indexes_store():
    assert SCHEME == "dedupe-v5/poly-fmix64-rolling-cjkchars-narrative/datasketch-affine32/b16-bands/s32-sentences"


@cache
def real_pages() -> list[str]:
    return [
        json.loads(line)["text"]
        for path in sorted(REAL.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_every_real_page_fingerprints_as_before():
    pages = real_pages()
    assert len(pages) >= 300
    for page in pages:
        story = story_text(page)
        for params in PARAMS:
            assert_same(story, params)
        assert_same(page)  # as sent: site furniture, line breaks and all
        assert_same_split(story)


def test_every_generated_article_fingerprints_as_before():
    """The evaluation's generated stream (copies of every kind, HTML pages, wire items), its CJK copies and the
    benchmark's synthetic corpus, each through the text pipeline the service runs."""
    from bench.corpus import Corpus
    from dedupe.service import with_page_metadata
    from eval import cjk, dataset
    from eval.service_run import article_of

    items = dataset.build()
    stories = []
    for i, item in enumerate(items):
        if item.html is not None and i % 10:  # HTML extraction is slow: every tenth page
            continue
        content = with_page_metadata(article_of(item)).content()
        stories.append(story_text(content.text, content.html, content.title))
    stories += [story_text(it.text) for it in cjk.build("all")]
    stories += [story_text(a.text, title=a.title) for a in Corpus(seed=42).articles(300, prefix="fp")]
    assert len(stories) > 5000
    for story in stories:
        assert_same(story)
    for story in stories[::25]:
        assert_same_split(story)


# -- hypothesis: text in many scripts ---------------------------------------------------------------------------
SCRIPTS = {
    "latin": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéÉßİıǅ",
    "digits": "0123456789٣४๕",
    "cyrillic": "абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗ",
    "greek": "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΣΩ",
    "han": "中文新闻报道国家政府经济发展記者會說臺灣",
    "kana": "あいうえおかきくけこアイウエオカキクケコー",
    "hangul": "한국어뉴스기사정부경제",
    "thai": "ภาษาไทยข่าวรัฐบาลเศรษฐกิจ่้๊๋ั",
    "lao": "ພາສາລາວຂ່າວ",
    "khmer": "ភាសាខ្មែរព័ត៌មាន",
    "myanmar": "မြန်မာဘာသာသတင်း",
    "arabic": "العربيةخبرحكومةاقتصاد",
    "devanagari": "हिन्दीसमाचारसरकार",
    "marks": "\u0301\u0308\u0327\u093c\u0e31",
    "ends": ".!?…。！？؟।॥።။។",
    "quotes": '"“”„«»「」『』‘’',
    "space": "  \t\u3000\u00a0\n\n\n\r",
    "other": ",;:-—()[]'/&%$€#@*_\u200b\ufeff😀\U00020000\U0002a6d6\ud800\x00\x07",
}


@st.composite
def words(draw: st.DrawFn) -> str:
    """Runs of one script's characters, as words are, joined by spaces, sentence ends and quote marks."""
    pools = draw(st.lists(st.sampled_from(sorted(SCRIPTS)), min_size=1, max_size=4))
    parts = []
    for _ in range(draw(st.integers(0, 80))):
        pool = SCRIPTS[draw(st.sampled_from(pools))]
        parts.append(draw(st.text(alphabet=pool, min_size=1, max_size=8)))
        parts.append(draw(st.sampled_from([" ", " ", " ", ". ", "\n", "。", "” ", " “", '"', "! ", "…", ".\n", ""])))
    return "".join(parts)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(words(), st.text(alphabet="".join(SCRIPTS.values()), max_size=400)), st.sampled_from(PARAMS))
def test_text_in_any_script_fingerprints_as_before(text, params):
    assert_same(text, params)
    assert_same_split(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=300))
def test_any_code_points_fingerprint_as_before(text):
    assert_same(text)
    assert_same_split(text)
    assert np.array_equal(word_hashes(text), ref.word_hashes(text))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), max_size=300), st.integers(1, 9), st.sampled_from([(128, 1), (30, 2)]))
def test_shingles_and_minhash_as_before(values, k, perm):
    hashes = np.array(values, dtype=np.uint64)
    shingles = shingles_of(hashes, k)
    assert np.array_equal(shingles, ref.shingles_of(hashes, k))
    assert np.array_equal(minhash(shingles, *perm), ref.minhash(shingles, *perm))


EDGES = ["", " ", "\n", "a", "A.", "“", "1 2 3 4 5 6", "中", "ไทย ไทย", "a\u0301", "“a b c d e”. F", "x" * 70_000]


def test_edge_texts_fingerprint_as_before():
    for text in EDGES:
        for params in PARAMS:
            assert_same(text, params)
        assert_same_split(text)
    long = " ".join(f"w{i}" for i in range(60_000)) + ". “Q r s t u v”"  # past every first table size
    assert_same(long)
