"""Check, store and forget articles: the decision, with no HTTP in sight.

The index answers which stored articles are the same story (see index.Rules). This module decides
what that means for the caller: an article is a duplicate only when one of its matches came first,
by publication time, or by arrival when either date is missing or the dates are equal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Literal

from .alignment import Alignment, align, unpack
from .config import Settings
from .exceptions import InvalidInput, NotFound
from .fingerprint import Fingerprint, Params, fingerprint_text
from .metadata import with_page_metadata
from .models import ArticleIn, CheckResult, Match, StoredArticle, format_time
from .store import ArticleMeta, Candidate, DeleteStatus, Event, IndexAnswer, RedisIndex, Rules
from .store.browse import pack_text
from .text import story_text

#: What a webhook event did: applied, ignored as older than one applied (stale), or applied already (replayed).
EventStatus = Literal["applied", "stale", "replayed"]


def params_from(settings: Settings) -> Params:
    return Params(shingle_size=settings.shingle_size, num_perm=settings.num_perm)


def rules_from(settings: Settings) -> Rules:
    return Rules(
        jaccard=settings.jaccard_threshold,
        containment=settings.containment_threshold,
        containment_min_shingles=settings.min_containment_shingles,
        window_s=settings.match_window_hours * 3600.0,
        lead_jaccard=settings.lead_jaccard_threshold,
        lead_containment=settings.lead_containment_threshold,
        containment_z=settings.containment_caution,
        max_matches=settings.max_matches,
        sentences_min=settings.sentences_min,
        sentence_share=settings.sentence_share,
        long_window_s=settings.long_window_hours * 3600.0,
        near_jaccard=settings.near_jaccard,
        near_sentence_share=settings.near_sentence_share,
        numbers_min=settings.numbers_min,
        copy_cover=settings.copy_cover,
        near_numbers_min=settings.near_numbers_min,
    )


def came_first(match: Candidate, answer: IndexAnswer) -> bool:
    """Is `match` earlier than the checked article (by published_at, else by arrival)?"""
    if match.has_published and answer.has_published and match.ts != answer.ts:
        return match.ts < answer.ts
    return answer.number is None or match.number < answer.number


def alignment_of(answer: IndexAnswer, match: Candidate) -> Alignment:
    """Which of the checked article's sentences come from the match, what it adds, where it stops."""
    return align(unpack(answer.sentences), unpack(match.sentence_hashes))


def is_duplicate(answer: IndexAnswer) -> bool:
    """A copy of an earlier article: one of its matches came first."""
    return any(came_first(m, answer) for m in answer.matches)


def prepare(article: ArticleIn, params: Params, now: float, keep_text: bool = True) -> tuple[Fingerprint, ArticleMeta]:
    """Text to fingerprint: the CPU-bound half of a check, with no I/O, so it can run in another process.
    An HTML page's own title and publication time stand in for those the caller did not give."""
    article = with_page_metadata(article)
    content = article.content()  # a ninjs or XML wire item fills what the caller left out
    story = story_text(content.text, content.html, content.title)
    try:
        fp = fingerprint_text(story, params)
    except ValueError:  # no words
        field = next(f for f in ("text", "html", "ninjs", "xml") if getattr(article, f) is not None)
        raise InvalidInput(field, "no story text is left once boilerplate is removed") from None
    published = content.published_ts
    meta = ArticleMeta(
        id=article.id, ts=published if published is not None else now, has_published=published is not None,
        published_at=format_time(published), title=content.title, url=article.url, outlet=article.outlet,
        wire_id=content.wire_id, text=pack_text(story) if keep_text else b"",
    )  # fmt: skip
    return fp, meta


def short_text_warnings(fp: Fingerprint, rules: Rules) -> list[str]:
    """Below the size where containment counts, only a near-verbatim copy is ever found: say so."""
    if fp.shingles >= rules.containment_min_shingles:
        return []
    need = rules.containment_min_shingles + fp.params.shingle_size - 1
    return [f"text too short to match reliably: {fp.words} words (only near-verbatim copies are found below {need})"]


def _result(article_id: str, answer: IndexAnswer, stored: bool, fp: Fingerprint, rules: Rules) -> CheckResult:
    return CheckResult(
        id=article_id,
        duplicate=is_duplicate(answer),
        story_id=answer.story_id,
        indexed=stored,
        matches=[
            Match(id=m.id, similarity=round(m.similarity, 4), containment=round(m.containment, 4),
                  outlet=m.outlet, url=m.url, title=m.title, published_at=m.published_at, story_id=m.story_id,
                  relation=m.relation, evidence=m.evidence, shared_sentences=m.shared_sentences,
                  sentences=m.sentences, alignment=alignment_of(answer, m))
            for m in answer.matches
        ],
        words=fp.words,
        warnings=short_text_warnings(fp, rules),
    )  # fmt: skip


class Deduplicator:
    def __init__(self, index: RedisIndex, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self.index = index
        self.params = index.params
        self.rules = rules_from(settings)
        self.retention_s = settings.retention_days * 86400.0
        self.clock = clock

    def prepare(self, article: ArticleIn) -> tuple[Fingerprint, ArticleMeta]:
        return prepare(article, self.params, self.clock(), self.index.store_text)

    def check(self, article: ArticleIn, store: bool | None = None) -> CheckResult:
        store = article.index if store is None else store
        fp, meta = self.prepare(article)
        answer = self.index.check(fp, meta, self.rules, store=store, now=self.clock(), retention_s=self.retention_s)
        return _result(article.id, answer, store, fp, self.rules)

    def check_batch(self, articles: Sequence[ArticleIn]) -> list[CheckResult | InvalidInput]:
        """Check articles in order (each sees those before it), the valid ones in one round trip; an article
        without story text gets its error in its place. A Redis failure raises: nothing is half-answered."""
        prepared = [self._prepare_or_error(article) for article in articles]
        todo = [(p, a) for p, a in zip(prepared, articles, strict=True) if not isinstance(p, InvalidInput)]
        answers = self.index.check_many(
            [p for p, _ in todo], self.rules, now=self.clock(), retention_s=self.retention_s,
            stores=[a.index for _, a in todo],
        ) if todo else []  # fmt: skip
        results = iter(
            _result(a.id, answer, a.index, p[0], self.rules) for (p, a), answer in zip(todo, answers, strict=True)
        )
        return [p if isinstance(p, InvalidInput) else next(results) for p in prepared]

    def _prepare_or_error(self, article: ArticleIn) -> tuple[Fingerprint, ArticleMeta] | InvalidInput:
        try:
            return self.prepare(article)
        except InvalidInput as exc:
            return exc

    def store_event(self, article: ArticleIn, event: Event) -> tuple[EventStatus, CheckResult | None]:
        """Check and store a webhook's article: ("applied", result), ("stale", None) when a later event for
        its id was applied, or ("replayed", result) when this delivery was, the result then looked up anew."""
        fp, meta = self.prepare(article)
        answer = self.index.check(
            fp, meta, self.rules, store=True, now=self.clock(), retention_s=self.retention_s, event=event
        )
        if answer.status == "stale":
            return "stale", None
        if answer.status == "replayed":  # stored by the first delivery: look it up, without side effects
            answer = self.index.check(fp, meta, self.rules, store=False, now=self.clock(), retention_s=self.retention_s)
            return "replayed", _result(article.id, answer, True, fp, self.rules)
        return "applied", _result(article.id, answer, True, fp, self.rules)

    def delete_event(self, article_id: str, event: Event) -> DeleteStatus:
        """Forget an article for a webhook: "deleted", "absent", "stale" or "replayed" (see RedisIndex.delete)."""
        return self.index.delete(article_id, event)

    def store_many(self, prepared: list[tuple[Fingerprint, ArticleMeta]]) -> list[bool]:
        """Index a batch of prepared articles in order, in one round trip (the backfill path); whether each
        was a duplicate, without building the full results that nobody reads there."""
        answers = self.index.check_many(prepared, self.rules, now=self.clock(), retention_s=self.retention_s)
        return [is_duplicate(answer) for answer in answers]

    def get(self, article_id: str) -> StoredArticle:
        found = self.index.get(article_id)
        if found is None:
            raise NotFound(f"no article with id {article_id!r}")
        return found

    def exists(self, article_id: str) -> bool:
        return self.index.get(article_id) is not None

    def delete(self, article_id: str) -> None:
        if self.index.delete(article_id) != "deleted":
            raise NotFound(f"no article with id {article_id!r}")

    def story(self, story_id: str) -> list[StoredArticle]:
        copies = self.index.story(story_id)
        if not copies:
            raise NotFound(f"no story with id {story_id!r}")
        return copies

    def purge_expired(self, limit: int = 10_000) -> int:
        return self.index.purge(self.clock() - self.retention_s, limit)
