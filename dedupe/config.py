"""Settings: one frozen object, read once from DEDUPE_* environment variables.

Every setting is documented here and in `.env.example`; nothing else reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields


class SettingsError(ValueError):
    """A setting has a value the service cannot run with."""


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.replace("\n", ",").split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    # Storage
    redis_url: str = ""  # REDIS_URL; empty = start the embedded Redis under data_dir
    data_dir: str = "./data"  # where the embedded Redis keeps its files
    namespace: str = "dedupe"  # key prefix; also the Redis Cluster hash tag of the index
    redis_timeout_s: float = 2.0  # socket timeout: a slow Redis fails a request, never hangs it
    retention_days: float = 30.0  # articles leave the index after this many days
    expected_articles: int = 1_000_000  # sizes the LSH buckets when an index is created (fixed afterwards)
    store_text: bool = True  # keep each article's story text (zlib, ~2 KB) for the view's copy page
    # Detection (defaults tuned by `python -m eval`; see README "Detection quality")
    shingle_size: int = 6  # word 6-grams: names/numbers changed (templates) break more shingles than edits do
    num_perm: int = 128
    jaccard_threshold: float = 0.8  # near-identical copies; lower flags templated look-alikes (J up to ~0.6)
    containment_threshold: float = 0.4  # narrative only: real copies in furniture 0.3-0.7, other agencies <= ~0.2
    min_containment_shingles: int = 40  # below this size containment is not trusted
    # A brief's containment estimate is noisy (its Jaccard with the full story is ~0.1); when its opening
    # matches the story's opening this closely, a lower containment is enough.
    lead_jaccard_threshold: float = 0.95
    lead_containment_threshold: float = 0.65
    containment_caution: float = 0.5  # judge containment this many standard errors below its estimate
    match_window_hours: float = 20.0  # from a story's first copy; a daily report sent again 24 h later is new
    # Sentence evidence: copies share whole sentences even when outlet furniture halves their Jaccard.
    sentences_min: float = 2.0  # at least this many shared sentences (a quotation counts half) ...
    sentence_share: float = 0.34  # ... making at least this share of the shorter article's sentences
    numbers_min: float = 0.65  # below this share of the shorter article's numbers and names in the other: not a copy
    near_jaccard: float = 0.95  # near-verbatim copies (this Jaccard, or this share of sentences) join a story ...
    near_sentence_share: float = 0.9
    long_window_hours: float = 72.0  # ... this long after it began (reposts, weekend resends), when ...
    near_numbers_min: float = 1.0  # ... this share of the shorter one's numbers is in the other (a daily report
    # sent again has new ones; a text without numbers never crosses the window)
    copy_cover: float = 0.8  # relation "copy" when this share of the shorter article is in the other, else "version"
    max_matches: int = 10
    # HTTP
    max_body_bytes: int = 2_000_000
    max_batch: int = 500  # articles per POST /v1/check/batch
    max_batch_bytes: int = 20_000_000  # a batch body larger than this gets 413
    api_keys: tuple[str, ...] = field(default_factory=tuple, repr=False)  # secrets: never in a repr or a log
    webhook_secrets: tuple[str, ...] = field(default_factory=tuple, repr=False)
    webhook_dedupe_hours: float = 72.0  # how long a processed webhook-id is remembered
    # Operations
    log_level: str = "INFO"  # DEDUPE_LOG_LEVEL: DEBUG, INFO, WARNING, ERROR
    log_format: str = "json"  # DEDUPE_LOG_FORMAT: json (one object a line) or text (for a terminal)
    rate_limit: str = ""  # DEDUPE_RATE_LIMIT per API key on /v1, e.g. "600/minute;20000/hour"; empty = off
    # View (/ui)
    secret_key: str = field(default="", repr=False)  # signs the view's session and CSRF tokens; empty: kept in Redis

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for f in fields(cls):
            name = "REDIS_URL" if f.name == "redis_url" else f"DEDUPE_{f.name.upper()}"
            if f.name == "webhook_secrets":
                name = "DEDUPE_WEBHOOK_SECRET"
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            default = getattr(cls, f.name, None) if f.name not in ("api_keys", "webhook_secrets") else ()
            try:
                if isinstance(default, tuple):
                    values[f.name] = _split(raw)
                elif isinstance(default, bool):
                    values[f.name] = raw.lower() in ("1", "true", "yes", "on")
                elif isinstance(default, int):
                    values[f.name] = int(raw)
                elif isinstance(default, float):
                    values[f.name] = float(raw)
                else:
                    values[f.name] = raw
            except ValueError as exc:
                raise SettingsError(f"{name}={raw!r}: {exc}") from exc
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        problems = []
        if not 2 <= self.shingle_size <= 12:
            problems.append("DEDUPE_SHINGLE_SIZE must be between 2 and 12")
        if self.num_perm < 64 or self.num_perm % 8:
            problems.append("DEDUPE_NUM_PERM must be a multiple of 8, at least 64")
        for name in (
            "jaccard_threshold",
            "containment_threshold",
            "lead_jaccard_threshold",
            "lead_containment_threshold",
            "sentence_share",
            "numbers_min",
            "near_jaccard",
            "near_sentence_share",
            "copy_cover",
            "near_numbers_min",
        ):
            if not 0.0 < getattr(self, name) <= 1.0:
                problems.append(f"DEDUPE_{name.upper()} must be in (0, 1]")
        if self.retention_days <= 0 or self.match_window_hours <= 0 or self.long_window_hours <= 0:
            problems.append("DEDUPE_RETENTION_DAYS and DEDUPE_*_WINDOW_HOURS must be positive")
        if self.expected_articles < 1:
            problems.append("DEDUPE_EXPECTED_ARTICLES must be at least 1")
        if self.max_body_bytes < 1024:
            problems.append("DEDUPE_MAX_BODY_BYTES must be at least 1024")
        if self.max_batch < 1 or self.max_batch_bytes < 1024:
            problems.append("DEDUPE_MAX_BATCH must be at least 1 and DEDUPE_MAX_BATCH_BYTES at least 1024")
        # Operations
        if self.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            problems.append("DEDUPE_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        if self.log_format not in ("json", "text"):
            problems.append("DEDUPE_LOG_FORMAT must be json or text")
        if self.rate_limit:
            from limits import parse_many

            try:
                parse_many(self.rate_limit)
            except ValueError as exc:
                problems.append(f"DEDUPE_RATE_LIMIT must be like '600/minute' or '10/second;20000/hour' ({exc})")
        if problems:
            raise SettingsError("; ".join(problems))
