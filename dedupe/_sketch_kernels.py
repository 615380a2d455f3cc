"""The fingerprint's loops over token hashes, compiled by numba: word k-gram hashes, the body's narrative
shingles and the lead's, and datasketch's affine32 MinHash (see _kernels for the loops over text, and for why
each module's compiled functions call only their own module's)."""

from __future__ import annotations

import numpy as np
from numba import njit

from ._kernels import _compiled

_MIX = np.uint64(0x9E3779B97F4A7C15)  # a shingle's hash: a rolling hash of its token hashes times MIX**i
_C1, _C2 = np.uint64(0x85EBCA6B), np.uint64(0xC2B2AE35)
_S13, _S16, _S32 = np.uint64(13), np.uint64(16), np.uint64(32)
_LOW32 = np.uint64(0xFFFFFFFF)


@njit(inline="always")
def fmix32(h: np.uint64) -> np.uint64:
    # MurmurHash3's 32-bit finaliser, as datasketch's affine32 scheme applies it before the permutations.
    h ^= h >> _S16
    h = (h * _C1) & _LOW32
    h ^= h >> _S13
    h = (h * _C2) & _LOW32
    return h ^ (h >> _S16)


@_compiled
def kgrams(words, k):
    """The 32-bit hash of every k-gram of token hashes, in text order (repeats kept); fewer than k: one."""
    n = words.size
    if n == 0:
        return np.empty(0, np.uint32)
    k = min(k, n)
    out = np.empty(n - k + 1, np.uint32)
    for i in range(n - k + 1):
        acc = words[i]
        for j in range(1, k):
            acc = acc * _MIX + words[i + j]
        out[i] = np.uint32((acc >> _S32) ^ (acc & _LOW32))
    return out


@_compiled
def unique_sorted(values):
    """The distinct values of a sorted array (numpy sorts several times faster than numba's np.sort)."""
    out = np.empty_like(values)
    found = 0
    for i in range(values.size):
        if i == 0 or values[i] != values[i - 1]:
            out[found] = values[i]
            found += 1
    return out[:found]


@_compiled
def shingles(words, flags, quoted_bit, k, lead_tokens, min_narrative):
    """(body shingles, lead shingles), in text order, repeats kept: see fingerprint.shingle_sets. A token is
    quoted where its flags have `quoted_bit` (tokens.QUOTED, an argument: see the module doc)."""
    n = words.size
    grams = kgrams(words, k)
    lead_words = min(n, lead_tokens)
    lead = kgrams(words[:lead_words], k) if lead_tokens < k else grams[: max(1, lead_words - k + 1)].copy()
    quoted = False
    for t in range(n):
        quoted = quoted or (flags[t] & quoted_bit) != 0
    if quoted and grams.size > 1:
        kk = min(k, n)
        narrative = np.empty(grams.size, np.bool_)
        inside = np.int64(0)  # quoted tokens in the window [i, i + kk)
        for t in range(kk):
            inside += np.int64((flags[t] & quoted_bit) != 0)
        total = 0
        for i in range(grams.size):
            if i:
                inside += np.int64((flags[i + kk - 1] & quoted_bit) != 0) - np.int64((flags[i - 1] & quoted_bit) != 0)
            narrative[i] = inside * 2 <= kk
            total += narrative[i]
        if total >= max(min_narrative, grams.size // 4):
            grams = grams[narrative]
    return grams, lead


@_compiled
def minhash(hashes, a, b):
    """min over the hashes of (a * fmix32(h) + b) mod 2**32, per permutation (a, b): datasketch's affine32."""
    mixed = np.empty(hashes.size, np.uint32)
    for j in range(hashes.size):
        mixed[j] = np.uint32(fmix32(np.uint64(hashes[j])))
    out = np.empty(a.size, np.uint32)
    for i in range(a.size):
        ai, bi, low = a[i], b[i], np.uint32(0xFFFFFFFF)
        for j in range(mixed.size):
            v = np.uint32(ai * mixed[j] + bi)
            if v < low:
                low = v
        out[i] = low
    return out
