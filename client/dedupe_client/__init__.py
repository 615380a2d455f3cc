"""dedupe-client: a typed Python client for the dedupe service's HTTP API."""

from .article import Article
from .client import ROUTES, DedupeClient, DedupeError
from .types import CheckResult, ErrorBody, ItemError, Match, StoredArticle, Story
from .webhooks import sign_webhook

__all__ = [
    "ROUTES",
    "Article",
    "CheckResult",
    "DedupeClient",
    "DedupeError",
    "ErrorBody",
    "ItemError",
    "Match",
    "StoredArticle",
    "Story",
    "sign_webhook",
]
__version__ = "1.0.0"
