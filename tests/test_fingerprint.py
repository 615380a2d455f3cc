"""MinHash fingerprints (dedupe/fingerprint.py): determinism, and estimates close to the exact values."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.fingerprint import Params, containment, fingerprint_text, jaccard, minhash, word_hashes
from dedupe.text import story_text
from support import articles
from support.tokens import article_tokens, fingerprint, shingle_hashes

PARAMS = Params()


def signature(hashes: np.ndarray, params: Params = PARAMS) -> bytes:
    """A body signature exactly as fingerprint() builds it (16-bit slots)."""
    return (minhash(hashes, params.num_perm, params.seed) & 0xFFFF).astype("<u2").tobytes()


def test_identical_text_gives_identical_fingerprint():
    words = article_tokens(articles.wire_original())
    assert fingerprint(words, PARAMS) == fingerprint(list(words), PARAMS)
    assert fingerprint(words, PARAMS) == fingerprint(article_tokens(articles.SEED), PARAMS)


def test_fingerprint_shape_follows_the_params():
    fp = fingerprint_text(story_text(articles.wire_original()), PARAMS)
    assert len(fp.signature) == PARAMS.num_perm * 2
    sentences = min(PARAMS.indexed_sentences, len(fp.sentences) // 4)
    assert len(fp.sentences) // 4 >= 20 and sentences == PARAMS.indexed_sentences  # its first ones are keys
    assert len(fp.band_keys) == PARAMS.body_bands + PARAMS.lead_bands + sentences
    assert fp.band_keys[-sentences:] == tuple(fp.sentences[i * 4 : i * 4 + 4] for i in range(sentences))
    assert all(len(k) == 2 * PARAMS.body_rows for k in fp.band_keys[: PARAMS.body_bands])
    assert b"".join(fp.band_keys[: PARAMS.body_bands]) == fp.signature[: 2 * PARAMS.body_rows * PARAMS.body_bands]


def test_different_text_gives_a_different_fingerprint():
    a = fingerprint(article_tokens(articles.wire_original()), PARAMS)
    b = fingerprint(article_tokens(articles.SAME_TOPIC), PARAMS)
    assert a.signature != b.signature
    assert not set(a.band_keys) & set(b.band_keys)
    assert jaccard(a.signature, b.signature) < 0.05


def test_other_params_give_another_fingerprint_and_description():
    words = article_tokens(articles.wire_original())
    other = Params(shingle_size=4)
    assert fingerprint(words, other) != fingerprint(words, PARAMS)
    assert other.describe() != PARAMS.describe()


def test_fingerprint_of_nothing_is_refused():
    with pytest.raises(ValueError):
        fingerprint([], PARAMS)


def test_invalid_params_are_refused():
    with pytest.raises(ValueError):
        Params(num_perm=64, body_bands=30, body_rows=3)


def test_shingles_are_the_distinct_word_k_grams():
    words = [f"w{i}" for i in range(100)]
    assert shingle_hashes(words, 5).size == 96
    assert shingle_hashes(words + words, 5).size == 96 + 4  # repeats add only the k-grams across the seam
    assert shingle_hashes(["a", "b"], 5).size == 1  # shorter than k: one shingle
    assert shingle_hashes([], 5).size == 0


@pytest.mark.parametrize("exact", [0.1, 0.25, 0.5, 0.75, 0.9])
def test_jaccard_estimate_is_close_to_the_exact_value(exact):
    # |A| = |B| = 1000 with an overlap chosen for the exact Jaccard: |A∩B| / |A∪B| = s / (2000 - s).
    shared = round(2000 * exact / (1 + exact))
    a = np.arange(1000, dtype=np.uint32) * 7919 + 13
    b = np.concatenate([a[:shared], np.arange(1000 - shared, dtype=np.uint32) * 7919 + 50_000_017])
    truth = shared / (2000 - shared)
    assert abs(jaccard(signature(a), signature(b)) - truth) < 0.1


@pytest.mark.parametrize(("size_a", "size_b", "shared"), [(1000, 300, 300), (1000, 500, 450), (600, 200, 100)])
def test_containment_estimate_is_close_to_the_exact_value(size_a, size_b, shared):
    a = np.arange(size_a, dtype=np.uint32) * 104729 + 7
    b = np.concatenate([a[:shared], np.arange(size_b - shared, dtype=np.uint32) * 104729 + 90_000_049])
    exact = shared / min(size_a, size_b)
    estimated = containment(jaccard(signature(a), signature(b)), size_a, size_b)
    assert abs(estimated - exact) < 0.12


def test_containment_formula_on_exact_jaccard():
    assert containment(0.3, 1000, 300) == pytest.approx(1.0)
    assert containment(0.0, 1000, 300) == 0.0
    assert containment(0.5, 0, 10) == 0.0
    assert containment(1 / 3, 100, 100) == pytest.approx(0.5)


def test_a_brief_is_contained_in_its_story():
    full = article_tokens(articles.wire_original())
    short = article_tokens(articles.brief(paragraphs=4))
    fa, fb = fingerprint(full, PARAMS), fingerprint(short, PARAMS)
    # every shingle of the brief is in the story: the estimate should say so, within MinHash error
    assert containment(jaccard(fa.signature, fb.signature), fa.shingles, fb.shingles) > 0.75
    assert set(fa.band_keys[PARAMS.body_bands :]) & set(fb.band_keys[PARAMS.body_bands :])


@pytest.mark.parametrize("size", [1, 2, 700, 5000])
def test_minhash_is_datasketchs_minhash_bit_for_bit(size):
    """fingerprint.minhash computes datasketch's affine32 MinHash in one numpy pass: it must not drift from it."""
    hashes = np.random.default_rng(size).integers(0, 2**32, size=size, dtype=np.uint64).astype(np.uint32)
    for num_perm, seed in ((PARAMS.num_perm, PARAMS.seed), (PARAMS.lead_perm, PARAMS.seed + 1)):
        reference = MinHash(num_perm=num_perm, seed=seed, hashfunc=int, scheme="affine32")
        reference.update_batch(hashes.tolist())
        assert np.array_equal(minhash(hashes, num_perm, seed), reference.hashvalues)


WORDS = re.compile(r"\w+")
UNSPACED = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\ua9e0-\ua9ff\uaa60-\uaa7f\uf900-\ufaff\U00020000-\U0003134f]"
)


def reference_tokens(text: str) -> list[str]:
    r"""Tokens as the fingerprint defines them, the slow readable way: runs of \w, except that a letter or mark
    of a script written without spaces is a token of its own."""
    out: list[str] = []
    run = ""
    for ch in text:
        single = UNSPACED.match(ch) and (WORDS.match(ch) or unicodedata.category(ch).startswith("M"))
        if single or not WORDS.match(ch):
            out += [run] if run else []
            out += [ch] if single else []
            run = ""
        else:
            run += ch
    return out + ([run] if run else [])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=300))
def test_word_hashes_split_text_exactly_as_the_regex_does(text):
    """word_hashes finds words with a table instead of the regex: it must find the same ones, and hash a
    word the same wherever it stands."""
    words = reference_tokens(text)
    hashes = word_hashes(text)
    assert hashes.size == len(words)
    assert np.array_equal(hashes, word_hashes(" ".join(words)))
    one_by_one = [word_hashes(w) for w in words]
    assert np.array_equal(hashes, np.concatenate(one_by_one) if words else np.empty(0, np.uint64))


def test_a_word_hashes_alike_far_into_a_long_text():
    text = "opening " + "filler " * 50_000 + "opening"  # past the first power table: it grows
    hashes = word_hashes(text)
    assert hashes.size == 50_002
    assert hashes[0] == hashes[-1] != hashes[1]
    assert len(set(word_hashes("news wire story stories a b ab ba é e\u0301").tolist())) == 10
    assert word_hashes("Story STORY storY").tolist() == word_hashes("story story story").tolist()  # case-blind
    assert word_hashes("lone\ud800surrogate").size == len(WORDS.findall("lone\ud800surrogate"))


@pytest.mark.parametrize("words", [1, 3, 6, 30, 59, 60, 61, 700])
def test_lead_sketch_is_the_sketch_of_the_first_words(words):
    """fingerprint_text takes the lead's shingles from the body's: the same as sketching the lead alone."""
    text = " ".join(f"w{i % 97}" for i in range(words))
    fp = fingerprint_text(text, PARAMS)
    lead = shingle_hashes(text.split()[: PARAMS.lead_tokens], PARAMS.shingle_size)
    assert fp.lead_signature == (minhash(lead, PARAMS.lead_perm, PARAMS.seed + 1) & 0xFFFF).astype("<u2").tobytes()
    assert fp.shingles == shingle_hashes(text.split(), PARAMS.shingle_size).size


def test_two_stories_quoting_the_same_statement_stay_apart_while_copies_do_not():
    """The body sketch leaves quotations out: agencies quote the same statement in stories of their own."""
    quote = (
        "“NATO's door is open, remains open, and that is our commitment, and we will not let anyone close it, "
        "whatever Moscow demands of us in the talks that are to come in Geneva and in Brussels,” Blinken said."
    )
    afp = (
        "The United States delivered its reply on Wednesday in co-ordination with its allies in Europe, rejecting "
        "any ban on Ukraine but offering what it called a new diplomatic path out of the crisis over the border. "
        + quote
    )
    reuters = (
        "Washington handed Moscow a written answer to its demands for security guarantees this week, and officials "
        "in several capitals said privately that they expected little from the next round of meetings. " + quote
    )
    a, b = (fingerprint_text(t, PARAMS) for t in (afp, reuters))
    assert jaccard(a.signature, b.signature) < 0.2
    plain = (fingerprint_text(t.replace("“", "").replace("”", ""), PARAMS) for t in (afp, reuters))
    assert jaccard(*(fp.signature for fp in plain)) > 0.4  # without the quotation marks they look alike
    copy = fingerprint_text("Updated at 10:00. " + afp, PARAMS)
    assert jaccard(a.signature, copy.signature) > 0.6


def test_warm_up_leaves_nothing_to_compile_for_a_request():
    """warm_up loads or compiles every loop for the argument types a check and the copy page use: the first
    request compiles nothing (seconds)."""
    from dedupe import _kernels, _sketch_kernels
    from dedupe.alignment import split
    from dedupe.fingerprint import warm_up

    warm_up()
    every = {**vars(_kernels), **vars(_sketch_kernels)}
    loops = {name: f for name, f in every.items() if hasattr(f, "signatures") and f.signatures}
    compiled = {name: list(f.signatures) for name, f in loops.items()}
    assert {"scan", "shingles", "minhash", "sentence_values", "first_distinct", "figures"} <= set(compiled)
    for text in (story_text(articles.wire_original()), "“Quoted,” he said. 中文新闻。ไทย ไทย", "x"):
        fingerprint_text(text, Params(shingle_size=3, lead_tokens=2))
        split(text)
    split("")
    assert {name: list(f.signatures) for name, f in loops.items()} == compiled
