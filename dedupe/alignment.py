"""Passage alignment: which sentences of a checked article come from a match, and what was added or cut.

Pure functions over the 32-bit sentence hashes every fingerprint and every stored record already hold
(tokens.sentence_hashes: sentences of at least MIN_SENTENCE_TOKENS tokens, distinct, the first
MAX_SENTENCES, in text order), so an alignment costs no Redis read beyond the check's own. `split` cuts a
stored text into the same sentences, with the same hashes, for the copy page's side-by-side view.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .tokens import kept_sentences, sentence_values, tokenize


def unpack(sentences: bytes) -> list[int]:
    """The hashes of a record's or fingerprint's SENTS field (4 bytes each, little-endian), in text order."""
    return np.frombuffer(sentences[: len(sentences) // 4 * 4], dtype="<u4").tolist()


@dataclass(frozen=True)
class Alignment:
    """Counted in the checked article's hashed sentences (`sentences`) and the match's (`match_sentences`)."""

    shared: int  # sentences of the checked article found in the match
    sentences: int
    match_sentences: int
    added_top: int  # sentences of its own before the first shared one ...
    added_inside: int  # ... between shared ones ...
    added_end: int  # ... and after the last shared one
    cut_top: int  # sentences of the match before the first one it carries
    cut_after: int | None  # it stops after this sentence of the match (1-based), the match going on; else None
    summary: str


def shared_flags(checked: list[int], match: list[int]) -> list[bool]:
    """For each sentence of `checked`: is it in `match`?"""
    theirs = set(match)
    return [h in theirs for h in checked]


def align(checked: list[int], match: list[int]) -> Alignment:
    """How `checked` (hashes in text order) carries `match`: shared sentences, additions, where it stops."""
    shared_at = [i for i, hit in enumerate(shared_flags(checked, match)) if hit]
    ours = set(checked)
    carried = [j for j, h in enumerate(match) if h in ours]
    if not shared_at:
        top, added_inside, end, cut_top, cut_after = len(checked), 0, 0, 0, None
    else:
        top, end = shared_at[0], len(checked) - 1 - shared_at[-1]
        added_inside = shared_at[-1] - shared_at[0] + 1 - len(shared_at)
        cut_top = carried[0]
        cut_after = carried[-1] + 1 if carried[-1] < len(match) - 1 else None
    return Alignment(
        shared=len(shared_at), sentences=len(checked), match_sentences=len(match), added_top=top,
        added_inside=added_inside, added_end=end, cut_top=cut_top, cut_after=cut_after,
        summary=_summary(len(shared_at), len(checked), len(match), top, added_inside, end, cut_top, cut_after),
    )  # fmt: skip


def _n(count: int, word: str = "sentence") -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _summary(
    shared: int, total: int, theirs: int, top: int, inside: int, end: int, cut_top: int, cut_after: int | None
) -> str:
    """e.g. "shares 14 of its 16 sentences; adds 1 sentence at the top; stops after sentence 9 of 30"."""
    if not shared:
        return f"shares none of its {_n(total)}" if total else "no sentence to compare"
    parts = [f"shares all {_n(total)}" if shared == total else f"shares {shared} of its {_n(total)}"]
    added = [(top, "at the top"), (inside, "in the middle"), (end, "at the end")]
    parts += [f"adds {_n(count)} {where}" for count, where in added if count]
    if cut_top:
        parts.append(f"leaves out the first {_n(cut_top)} of {theirs}")
    if cut_after is not None:
        parts.append(f"stops after sentence {cut_after} of {theirs}")
    return "; ".join(parts)


@dataclass(frozen=True)
class Sentence:
    text: str  # the text from this sentence's first token to the next one's (its punctuation and spacing)
    hash: int | None  # its hash when the fingerprint keeps it (see module doc), else None
    value: int  # its hash, kept or not
    tokens: int


def split(text: str) -> list[Sentence]:
    """`text` (a story text: text.story_text's output) in the fingerprint's sentences, hashed as it hashes them.
    The pieces joined give back the text."""
    tokens = tokenize(text)
    if not tokens.hashes.size:
        return [Sentence(text, None, 0, 0)] if text else []
    values, counts = sentence_values(tokens)
    kept = set(kept_sentences(values, counts).tolist())
    cuts = [0, *tokens.starts[tokens.first[1:]].tolist(), len(text)]
    return [
        Sentence(text[cuts[i] : cuts[i + 1]], int(values[i]) if i in kept else None, int(values[i]), int(counts[i]))
        for i in range(len(values))
    ]
