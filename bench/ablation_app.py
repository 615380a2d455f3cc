"""The service with a part of each check taken away, for `python -m bench --only ablation` and nothing else.

BENCH_ABLATE names what is taken away: "fingerprint" (every body's fingerprint is computed once at start
and looked up per request), "index" (no Redis call: every article is new), "both", or "script" (fingerprints
looked up, and the check script replaced by one that returns at once: the cost of the round trip alone).
What is left of a request is the same code as the service's, so the throughput gained says what the part
costs over HTTP.
"""

from __future__ import annotations

import json
import os
import time

from dedupe.models import ArticleIn
from dedupe.store import ArticleMeta, IndexAnswer
from dedupe.web import create_app
from dedupe.web.deps import services

app = create_app()
_ablate = os.environ.get("BENCH_ABLATE", "")
_dedupe = services(app).dedupe

if _ablate in ("fingerprint", "both", "script"):
    _known = {}
    with open(os.environ["BENCH_BODIES"], encoding="utf-8") as lines:
        for line in lines:
            article = ArticleIn.model_validate(json.loads('{"id":"x",' + line[1:]))
            _known[article.text] = _dedupe.prepare(article)[0]

    def _looked_up(article: ArticleIn):  # type: ignore[no-untyped-def]
        meta = ArticleMeta(id=article.id, ts=time.time(), has_published=False, published_at=None,
                           title=article.title, url=article.url, outlet=article.outlet)  # fmt: skip
        return _known[article.text], meta

    _dedupe.prepare = _looked_up


def _new_article(fp, meta, rules, **_):  # type: ignore[no-untyped-def]
    return IndexAnswer(status="created", number=1, story_id="s-1", ts=meta.ts, has_published=False, matches=[])


if _ablate in ("index", "both"):
    _dedupe.index.check = _new_article

if _ablate == "script":
    _noop = _dedupe.index.client.register_script("return 1")

    def _round_trip_only(fp, meta, rules, **kw):  # type: ignore[no-untyped-def]
        args = _dedupe.index._args(fp, meta, rules, True, kw["now"], kw["retention_s"])  # the same request size
        _noop(keys=[_dedupe.index.prefix], args=args)
        return _new_article(fp, meta, rules)

    _dedupe.index.check = _round_trip_only
