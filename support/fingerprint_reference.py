"""The fingerprint as dedupe/fingerprint.py computed it in numpy at commit d02a52e (before the compiled
path): kept verbatim, slow and readable, so that tests can hold the service's fingerprint to it bit for bit.
Indexes built before the change store these values; the service must go on computing exactly them.
Test-only: never imported by the service."""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import numpy as np

from dedupe.fingerprint import Fingerprint, Params

if TYPE_CHECKING:
    from datasketch import MinHash

_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier of the rolling shingle hash

#: A word is a maximal run of characters that the regular expression \w matches, except in scripts written
#: without spaces between words (Han, kana, Thai, Lao, Khmer, Myanmar), where each character is a token of its
#: own: a Chinese clause is one \w run, and one changed character would break every shingle across it.
_WORDS = re.compile(r"\w+")
_UNSPACED_RANGES = (
    (0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x19E0, 0x19FF), (0x3040, 0x30FF), (0x31F0, 0x31FF),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F), (0xF900, 0xFAFF), (0x20000, 0x3134F),
)  # fmt: skip
#: Sentence ends found anywhere ("。"), and those that end a sentence only before a space (".", as in "3.5").
_HARD_ENDS = "\n。！？؟।॥።။។"
_SOFT_ENDS = ".!?…"
_QUOTES = '"“”„«»「」『』'  # not ‘ ’: the right one is an apostrophe too
OPENING, CLOSING, STRAIGHT = 1, 2, 3
#: What each quote mark does (indexed by code point; every quote mark is below U+3010).
_QUOTE_KIND = np.zeros(0x3010, dtype=np.uint8)
_QUOTE_KIND[[ord(c) for c in "“„«「『"]] = OPENING
_QUOTE_KIND[[ord(c) for c in "”»」』"]] = CLOSING
_QUOTE_KIND[ord('"')] = STRAIGHT
_BASE = 0x100000001B3  # odd, so invertible mod 2**64: a word's hash is cut out of prefix sums (see word_hashes)
WORD, UNSPACED, SPACE, HARD_END, SOFT_END, QUOTE, DIGIT, UPPER = 1, 2, 4, 8, 16, 32, 64, 128
#: Sentences shorter than this many tokens are not hashed: "He said." is in every story.
MIN_SENTENCE_TOKENS = 5
MAX_SENTENCES = 64  # hashes kept per article (the story's first ones)
MIN_NARRATIVE = 20  # shingles outside quotations for the body sketch to leave the quotations out
MAX_NUMBERS = 48  # numbers and names kept per article (the story's first ones)


@cache
def _char_table() -> np.ndarray:
    r"""For every code point, its classes (bit flags above): built once per process from the regex engine."""
    every = np.arange(sys.maxunicode + 1, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    table = np.zeros(len(every), dtype=np.uint8)
    for run in _WORDS.finditer(every):  # a few thousand runs of consecutive word characters
        table[run.start() : run.end()] = WORD
    for lo, hi in _UNSPACED_RANGES:  # letters and their combining marks, each a token
        block = table[lo : hi + 1]
        marks = np.array([unicodedata.category(chr(c)).startswith("M") for c in range(lo, hi + 1)])
        table[lo : hi + 1] = np.where((block & WORD).astype(bool) | marks, UNSPACED, 0)
    for ch in " \t\u3000\u00a0":
        table[ord(ch)] |= SPACE
    for ch in _HARD_ENDS:
        table[ord(ch)] |= HARD_END
    for ch in _SOFT_ENDS:
        table[ord(ch)] |= SOFT_END
    for ch in _QUOTES:
        table[ord(ch)] |= QUOTE
    for c in range(0x30, 0x3A):
        table[c] |= DIGIT
    table[np.flatnonzero(_lower_table() != np.arange(table.size, dtype=np.uint32))] |= UPPER
    return table


@cache
def _lower_table() -> np.ndarray:
    """Every code point's lower-case form (where it is one code point): tokens hash case-blind, while the
    capitals stay visible to find names."""
    table = np.arange(sys.maxunicode + 1, dtype=np.uint32)
    for c in range(0x10000):
        low = chr(c).lower()
        if len(low) == 1 and low != chr(c):
            table[c] = ord(low)
    return table


class _Powers:
    """BASE**i and its inverse mod 2**64, for i < size; grown (doubled) when a longer text comes."""

    def __init__(self, base: int) -> None:
        self.base, self.size = base, 0
        self.up = self.down = np.empty(0, dtype=np.uint64)

    def upto(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if n > self.size:
            size = max(1 << 14, 1 << (n - 1).bit_length())
            self.up = _power_table(self.base, size)
            self.down = _power_table(pow(self.base, -1, 1 << 64), size)
            self.size = size
        return self.up[:n], self.down[:n]


_CODE_POWERS = _Powers(_BASE)
_TOKEN_POWERS = _Powers(int(_MIX))


def _power_table(base: int, size: int) -> np.ndarray:
    table = np.empty(size, dtype=np.uint64)
    table[0] = 1
    np.cumprod(np.full(size - 1, base, dtype=np.uint64), out=table[1:])  # wraps mod 2**64, as intended
    return table


@dataclass(frozen=True)
class Tokens:
    """A text's tokens: 64-bit hashes in text order, where each starts and ends, and the text's classes."""

    hashes: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    classes: np.ndarray  # per code point
    quoted: np.ndarray  # per token: inside a quotation


def tokenize(text: str) -> Tokens:
    """Hash each token of `text` (a word, or a character of an unspaced script) without a Python object each.

    A token's polynomial hash, sum(c_i * BASE**i), is the difference of two prefix sums over the whole
    text divided by BASE**start (a multiplication: BASE is odd); a 64-bit finaliser then spreads it.
    """
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    classes = _char_table()[codes]
    codes = _lower_table()[codes]
    word = (classes & WORD).astype(bool)
    single = (classes & UNSPACED).astype(bool)
    in_token = word | single
    prev_in = np.concatenate(([False], in_token[:-1]))
    prev_single = np.concatenate(([False], single[:-1]))
    next_in = np.concatenate((in_token[1:], [False]))
    next_single = np.concatenate((single[1:], [False]))
    starts = np.flatnonzero(in_token & (~prev_in | single | prev_single))
    ends = np.flatnonzero(in_token & (~next_in | single | next_single)) + 1
    up, down = _CODE_POWERS.upto(codes.size + 1)
    prefix = np.empty(codes.size + 1, dtype=np.uint64)
    prefix[0] = 0
    np.cumsum(codes * up[: codes.size], out=prefix[1:])
    hashes = _fmix64((prefix[ends] - prefix[starts]) * down[starts])
    return Tokens(hashes, starts, ends, classes, _quoted(codes, classes, starts))


def _quoted(codes: np.ndarray, classes: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per token: inside a quotation ("...", “...”, «...», 「...」), counted afresh in each paragraph. Works on
    the few quote and line-end positions only, not on every character."""
    quote_at = np.flatnonzero(classes & QUOTE)
    if not quote_at.size:
        return np.zeros(starts.size, dtype=bool)
    kind = _QUOTE_KIND[codes[quote_at]]
    opening = np.concatenate(([0], np.cumsum(kind == OPENING, dtype=np.int32)))
    closing = np.concatenate(([0], np.cumsum(kind == CLOSING, dtype=np.int32)))
    straight = np.concatenate(([0], np.cumsum(kind == STRAIGHT, dtype=np.int32)))
    line_ends = np.concatenate(([-1], np.flatnonzero(codes == 0x0A)))  # -1: the text's start
    before = np.searchsorted(quote_at, starts)  # quote marks before each token
    line = np.searchsorted(line_ends, starts) - 1  # its paragraph's start: the last line end before it
    since = np.searchsorted(quote_at, line_ends[line])
    depth = (opening[before] - opening[since]) - (closing[before] - closing[since])
    return (depth > 0) | ((straight[before] - straight[since]) % 2 == 1)


def _sentences(tokens: Tokens) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sentence ends as code point positions, each token's sentence number, each sentence's first token)."""
    classes = tokens.classes
    ends = np.flatnonzero(classes & (HARD_END | SOFT_END))  # candidates: a few dozen positions
    following = classes[np.minimum(ends + 1, classes.size - 1)]
    last = ends + 1 >= classes.size
    hard = (classes[ends] & HARD_END) != 0
    soft = ((following & (SPACE | QUOTE)) != 0) | (following == HARD_END) | last
    bounds = ends[hard | soft]
    if (classes & UNSPACED).any():  # Thai, Lao, Khmer, Myanmar end a sentence with a space
        spaces = np.flatnonzero(classes & SPACE)
        inner = spaces[(spaces > 0) & (spaces < classes.size - 1)]
        gap = ((classes[inner - 1] & UNSPACED) != 0) & ((classes[inner + 1] & UNSPACED) != 0)
        bounds = np.union1d(bounds, inner[gap])
    sentence_of = np.searchsorted(bounds, tokens.starts)  # sentence number of every token
    return bounds, sentence_of, np.flatnonzero(np.diff(sentence_of, prepend=-1))


def word_hashes(text: str) -> np.ndarray:
    """A 64-bit hash of each token of `text`, in order (see tokenize)."""
    return tokenize(text).hashes


Layout = tuple[np.ndarray, np.ndarray, np.ndarray]  # what _sentences finds: computed once per fingerprint


def sentence_hashes(tokens: Tokens, layout: Layout | None = None) -> np.ndarray:
    """A 32-bit hash of each sentence of at least MIN_SENTENCE_TOKENS tokens, distinct, in text order.

    Sentences end at a paragraph end, at "。！？؟।" and the like, at ".!?…" before a space, and at a space
    between two characters of Thai, Lao, Khmer or Myanmar (which mark sentence ends with a space). The lowest
    bit says whether the sentence holds a quotation: two agencies quote the same statement, so a shared
    quotation is weaker evidence than a shared sentence of narrative.
    """
    values, counts = sentence_values(tokens, layout)
    return values[kept_sentences(values, counts)]


def kept_sentences(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Which sentences (of sentence_values) are hashed: long enough, their first occurrence, the first MAX_SENTENCES."""
    long = np.flatnonzero(counts >= MIN_SENTENCE_TOKENS)
    _, index = np.unique(values[long], return_index=True)
    return long[np.sort(index)][:MAX_SENTENCES]


def sentence_values(tokens: Tokens, layout: Layout | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every sentence's 32-bit hash (lowest bit: it holds a quotation) and its token count, in text order."""
    classes, n = tokens.classes, tokens.hashes.size
    if n == 0:
        return np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.int64)
    bounds, sentence_of, first = layout or _sentences(tokens)
    counts = np.diff(np.append(first, n))
    up, down = _TOKEN_POWERS.upto(n)
    mixed = np.add.reduceat(tokens.hashes * up, first) * down[first]  # position-aware, shift-free
    values = (_fmix64(mixed) >> np.uint64(32)).astype(np.uint32) & np.uint32(0xFFFFFFFE)
    quote_at = np.flatnonzero(classes & QUOTE)
    if quote_at.size:  # a closing quote after a sentence's end belongs to that sentence
        ended = quote_at > 0
        ended[ended] = (classes[quote_at[ended] - 1] & (HARD_END | SOFT_END)) != 0
        ids = sentence_of[first]
        owner = np.searchsorted(ids, np.searchsorted(bounds, quote_at - ended))
        owner = owner[owner < ids.size]
        values[owner] |= np.uint32(1)
    return values, counts


def number_hashes(tokens: Tokens, layout: Layout | None = None) -> np.ndarray:
    """16-bit hashes of the distinct figures of a text, at most MAX_NUMBERS: numbers (tokens of digits only)
    and names (capitalised words that do not open a sentence); the lowest bit is 1 for a number. Templated
    reports differ there, a daily report sent again differs in its numbers, while a copy keeps both."""
    if not tokens.hashes.size:
        return np.empty(0, dtype=np.uint16)
    digits = np.concatenate(([0], np.cumsum((tokens.classes & DIGIT) != 0)))
    numeric = (digits[tokens.ends] - digits[tokens.starts]) == (tokens.ends - tokens.starts)
    named = (tokens.classes[tokens.starts] & UPPER) != 0
    named[(layout or _sentences(tokens))[2]] = False
    keep = numeric | named  # the lowest bit says which: 1 a number, 0 a name
    values = (tokens.hashes[keep] & np.uint64(0xFFFE)).astype(np.uint16) | numeric[keep].astype(np.uint16)
    _, index = np.unique(values, return_index=True)
    return values[np.sort(index)][:MAX_NUMBERS]


def _fmix64(h: np.ndarray) -> np.ndarray:
    # MurmurHash3's 64-bit finaliser: every input bit reaches every output bit.
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


def _distinct(values: np.ndarray) -> np.ndarray:
    # np.unique costs ten times more than this on a few hundred values (numpy 2.4)
    values = np.sort(values)
    keep = np.empty(values.size, dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def shingles_of(words: np.ndarray, k: int) -> np.ndarray:
    """Distinct 32-bit hashes of the word k-grams (a rolling hash of word hashes); fewer than k words: one."""
    return _distinct(_kgrams(words, k))


def _kgrams(words: np.ndarray, k: int) -> np.ndarray:
    # the hash of every k-gram, in text order (repeats kept): the lead's are the first ones of the body's
    if not words.size:
        return np.empty(0, dtype=np.uint32)
    k = min(k, len(words))
    n = len(words) - k + 1
    acc = words[:n].copy()
    for j in range(1, k):
        acc *= _MIX
        acc += words[j : j + n]
    return ((acc >> np.uint64(32)) ^ (acc & np.uint64(0xFFFFFFFF))).astype(np.uint32)


@lru_cache(maxsize=8)
def _template(num_perm: int, seed: int) -> MinHash:
    """datasketch's MinHash, for its permutations: drawn once per (num_perm, seed), not once per article.
    Imported here, not at the top: the datasketch package imports redis, and this module stays pure."""
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=seed, hashfunc=int, scheme="affine32")


@lru_cache(maxsize=8)
def _affine(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = _template(num_perm, seed).permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


def _fmix32(h: np.ndarray) -> np.ndarray:
    # MurmurHash3's finalizer, as datasketch's affine32 scheme applies it before the permutations.
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def minhash(hashes: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """datasketch's affine32 MinHash of 32-bit shingle hashes, with its permutations, in one numpy pass.

    Bit-identical to `MinHash(hashfunc=int, scheme="affine32").update_batch(hashes)` (a test holds it to
    that) without the per-value Python calls and the object per article: a quarter of a check's CPU.
    """
    if hashes.size == 0:
        return np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)
    a, b = _affine(num_perm, seed)
    values = a[:, None] * _fmix32(hashes.astype(np.uint32, copy=False))  # one row per permutation
    values += b[:, None]
    return values.min(axis=1)


def shingle_sets(words: np.ndarray, params: Params, quoted: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The body's distinct shingles and the lead's (those of the first lead_tokens words), from word hashes.

    The body keeps the narrative: a shingle mostly inside a quotation is left out, because two agencies
    quote the same statement in stories of their own (a copy shares the narrative too). An article that is
    mostly quotation (a statement, a speech) keeps every shingle.
    """
    k, lead_words = params.shingle_size, min(len(words), params.lead_tokens)
    grams = _kgrams(words, k)
    lead = (
        shingles_of(words[:lead_words], k) if params.lead_tokens < k else _distinct(grams[: max(1, lead_words - k + 1)])
    )
    if quoted is not None and quoted.any() and grams.size > 1:
        inside = np.concatenate(([0], np.cumsum(quoted, dtype=np.int32)))
        kk = min(k, len(words))
        narrative = (inside[kk:] - inside[:-kk]) * 2 <= kk
        if narrative.sum() >= max(MIN_NARRATIVE, grams.size // 4):
            grams = grams[narrative]
    return _distinct(grams), lead


def fingerprint_text(story: str, params: Params) -> Fingerprint:
    """The fingerprint of a story's text (text.story_text); raises ValueError when it has no words."""
    tokens = tokenize(story)
    words = tokens.hashes
    if not words.size:
        raise ValueError("no words to fingerprint")
    body, lead = shingle_sets(words, params, tokens.quoted)
    layout = _sentences(tokens)
    body_values = minhash(body, params.num_perm, params.seed)
    lead_values = minhash(lead, params.lead_perm, params.seed + 1)
    return Fingerprint(
        signature=_low16(body_values), lead_signature=_low16(lead_values), shingles=int(body.size), params=params,
        sentences=sentence_hashes(tokens, layout).astype("<u4").tobytes(),
        numbers=number_hashes(tokens, layout).astype("<u2").tobytes(), words=int(words.size),
    )  # fmt: skip


def _low16(values: np.ndarray) -> bytes:
    return (values & 0xFFFF).astype("<u2").tobytes()


@dataclass(frozen=True)
class Sentence:
    text: str
    hash: int | None
    value: int
    tokens: int


def split(text: str) -> list[Sentence]:
    """dedupe.alignment.split as it was: `text` in the fingerprint's sentences, hashed as it hashes them."""
    tokens = tokenize(text)
    if not tokens.hashes.size:
        return [Sentence(text, None, 0, 0)] if text else []
    layout = _sentences(tokens)
    values, counts = sentence_values(tokens, layout)
    kept = set(kept_sentences(values, counts).tolist())
    cuts = [0, *tokens.starts[layout[2][1:]].tolist(), len(text)]
    return [
        Sentence(text[cuts[i] : cuts[i + 1]], int(values[i]) if i in kept else None, int(values[i]), int(counts[i]))
        for i in range(len(values))
    ]
