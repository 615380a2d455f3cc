"""The newsroom view at scale: server time of each /ui page with N articles indexed, and the Redis bytes per
article of what the view adds (story text, URL index, recent stories).

    .venv/bin/python -m bench.ui                      # 1,000,000 articles (about 5 minutes to load on 2 cores)
    .venv/bin/python -m bench.ui --articles 20000     # quick

Articles are bulk-loaded through the real check script (RedisIndex.check_many) with random fingerprints (each
its own story) and real story texts (the evaluation corpus, compressed as the service stores them); then one
real story with copies by 150 outlets is checked through the service on top. Pages are requested in-process
(Flask's test client): the time is the server's, Flask, templates and Redis round trips included.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from dedupe.config import Settings
from dedupe.fingerprint import Fingerprint
from dedupe.models import format_time
from dedupe.store import ArticleMeta
from dedupe.store.browse import pack_text
from dedupe.text import story_text
from dedupe.web import create_app
from dedupe.wiring import build_services
from support import articles
from support.redis_server import private_redis

RUNS = 30


def corpus_texts(limit: int = 4000) -> list[str]:
    from eval.corpus import load, paragraphs

    return [story_text("\n\n".join(paragraphs(b)), None, None) for b in load()[:limit]]


def bulk_load(services, n: int, packed: list[bytes], now: float) -> None:
    index, dedupe = services.dedupe.index, services.dedupe
    params, start = index.params, now - 20 * 86400
    for lo in range(0, n, 2000):
        items = []
        for i in range(lo, min(n, lo + 2000)):
            fp = Fingerprint(os.urandom(2 * params.num_perm), os.urandom(2 * params.lead_perm), 600, params,
                             sentences=os.urandom(4 * 30), numbers=os.urandom(2 * 24), words=700)  # fmt: skip
            ts = start + i * (20 * 86400 / n)
            meta = ArticleMeta(
                f"bulk-{i}", ts, True, format_time(ts), f"Bulk story number {i}", f"https://outlet{i % 97}.example/{i}",
                f"Outlet {i % 97}", text=packed[i % len(packed)],
            )  # fmt: skip
            items.append((fp, meta))
        index.check_many(items, dedupe.rules, now=now - 60, retention_s=30 * 86400)
        if lo % 100_000 == 0:
            print(f"  loaded {lo:,}", flush=True)


def real_story(client, copies: int) -> None:
    paras = articles.story_paragraphs()
    body = {"text": articles.join(paras), "title": "Russia says US failing", "outlet": "AFP"}
    client.post("/v1/check", json={"id": "afp-1", **body, "url": "https://afp.example/1",
                                   "published_at": "2022-01-27T08:00:00Z"})  # fmt: skip
    for i in range(copies):
        text = articles.join(paras[: 4 + i % 20]) if i % 3 else articles.wrapped_copy()
        when = f"2022-01-27T{9 + i % 12:02d}:{i % 60:02d}:00Z"
        client.post("/v1/check", json={"id": f"copy-{i}", "text": text, "outlet": f"Outlet {i}", "title": f"Copy {i}",
                                       "published_at": when})  # fmt: skip


def timed(client, method: str, path: str, **kw) -> dict[str, float]:
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        response = client.open(path, method=method, **kw)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return {"p50": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))], "max": times[-1]}


def pages(client, story_id: str) -> dict[str, dict[str, float]]:
    form_page = client.get("/ui/check").get_data(as_text=True)
    token = form_page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return {
        "recent stories": timed(client, "GET", "/ui/"),
        "story (151 copies)": timed(client, "GET", f"/ui/stories/{story_id}"),
        "copy page": timed(client, "GET", "/ui/articles/copy-3"),
        "search by id": timed(client, "GET", "/ui/search?q=bulk-12345"),
        "search by URL": timed(client, "GET", "/ui/search?q=https://afp.example/1"),
        "search by title (newest 2,000)": timed(client, "GET", "/ui/search?q=story+number+99"),
        "check form (look, no store)": timed(
            client, "POST", "/ui/check", data={"csrf_token": token, "text": articles.brief()}
        ),
    }


def view_bytes(r, prefix: str, n: int) -> dict[str, float]:
    sample = [f"{prefix}t:{i}" for i in range(1, n, max(1, n // 2000))]
    text = statistics.mean(r.memory_usage(k) or 0 for k in sample)
    return {
        "story text (t:<n>)": text,
        "URL index (u)": (r.memory_usage(prefix + "u", samples=0) or 0) / n,
        "recent stories (recent)": (r.memory_usage(prefix + "recent", samples=0) or 0) / n,
        "used_memory / article": int(r.info("memory")["used_memory"]) / n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    args = parser.parse_args()
    packed = [pack_text(t) for t in corpus_texts()]
    with private_redis() as server:
        settings = Settings(redis_url=server.url, namespace="uibench", log_level="WARNING")
        services = build_services(settings)
        app = create_app(settings, services)
        started = time.time()
        bulk_load(services, args.articles, packed, time.time())
        print(f"loaded {args.articles:,} articles in {time.time() - started:.0f} s")
        client = app.test_client()
        real_story(client, 150)
        story_id = client.get("/v1/articles/afp-1").get_json()["story_id"]
        r = services.redis
        print(f"articles indexed: {r.hlen(services.dedupe.index.prefix + 'ids'):,}")
        for name, b in view_bytes(r, services.dedupe.index.prefix, args.articles).items():
            print(f"  {name:<28} {b:8.0f} B/article")
        print(f"server time per page ({RUNS} requests each), ms:")
        for name, t in pages(client, story_id).items():
            print(f"  {name:<32} p50 {t['p50']:6.1f}  p95 {t['p95']:6.1f}  max {t['max']:6.1f}")


if __name__ == "__main__":
    main()
