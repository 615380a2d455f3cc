"""Tune the detection defaults on the dev split only: `python -m eval.tune`.

For each fingerprint layout (shingle size, num_perm, bands x rows) the dev stream goes once through the real
index with rules so loose that every LSH candidate comes back with its estimated Jaccard and containment; the
same-story rule of check.lua (and the story assignment that follows it) is then replayed in Python for every
threshold and window in the grid. The best few settings are confirmed through the real path.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace

from dedupe.config import Settings
from dedupe.fingerprint import Params, fingerprint
from dedupe.index import ArticleMeta, RedisIndex
from dedupe.models import format_time
from dedupe.service import rules_from

from .dataset import build
from .metrics import Prediction, score
from .service_run import private_redis, tokens_of


def candidates(items, tokens, client, params: Params) -> dict[str, list]:
    """Every LSH candidate of every article, scored by the index (rules wide open)."""
    loose = Settings(jaccard_threshold=1e-9, containment_threshold=1.0, match_window_hours=1e9, max_matches=64)
    client.flushdb()
    index = RedisIndex(client, params, "tune")
    index.ensure()
    rules = rules_from(loose)
    out = {}
    for start in range(0, len(items), 500):
        chunk = items[start : start + 500]
        prepared = []
        for it in chunk:
            ts = it.published.timestamp()
            prepared.append(
                (fingerprint(tokens[it.id], params), ArticleMeta(it.id, ts, True, format_time(ts), None, None, None))
            )
        for (fp, _), it, ans in zip(
            prepared, chunk, index.check_many(prepared, rules, now=0.0, retention_s=1e12), strict=True
        ):
            out[it.id] = (
                ans.ts,
                fp.shingles,
                [(m.similarity, m.containment, m.ts, m.id, m.number) for m in ans.matches],
            )
    return out


def replay(items, cands, sizes, j: float, c: float, n_min: int, window_h: float) -> dict[str, Prediction]:
    story: dict[str, str] = {}
    out = {}
    for it in items:
        ts, size, cs = cands[it.id]
        ok = [
            (sim, con, -num, mid)
            for sim, con, mts, mid, num in cs
            if abs(mts - ts) <= window_h * 3600 and (sim >= j or (con >= c and min(size, sizes[mid]) >= n_min))
        ]
        ok.sort(reverse=True)
        if ok:
            story[it.id] = story[ok[0][3]]
            out[it.id] = Prediction(True, story[it.id], [x[3] for x in ok[:10]])
        else:
            story[it.id] = it.id
            out[it.id] = Prediction(False, it.id, [])
    return out


def objective(s: dict) -> tuple:
    kinds = s["kinds"]
    min_kind = min(
        v["recall"] for k, v in kinds.items() if k not in ("original", "lookalike", "recurring", "real_copy")
    )
    look = kinds.get("lookalike", {}).get("flagged", 0.0)
    ok = s["precision"] >= 0.995 and s["recall"] >= 0.98 and min_kind >= 0.95 and look <= 0.005
    return (ok, round(s["f1"], 4), min_kind)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shingles", default="4,5,6,7,8")
    ap.add_argument("--perms", default="128")
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    items = [it for it in build() if it.split == "dev"]
    tokens = tokens_of(items)
    results = []
    with private_redis() as client:
        for k, perm in itertools.product(map(int, args.shingles.split(",")), map(int, args.perms.split(","))):
            params = replace(Params(), shingle_size=k, num_perm=perm)
            cands = candidates(items, tokens, client, params)
            sizes = {i: v[1] for i, v in cands.items()}
            for j, c, n_min, w in itertools.product(
                (0.7, 0.8, 0.9), (0.65, 0.7, 0.72, 0.75, 0.78, 0.8, 0.85), (40,), (6, 8, 10, 12, 16, 20, 22)
            ):
                s = score(items, replay(items, cands, sizes, j, c, n_min, w))
                results.append((objective(s), dict(k=k, perm=perm, j=j, c=c, n=n_min, w=w), s))
    results.sort(key=lambda r: r[0], reverse=True)
    for obj, cfg, s in results[: args.top]:
        kinds = s["kinds"]
        flags = {k: round(kinds[k]["flagged"], 4) for k in ("lookalike", "recurring", "original")}
        worst = {k: round(v["recall"], 3) for k, v in kinds.items() if k in ("brief", "cut30", "copyedit", "local_top")}
        print(obj, cfg, f"P={s['precision']:.4f} R={s['recall']:.4f} ARI={s['ari']:.4f}", flags, worst)
    print("Confirm the chosen settings through the production path: set them in dedupe/config.py, then")
    print("`python -m eval --split dev` (never tune on the held-out split).")


if __name__ == "__main__":
    main()
