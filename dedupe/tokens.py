"""A story text's tokens, sentences and figures, hashed in one compiled pass over its code points. Pure, no I/O.

A token is a maximal run of characters that the regular expression \\w matches, except in scripts written
without spaces between words (Han, kana, Thai, Lao, Khmer, Myanmar), where each character is a token of its own:
a Chinese clause is one \\w run, and one changed character would break every shingle across it. Tokens hash
case-blind (a polynomial hash of the lower-cased code points, then MurmurHash3's 64-bit finaliser), while the
capitals stay visible to find names.

The loops are compiled by numba (`_kernels`): `warm_up` loads or compiles them once per process. The values are
those the earlier numpy code computed (support/fingerprint_reference.py; a test holds every field to it), which
the indexes built with scheme dedupe-v5 store.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np

from . import _kernels as k
from ._kernels import HARD_END, QUOTE, SOFT_END, SPACE, UNSPACED, UPPER, WORD

_WORDS = re.compile(r"\w+")
_UNSPACED_RANGES = (
    (0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x19E0, 0x19FF), (0x3040, 0x30FF), (0x31F0, 0x31FF),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F), (0xF900, 0xFAFF), (0x20000, 0x3134F),
)  # fmt: skip
#: Sentence ends found anywhere ("。"), and those that end a sentence only before a space (".", as in "3.5").
_HARD_ENDS = "\n。！？؟।॥።။។"
_SOFT_ENDS = ".!?…"
_QUOTES = '"“”„«»「」『』'  # not ‘ ’: the right one is an apostrophe too
#: Sentences shorter than this many tokens are not hashed: "He said." is in every story.
MIN_SENTENCE_TOKENS = 5
MAX_SENTENCES = 64  # hashes kept per article (the story's first ones)
MAX_NUMBERS = 48  # numbers and names kept per article (the story's first ones)


@cache
def _code_table() -> np.ndarray:
    """Every code point's lower-case form (low 24 bits) and its classes (high 8 bits): one look-up a character.
    Built once per process (a tenth of a second), from the regex engine and str.lower."""
    lower = _lower_table()
    return lower | (_classes(lower).astype(np.uint32) << np.uint32(24))


def _classes(lower: np.ndarray) -> np.ndarray:
    r"""For every code point, its classes (bit flags in _kernels)."""
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
        table[c] |= k.DIGIT
    table[np.flatnonzero(lower != np.arange(table.size, dtype=np.uint32))] |= UPPER
    # the scan relies on it: a token character is never a space, a sentence end or a quote mark
    assert not np.any((table & (WORD | UNSPACED) != 0) & (table & (SPACE | HARD_END | SOFT_END | QUOTE) != 0))
    return table


def _lower_table() -> np.ndarray:
    """Every code point's lower-case form (where it is one code point)."""
    table = np.arange(sys.maxunicode + 1, dtype=np.uint32)
    for c in range(0x10000):
        low = chr(c).lower()
        if len(low) == 1 and low != chr(c):
            table[c] = ord(low)
    return table


@cache
def _quote_kind() -> np.ndarray:
    """What each quote mark does, by code point (every quote mark is below U+3010)."""
    kind = np.zeros(0x3010, dtype=np.uint8)
    kind[[ord(c) for c in "“„«「『"]] = k.OPENING
    kind[[ord(c) for c in "”»」』"]] = k.CLOSING
    kind[ord('"')] = k.STRAIGHT
    return kind


@dataclass(frozen=True)
class Tokens:
    """A text's tokens (64-bit hashes in text order, where each starts and ends, what each is) and sentences."""

    hashes: np.ndarray  # uint64
    starts: np.ndarray  # code point offsets (int64)
    ends: np.ndarray
    flags: np.ndarray  # uint8 per token: _kernels.QUOTED, NUMBER, CAPITAL, OPENS (first of its sentence), LEADS_DIGIT
    first: np.ndarray  # each sentence's first token (sentences without a token are not counted)
    quoting: np.ndarray  # bool per sentence: it holds a quote mark (one after its end included)

    @property
    def quoted(self) -> np.ndarray:
        """Per token: inside a quotation ("...", “...”, «...», 「...」), counted afresh in each paragraph."""
        return (self.flags & k.QUOTED) != 0

    def head(self, count: int) -> Tokens:
        """The first `count` tokens, and the sentences they open."""
        sentences = int(np.searchsorted(self.first, count))
        return Tokens(self.hashes[:count], self.starts[:count], self.ends[:count], self.flags[:count],
                      self.first[:sentences], self.quoting[:sentences])  # fmt: skip


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def tokenize(text: str) -> Tokens:
    """Tokens and sentences of `text`, in one pass (see the module doc and _kernels.scan).

    Sentences end at a paragraph end, at "。！？؟।" and the like, at ".!?…" before a space, a quote mark or a
    paragraph end, and at a space between two characters of Thai, Lao, Khmer or Myanmar.
    """
    return Tokens(*k.scan(_codes(text), _code_table(), _quote_kind()))


def word_hashes(text: str) -> np.ndarray:
    """A 64-bit hash of each token of `text`, in order."""
    return tokenize(text).hashes


def sentence_values(tokens: Tokens) -> tuple[np.ndarray, np.ndarray]:
    """Every sentence's 32-bit hash (lowest bit: it holds a quotation) and its token count, in text order."""
    return k.sentence_values(tokens.hashes, tokens.first, tokens.quoting)


def kept_sentences(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Which sentences (of sentence_values) are hashed: long enough, their first occurrence, the first MAX_SENTENCES."""
    return k.first_distinct(values, counts >= MIN_SENTENCE_TOKENS, MAX_SENTENCES)


def sentence_hashes(tokens: Tokens) -> np.ndarray:
    """A 32-bit hash of each sentence of at least MIN_SENTENCE_TOKENS tokens, distinct, in text order. The
    lowest bit says whether the sentence holds a quotation: two agencies quote the same statement, so a shared
    quotation is weaker evidence than a shared sentence of narrative."""
    values, counts = sentence_values(tokens)
    return values[kept_sentences(values, counts)]


def number_hashes(tokens: Tokens) -> np.ndarray:
    """16-bit hashes of the distinct figures of a text, at most MAX_NUMBERS: numbers (tokens of digits only)
    and names (capitalised words that do not open a sentence); the lowest bit is 1 for a number. Templated
    reports differ there, a daily report sent again differs in its numbers, while a copy keeps both."""
    return k.figures(tokens.hashes, tokens.flags, MAX_NUMBERS)


def warm_up() -> None:
    """Build the tables and load (or compile) the loops now, not in the first request a worker serves."""
    tokens = tokenize("Warm “up” 1. 中文。ไทย ไทย")
    kept_sentences(*sentence_values(tokens))
    number_hashes(tokens)
