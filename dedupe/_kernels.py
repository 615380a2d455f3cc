"""The fingerprint's loops over text, compiled by numba: one pass over a text's code points for its tokens,
sentences and figures, then the sentence and figure hashes, each a plain loop instead of many numpy calls
(_sketch_kernels.py has those of shingles and MinHash).

A compiled function calls only functions (and reads only constants) of its own module, so that numba's on-disk
cache (see _compiled), invalidated when that module's file changes, never keeps a stale copy of another's.
Every integer is unsigned 64-bit where a hash is computed (numba would turn a mix of signed and unsigned into
floats): the constants below are np.uint64 for that reason. What each loop computes is spelled out in numpy in
support/fingerprint_reference.py; tests hold every output to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit


def _compiled(fn: Callable[..., Any]) -> Any:
    """Compiled on first call, and kept in numba's cache (__pycache__ beside this file, or NUMBA_CACHE_DIR) for
    the next process; where neither is writable (a read-only install), compiled again in each process: seconds,
    which warm_up spends at start."""
    try:
        return njit(cache=True, nogil=True)(fn)
    except RuntimeError:  # numba: "cannot cache function ...: no locator available"
        return njit(nogil=True)(fn)


#: Character classes (bit flags of tokens._classes).
WORD, UNSPACED, SPACE, HARD_END, SOFT_END, QUOTE, DIGIT, UPPER = 1, 2, 4, 8, 16, 32, 64, 128
IN_TOKEN = WORD | UNSPACED
#: What a quote mark does (tokens._quote_kind).
OPENING, CLOSING, STRAIGHT = 1, 2, 3
#: Token flags: inside a quotation, digits only, capitalised, first token of its sentence, first character a digit.
QUOTED, NUMBER, CAPITAL, OPENS, LEADS_DIGIT = 1, 2, 4, 8, 16

_BASE = np.uint64(0x100000001B3)  # a token's polynomial hash: sum of lower-cased code points times BASE**i
_MIX = np.uint64(0x9E3779B97F4A7C15)  # sentences (and shingles): a rolling hash of token hashes times MIX**i
_M1, _M2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)
_S13, _S16, _S24, _S32, _S33 = np.uint64(13), np.uint64(16), np.uint64(24), np.uint64(32), np.uint64(33)
_LOW24, _LOW32, _NOT1, _NOT1_16 = np.uint64(0xFFFFFF), np.uint64(0xFFFFFFFF), np.uint32(0xFFFFFFFE), np.uint64(0xFFFE)
_ZERO, _ONE = np.uint64(0), np.uint64(1)


@njit(inline="always")
def fmix64(h: np.uint64) -> np.uint64:
    # MurmurHash3's 64-bit finaliser: every input bit reaches every output bit.
    h ^= h >> _S33
    h *= _M1
    h ^= h >> _S33
    h *= _M2
    return h ^ (h >> _S33)


@njit(inline="always")
def _ends_sentence(cls, prev, nxt, i, n):
    """Position i ends a sentence: a hard end; a soft end before a space, a quote mark, a hard end or the
    text's end; a space between two unspaced characters (Thai, Lao, Khmer and Myanmar end sentences so)."""
    if cls & HARD_END:
        return True
    if cls & SOFT_END:
        return i + 1 >= n or (nxt & (SPACE | QUOTE)) != 0 or nxt == HARD_END
    return (cls & SPACE) != 0 and 0 < i < n - 1 and (prev & UNSPACED) != 0 and (nxt & UNSPACED) != 0


@njit(inline="always")
def _after_quote(kind, depth, straight):
    """(depth, straight quote marks) after a quote mark of this kind."""
    if kind == OPENING:
        return depth + 1, straight
    if kind == CLOSING:
        return depth - 1, straight
    return depth, straight + (kind == STRAIGHT)


@njit(inline="always")
def _token_flags(cls, depth, straight):
    """A token's flags, from its first character and the quote marks before it in its line."""
    quoted = QUOTED if depth > 0 or straight % 2 == 1 else 0
    return quoted | (CAPITAL if cls & UPPER else 0) | (LEADS_DIGIT if cls & DIGIT else 0)


@_compiled
def scan(codes, table, quote_kind):
    """(hashes, starts, ends, flags) of the tokens, (first token, holds a quote mark) of the sentences. `table`:
    each code point's lower-case form (low 24 bits) and classes (high 8 bits). A token's sentence: the number of
    sentence ends before it; a quote mark's: the one it stands in, or, right after a sentence end, the one
    that end closes (see _quoting); quote marks count from each line's start."""
    n = codes.size
    hashes, flags = np.empty(n, np.uint64), np.empty(n, np.uint8)
    rows = np.empty((5, n), np.int64)
    starts, ends, first, ids, owners = rows[0], rows[1], rows[2], rows[3], rows[4]  # ids, owners: see _quoting
    tokens = sentences = marks = bounds = depth = straight = start = 0
    prev_bound, h, power, digits, prev = False, _ZERO, _ONE, np.int64(0), np.int64(0)
    following = np.uint64(table[codes[0]]) if n else _ZERO
    for i in range(n):
        entry, following = following, np.uint64(table[codes[i + 1]]) if i + 1 < n else _ZERO
        cls, nxt, bound = np.int64(entry >> _S24), np.int64(following >> _S24), False
        if cls & IN_TOKEN:  # a token character (never a space, a sentence end or a quote mark)
            if not prev & IN_TOKEN or (cls | prev) & UNSPACED:  # a token starts
                start, h, power, digits = i, _ZERO, _ONE, np.int64(DIGIT)
                flags[tokens] = _token_flags(cls, depth, straight)
                if sentences == 0 or ids[sentences - 1] != bounds:  # and a sentence
                    flags[tokens] |= OPENS
                    first[sentences], ids[sentences], sentences = tokens, bounds, sentences + 1
            h, power, digits = h + (entry & _LOW24) * power, power * _BASE, digits & cls
            if not nxt & IN_TOKEN or (cls | nxt) & UNSPACED:  # it ends
                hashes[tokens], starts[tokens], ends[tokens] = fmix64(h), start, i + 1
                flags[tokens] |= NUMBER if digits else 0
                tokens += 1
        elif cls:
            if cls & QUOTE:
                depth, straight = _after_quote(quote_kind[entry & _LOW24], depth, straight)
                ended = i > 0 and (prev & (HARD_END | SOFT_END)) != 0
                owners[marks], marks = bounds - 1 if ended and prev_bound else bounds, marks + 1
            if entry & _LOW24 == 0x0A:
                depth = straight = 0
            bound = _ends_sentence(cls, prev, nxt, i, n)
            bounds += bound
        prev_bound, prev = bound, cls
    quoting = _quoting(ids[:sentences], owners[:marks])
    return hashes[:tokens], starts[:tokens], ends[:tokens], flags[:tokens], first[:sentences], quoting


@_compiled
def _quoting(ids, owners):
    """Per sentence with a token (`ids`: its number): does a quote mark belong to it? A quote mark belongs to
    the sentence numbered `owners[q]`, or, when that one has no token, to the next that has one."""
    quoting = np.zeros(ids.size, np.bool_)
    j = 0
    for q in range(owners.size):  # owners only grow: a merge with the sentences' numbers
        while j < ids.size and ids[j] < owners[q]:
            j += 1
        if j < ids.size:
            quoting[j] = True
    return quoting


@_compiled
def sentence_values(hashes, first, quoting):
    """Per sentence: the high 32 bits of fmix64(sum of its token hashes times MIX**i), the lowest bit set to
    whether it holds a quote mark; and its token count."""
    count = first.size
    values = np.empty(count, np.uint32)
    counts = np.empty(count, np.int64)
    for s in range(count):
        end = first[s + 1] if s + 1 < count else hashes.size
        acc, power = _ZERO, _ONE
        for t in range(first[s], end):
            acc += hashes[t] * power
            power *= _MIX
        values[s] = np.uint32(fmix64(acc) >> _S32) & _NOT1 | np.uint32(quoting[s])
        counts[s] = end - first[s]
    return values, counts


@_compiled
def first_distinct(values, keep, limit):
    """Indices of the first `limit` distinct values among those kept, in order (the first of repeats)."""
    out = np.empty(min(limit, values.size), np.int64)
    found = 0
    for i in range(values.size):
        if found == out.size:
            break
        if keep[i]:
            seen = False
            for j in range(found):
                if values[out[j]] == values[i]:
                    seen = True
                    break
            if not seen:
                out[found] = i
                found += 1
    return out[:found]


@_compiled
def figures(hashes, flags, limit):
    """The first `limit` distinct 16-bit figure hashes, in order: numbers (lowest bit 1) and names (0)."""
    out = np.empty(min(limit, hashes.size), np.uint16)
    found = 0
    for t in range(hashes.size):
        if found == out.size:
            break
        f = flags[t]
        number = (f & NUMBER) != 0
        if number or ((f & CAPITAL) != 0 and (f & OPENS) == 0):
            value = np.uint16((hashes[t] & _NOT1_16) | np.uint64(number))
            seen = False
            for j in range(found):
                if out[j] == value:
                    seen = True
                    break
            if not seen:
                out[found] = value
                found += 1
    return out[:found]
