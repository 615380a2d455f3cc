"""Tokens to a fingerprint: MinHash signatures, the set size, and the LSH band keys. Pure, no I/O.

Two sketches per article, because syndication cuts stories from the bottom:
- the *body* sketch (all word shingles) finds copies that keep most of the text, and scores every
  candidate (estimated Jaccard, and containment from Jaccard and the two set sizes);
- the *lead* sketch (shingles of the first LEAD_TOKENS words) finds briefs and cut copies, whose
  Jaccard with the full story is far below any safe band threshold but whose opening is the same.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
from datasketch import MinHash

#: Hash scheme recorded in the index: signatures from another scheme are not comparable.
SCHEME = "dedupe-v4/poly-fmix64-rolling/datasketch-affine32/b16-bands"
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier of the rolling shingle hash


@dataclass(frozen=True)
class Params:
    """Everything that must match between the process and the index it reads."""

    shingle_size: int = 5
    num_perm: int = 128
    seed: int = 1
    body_bands: int = 20
    body_rows: int = 3
    lead_tokens: int = 60
    lead_perm: int = 30
    lead_bands: int = 10
    lead_rows: int = 3

    def describe(self) -> str:
        """Canonical text form, stored in the index and compared at start."""
        return (
            f"scheme={SCHEME};shingle={self.shingle_size};perm={self.num_perm};seed={self.seed};"
            f"body={self.body_bands}x{self.body_rows};lead={self.lead_tokens}w/{self.lead_perm}p/"
            f"{self.lead_bands}x{self.lead_rows}"
        )

    def layout(self) -> str:
        """Where the bands lie in a stored signature: the index derives band keys from it (check.lua)."""
        return f"{self.num_perm},{self.body_bands},{self.body_rows},{self.lead_bands},{self.lead_rows}"

    def __post_init__(self) -> None:
        if min(self.body_rows, self.lead_rows) < 2:
            raise ValueError("bands need at least 2 rows")
        if self.body_bands * self.body_rows > self.num_perm:
            raise ValueError("body bands x rows exceeds num_perm")
        if self.lead_bands * self.lead_rows > self.lead_perm:
            raise ValueError("lead bands x rows exceeds lead_perm")


@dataclass(frozen=True)
class Fingerprint:
    """A band key is the band's rows of the 16-bit signature (3 rows: 6 bytes): derivable, never stored."""

    signature: bytes  # num_perm slots, the low 16 bits of each MinHash value (b-bit MinHash)
    lead_signature: bytes  # lead_perm slots, likewise: a brief's opening is the original's opening
    shingles: int  # distinct shingles: with Jaccard, gives containment
    params: Params

    @property
    def band_keys(self) -> tuple[bytes, ...]:
        """Body bands, then lead bands: as check.lua derives them from the stored signature."""
        p = self.params
        body, lead = 2 * p.body_rows, 2 * p.lead_rows
        return tuple(self.signature[i * body : (i + 1) * body] for i in range(p.body_bands)) + tuple(
            self.lead_signature[i * lead : (i + 1) * lead] for i in range(p.lead_bands)
        )


#: A word is a maximal run of characters that the regular expression \w matches (as text.tokens splits).
_WORDS = re.compile(r"\w+")
_BASE = 0x100000001B3  # odd, so invertible mod 2**64: a word's hash is cut out of prefix sums (see word_hashes)


@cache
def _word_table() -> np.ndarray:
    r"""For every code point, whether \w matches it: built once per process from the regex engine itself."""
    every = np.arange(sys.maxunicode + 1, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    table = np.zeros(len(every), dtype=bool)
    for run in _WORDS.finditer(every):  # a few thousand runs of consecutive word characters
        table[run.start() : run.end()] = True
    return table


class _Powers:
    """BASE**i and its inverse mod 2**64, for i < size; grown (doubled) when a longer text comes."""

    size = 0
    up = down = np.empty(0, dtype=np.uint64)

    @classmethod
    def upto(cls, n: int) -> tuple[np.ndarray, np.ndarray]:
        if n > cls.size:
            size = max(1 << 14, 1 << (n - 1).bit_length())
            cls.up = _power_table(_BASE, size)
            cls.down = _power_table(pow(_BASE, -1, 1 << 64), size)
            cls.size = size
        return cls.up[:n], cls.down[:n]


def warm_up() -> None:
    """Build the per-process tables now (a tenth of a second), not in the first request a worker serves."""
    _word_table()
    _Powers.upto(1)


def _power_table(base: int, size: int) -> np.ndarray:
    table = np.empty(size, dtype=np.uint64)
    table[0] = 1
    np.cumprod(np.full(size - 1, base, dtype=np.uint64), out=table[1:])  # wraps mod 2**64, as intended
    return table


def word_hashes(text: str) -> np.ndarray:
    """A 64-bit hash of each word of `text`, in order, without a Python object per word.

    A word's polynomial hash, sum(c_i * BASE**i), is the difference of two prefix sums over the whole
    text divided by BASE**start (a multiplication: BASE is odd); a 64-bit finaliser then spreads it.
    Several times faster than splitting into strings and hashing each (a third of a check's CPU once).
    """
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    in_word = _word_table()[codes]
    edges = np.flatnonzero(np.diff(in_word, prepend=False, append=False))
    starts, ends = edges[0::2], edges[1::2]
    up, down = _Powers.upto(codes.size + 1)
    prefix = np.empty(codes.size + 1, dtype=np.uint64)
    prefix[0] = 0
    np.cumsum(codes * up[: codes.size], out=prefix[1:])
    return _fmix64((prefix[ends] - prefix[starts]) * down[starts])


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


def shingle_hashes(tokens: list[str], k: int) -> np.ndarray:
    """Distinct 32-bit hashes of the word k-grams of `tokens`."""
    return shingles_of(word_hashes(" ".join(tokens)), k)


@lru_cache(maxsize=8)
def _template(num_perm: int, seed: int) -> MinHash:
    # Permutations are drawn once per (num_perm, seed), not once per article.
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


def shingle_sets(words: np.ndarray, params: Params) -> tuple[np.ndarray, np.ndarray]:
    """The body's distinct shingles and the lead's (those of the first lead_tokens words), from word hashes."""
    k, lead_words = params.shingle_size, min(len(words), params.lead_tokens)
    grams = _kgrams(words, k)
    if params.lead_tokens < k:
        return _distinct(grams), shingles_of(words[:lead_words], k)
    return _distinct(grams), _distinct(grams[: max(1, lead_words - k + 1)])  # the lead's k-grams come first


def fingerprint(tokens: list[str], params: Params) -> Fingerprint:
    """The fingerprint of a list of words (those of text.tokens); raises ValueError when there are none."""
    return fingerprint_text(" ".join(tokens), params)


def fingerprint_text(story: str, params: Params) -> Fingerprint:
    """The fingerprint of a story's text (text.story_text); raises ValueError when it has no words."""
    words = word_hashes(story)
    if not words.size:
        raise ValueError("no words to fingerprint")
    body, lead = shingle_sets(words, params)
    body_values = minhash(body, params.num_perm, params.seed)
    lead_values = minhash(lead, params.lead_perm, params.seed + 1)
    return Fingerprint(
        signature=_low16(body_values), lead_signature=_low16(lead_values), shingles=int(body.size), params=params
    )


def _low16(values: np.ndarray) -> bytes:
    return (values & 0xFFFF).astype("<u2").tobytes()


def jaccard(a: bytes, b: bytes) -> float:
    """Estimated Jaccard of two signatures: the share of equal slots."""
    x = np.frombuffer(a, dtype="<u2")
    y = np.frombuffer(b, dtype="<u2")
    return float(np.count_nonzero(x == y)) / len(x)


def containment(similarity: float, size_a: int, size_b: int) -> float:
    """Share of the smaller set found in the larger: |A∩B| = J(|A|+|B|)/(1+J)."""
    if similarity <= 0 or not size_a or not size_b:
        return 0.0
    inter = similarity * (size_a + size_b) / (1.0 + similarity)
    return min(1.0, inter / min(size_a, size_b))
