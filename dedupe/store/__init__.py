"""Storage: the LSH index and everything else this service keeps in Redis, behind RedisIndex.

The rest of the service sees the types of records.py and the methods of RedisIndex; key names live in
keys.py only, and the decision itself runs inside check.lua, one atomic script per article.
"""

from .deliveries import Deliveries
from .index import PURGE_PER_WRITE, RedisIndex, bucket_bits_for
from .keys import Keys
from .records import ArticleMeta, Candidate, CheckStatus, DeleteStatus, Event, IndexAnswer, Rules

__all__ = [
    "PURGE_PER_WRITE",
    "ArticleMeta",
    "Candidate",
    "CheckStatus",
    "DeleteStatus",
    "Deliveries",
    "Event",
    "IndexAnswer",
    "Keys",
    "RedisIndex",
    "Rules",
    "bucket_bits_for",
]
