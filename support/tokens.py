"""Word tokens of a story as the fingerprint splits them, for tests and for the peers in the benchmarks
(datasketch's MinHash is given these words). The service itself hashes text directly (fingerprint.tokenize)."""

from __future__ import annotations

import re

import numpy as np

from dedupe.fingerprint import Fingerprint, Params, fingerprint_text, shingles_of, word_hashes
from dedupe.text import story_text

_UNSPACED = r"\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: One token per character in scripts written without spaces, else a run of word characters.
_TOKEN = re.compile(rf"[{_UNSPACED}]|(?:(?![{_UNSPACED}])\w)+")


def tokens(lines: list[str]) -> list[str]:
    """Lower-cased tokens of normalised lines."""
    return _TOKEN.findall("\n".join(lines).lower())


def article_tokens(text: str | None = None, html: str | None = None, title: str | None = None) -> list[str]:
    """The tokens of story_text: what the fingerprint hashes."""
    return _TOKEN.findall(story_text(text, html, title).lower())


def fingerprint(words: list[str], params: Params) -> Fingerprint:
    """The fingerprint of a list of words; raises ValueError when there are none."""
    return fingerprint_text(" ".join(words), params)


def shingle_hashes(words: list[str], k: int) -> np.ndarray:
    """Distinct 32-bit hashes of the word k-grams of `words`."""
    return shingles_of(word_hashes(" ".join(words)), k)
