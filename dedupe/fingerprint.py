"""Tokens to a fingerprint: MinHash signatures, the set size, and the LSH band keys. Pure, no I/O.

Two sketches per article, because syndication cuts stories from the bottom:
- the *body* sketch (all word shingles) finds copies that keep most of the text, and scores every
  candidate (estimated Jaccard, and containment from Jaccard and the two set sizes);
- the *lead* sketch (shingles of the first LEAD_TOKENS words) finds briefs and cut copies, whose
  Jaccard with the full story is far below any safe band threshold but whose opening is the same.

Tokens, sentences and figures come from dedupe.tokens; the loops are compiled (dedupe._kernels and
dedupe._sketch_kernels).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from . import _sketch_kernels as _kernels
from ._kernels import QUOTED
from .tokens import MIN_SENTENCE_TOKENS, Tokens, number_hashes, sentence_hashes, tokenize, word_hashes
from .tokens import warm_up as _warm_up_tokens

if TYPE_CHECKING:
    from datasketch import MinHash

#: Hash scheme recorded in the index: signatures from another scheme are not comparable.
SCHEME = "dedupe-v5/poly-fmix64-rolling-cjkchars-narrative/datasketch-affine32/b16-bands/s32-sentences"


@dataclass(frozen=True)
class Params:
    """Everything that must match between the process and the index it reads."""

    shingle_size: int = 5
    num_perm: int = 128
    seed: int = 1
    body_bands: int = 40  # 2 rows: a copy with Jaccard 0.25 (a page opening in site furniture) is a candidate
    body_rows: int = 2  # with probability 0.92, one with 0.2 with 0.81; sentence keys find the rest
    lead_tokens: int = 60
    lead_perm: int = 30
    lead_bands: int = 10
    lead_rows: int = 3
    indexed_sentences: int = 8  # the first sentences whose hashes are LSH bucket keys too (24 found no more)

    def describe(self) -> str:
        """Canonical text form, stored in the index and compared at start."""
        return (
            f"scheme={SCHEME};shingle={self.shingle_size};perm={self.num_perm};seed={self.seed};"
            f"body={self.body_bands}x{self.body_rows};lead={self.lead_tokens}w/{self.lead_perm}p/"
            f"{self.lead_bands}x{self.lead_rows};sentences={self.indexed_sentences}"
        )

    def layout(self) -> str:
        """Where the bands lie in a stored signature, and how many sentences are bucket keys (check.lua)."""
        return (
            f"{self.num_perm},{self.body_bands},{self.body_rows},{self.lead_bands},{self.lead_rows},"
            f"{self.indexed_sentences}"
        )

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
    sentences: bytes = b""  # 32-bit hashes of the story's sentences, in order (see sentence_hashes)
    numbers: bytes = b""  # 16-bit hashes of the distinct numbers (see number_hashes)
    words: int = 0  # tokens of the story text

    @property
    def band_keys(self) -> tuple[bytes, ...]:
        """Body bands, lead bands, then the first sentences' hashes: as check.lua derives them from a record."""
        p = self.params
        body, lead = 2 * p.body_rows, 2 * p.lead_rows
        sentences = min(p.indexed_sentences, len(self.sentences) // 4)
        return (
            tuple(self.signature[i * body : (i + 1) * body] for i in range(p.body_bands))
            + tuple(self.lead_signature[i * lead : (i + 1) * lead] for i in range(p.lead_bands))
            + tuple(self.sentences[i * 4 : (i + 1) * 4] for i in range(sentences))
        )


__all__ = ["MIN_SENTENCE_TOKENS", "Tokens", "number_hashes", "sentence_hashes", "tokenize", "word_hashes"]
MIN_NARRATIVE = 20  # shingles outside quotations for the body sketch to leave the quotations out


def warm_up() -> None:
    """Build the tables and load (or compile: seconds, the first time) the loops now, not in the first request
    a worker serves: fingerprint a sample with the shipped parameters and the same argument types."""
    _warm_up_tokens()
    fingerprint_text("Warm “up”, 1 2 3. Then 中文的句子。ไทย ไทย " + "a b c d e f " * 20, Params())


def shingles_of(words: np.ndarray, k: int) -> np.ndarray:
    """Distinct 32-bit hashes of the word k-grams (a rolling hash of word hashes); fewer than k words: one."""
    return _distinct(_kernels.kgrams(words, k))


def _distinct(values: np.ndarray) -> np.ndarray:
    return _kernels.unique_sorted(np.sort(values))


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


def minhash(hashes: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """datasketch's affine32 MinHash of 32-bit shingle hashes, with its permutations, in one compiled loop.

    Bit-identical to `MinHash(hashfunc=int, scheme="affine32").update_batch(hashes)` (a test holds it to
    that) without the per-value Python calls and the object per article. Repeats do not change a minimum.
    """
    a, b = _affine(num_perm, seed)
    return _kernels.minhash(np.ascontiguousarray(hashes, dtype=np.uint32), a, b)


def shingle_sets(words: np.ndarray, params: Params, flags: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The body's distinct shingles (sorted) and the lead's (those of the first lead_tokens words; in text order,
    repeats kept: its MinHash is the same), from word hashes and their Tokens.flags.

    The body keeps the narrative: a shingle mostly inside a quotation is left out, because two agencies
    quote the same statement in stories of their own (a copy shares the narrative too). An article that is
    mostly quotation (a statement, a speech) keeps every shingle.
    """
    flags = np.zeros(words.size, np.uint8) if flags is None else flags
    body, lead = _kernels.shingles(words, flags, QUOTED, params.shingle_size, params.lead_tokens, MIN_NARRATIVE)
    return _distinct(body), lead


def fingerprint_text(story: str, params: Params) -> Fingerprint:
    """The fingerprint of a story's text (text.story_text); raises ValueError when it has no words."""
    tokens = tokenize(story)
    words = tokens.hashes
    if not words.size:
        raise ValueError("no words to fingerprint")
    body, lead = shingle_sets(words, params, tokens.flags)
    body_values = minhash(body, params.num_perm, params.seed)
    lead_values = minhash(lead, params.lead_perm, params.seed + 1)
    return Fingerprint(
        signature=_low16(body_values), lead_signature=_low16(lead_values), shingles=int(body.size), params=params,
        sentences=sentence_hashes(tokens).astype("<u4").tobytes(),
        numbers=number_hashes(tokens).astype("<u2").tobytes(), words=int(words.size),
    )  # fmt: skip


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
