"""results/bench.md from the figures: tables of medians, ratios measured in the same runs, and the targets."""

from __future__ import annotations


def _f(x: float | None, fmt: str = ",.0f") -> str:
    return "n/a" if x is None else format(x, fmt)


def _ok(passed: bool | None) -> str:
    return "n/a" if passed is None else ("met" if passed else "**missed**")


_CORPORA = {"synthetic": "synthetic (Zipf)", "real_english": "real English news", "cjk": "real Chinese/Japanese"}


def markdown(r: dict) -> str:
    git = r.get("git") or {}
    commit = (git.get("commit") or "unknown")[:12] + (" with uncommitted changes" if git.get("dirty") else "")
    out = [f"# Benchmark results ({r['mode']} run)", "",
           f"Measured at commit `{commit}`. "
           f"Machine: {r['machine']['cores']} cores, Python {r['machine']['python']}, {r['machine']['platform']}. "
           f"Index parameters: `{r['params']}`. Medians over runs; ratios are computed within each run (the "
           f"systems take turns in every run), then their median is taken. Total time {r.get('seconds', 0):.0f} s.",
           ""]  # fmt: skip
    targets = []
    if fp := r.get("fingerprint"):
        out += ["## 1. Fingerprinting, one core (CPU-bound: figures move with the core, ratios much less)", "",
                "Ours: `story_text` + `fingerprint_text`, what a check runs. datasketch best: `update_batch`, "
                "affine32, xxh32, permutations drawn once; naive: `MinHash()` (sha1), `.update()` per shingle; "
                "both on the same tokens (our text pipeline) as 6-gram strings.", "",
                "| corpus | articles | median size | ours/s | datasketch best/s | naive/s | ours/best | ours/naive |",
                "|---|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
        for key, label in _CORPORA.items():
            if c := fp.get(key):
                out.append(f"| {label} | {c['articles']:,} | {c['median_size']:,.0f} {c['unit']} | "
                           f"{_f(c['ours_per_s'])} | {_f(c['datasketch_best_per_s'])} | "
                           f"{_f(c['datasketch_naive_per_s'])} | {c['ratio_best']:.1f}x | "
                           f"{c['ratio_naive']:.1f}x |")  # fmt: skip
        stage_us = fp.get("stage_us", {})
        names = [k for k in _CORPORA if k in stage_us]
        out += ["", "Where one article's time goes (ours, µs, exclusive time inside the real calls):", "",
                "| stage | " + " | ".join(_CORPORA[k] for k in names) + " |",
                "|---|" + "---:|" * len(names)]  # fmt: skip
        for stage in next(iter(stage_us.values()), {}):
            out.append(f"| {stage} | " + " | ".join(f"{stage_us[k][stage]:.0f}" for k in names) + " |")
        out.append("")
        syn, real, cjk = fp.get("synthetic"), fp.get("real_english"), fp.get("cjk")
        targets += [("fingerprinting >= 10x naive datasketch (synthetic)", f"{syn['ratio_naive']:.1f}x",
                     syn["ratio_naive"] >= 10),
                    ("fingerprinting >= 2,000 articles/s/core (synthetic)", _f(syn["ours_per_s"]),
                     syn["ours_per_s"] >= 2000)]  # fmt: skip
        if real:
            targets.append(("real English within 25% of 6,389 articles/s/core (>= 4,792)", _f(real["ours_per_s"]),
                            real["ours_per_s"] >= 0.75 * 6389))  # fmt: skip
        if cjk:
            targets.append(("CJK >= 2,000 articles/s/core", _f(cjk["ours_per_s"]), cjk["ours_per_s"] >= 2000))
    if ix := r.get("index"):
        out += ["## 2. Index check-and-insert (one client, sequential; realistic bulk, checks meet candidates)", "",
                "Ours is CPU-bound (one round trip; the Lua script and the client's CPU), datasketch round-trip-bound "
                "(one round trip per band to query, two per band to insert): the ratio grows with network latency "
                "(loopback is datasketch's best case) and shrinks on a faster core.", "",
                "| system | indexed | checks/s | p50 ms | p99 ms | round trips/check | Redis cmds/check | "
                "met a match | bytes/article | bulk load/s | Lua µs/call | ours / this |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
        for name in ("ours", "datasketch_best", "datasketch_naive"):
            for size, row in ix[name].items():
                ratio = ix["ours"].get(size, {}).get(f"ratio_{name[11:]}") if name != "ours" else None
                out.append(
                    f"| {name.replace('_', ' ')} | {_f(row['indexed'])} | {_f(row['checks_per_s'])} | "
                    f"{row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {row['round_trips_per_check']:.2f} | "
                    f"{row['commands_per_check']:.1f} | {row['matched_share']:.0%} | {_f(row['bytes_per_article'])} | "
                    f"{_f(row['bulk_load_per_s'])} | {_f(row.get('lua_usec_per_call'), '.0f')} | "
                    f"{'' if ratio is None else f'{ratio:.1f}x'} |"
                )
        out.append("")
        sizes = list(ix["ours"])
        first, last = ix["ours"][sizes[0]], ix["ours"][sizes[-1]]
        growth = last["p99_ms"] / first["p99_ms"]
        trips = max(row["round_trips_per_check"] for row in ix["ours"].values())
        mem = last["bytes_per_article"]  # at the largest size: buckets are sized for DEDUPE_EXPECTED_ARTICLES
        ratios = [row["ratio_best"] for row in ix["ours"].values() if "ratio_best" in row]
        if ratios:
            targets.append(("check-and-insert >= 15x datasketch (best use)", f"{min(ratios):.1f}x", min(ratios) >= 15))
        targets += [("exactly one round trip per check", f"{trips:.2f}", abs(trips - 1.0) < 1e-9),
                    (f"p99 at {int(sizes[-1]):,} <= 1.5x p99 at {int(sizes[0]):,}", f"{growth:.2f}x", growth <= 1.5),
                    (f"Redis memory <= 2 KB/article at {int(sizes[-1]):,}", f"{mem:,.0f} B", mem <= 2048)]  # fmt: skip
    if h := r.get("http"):
        s, t = h["service"], h["trivial"]
        out += ["## 3. End to end over HTTP", "",
                f"gunicorn -w {h['workers']} (sync), loopback, load generator `{h['load_generator']}` with "
                f"{h['connections']} connections, {h['requests']:,} requests per run, {len(h['runs'])} runs.", "",
                "| endpoint | req/s | p50 ms | p99 ms | failed |", "|---|---:|---:|---:|---:|",
                f"| service POST /v1/check | {_f(s['req_per_s'])} | {s['p50_ms']:.2f} | {s['p99_ms']:.2f} | "
                f"{s['failed']:.0f} |",
                f"| trivial Flask JSON endpoint | {_f(t['req_per_s'])} | {t['p50_ms']:.2f} | {t['p99_ms']:.2f} | "
                f"{t['failed']:.0f} |", "",
                f"Service / trivial (median of per-run ratios): **{h['ratio']:.2f}**.", ""]  # fmt: skip
        if ab := h.get("ablations"):
            out += ["Where the HTTP time goes: the same service with a part of each check taken away "
                    "(`bench/ablation_app.py`), served and driven the same way, in the same runs.", "",
                    "| variant | req/s | p99 ms | / trivial |", "|---|---:|---:|---:|",
                    f"| service | {_f(s['req_per_s'])} | {s['p99_ms']:.2f} | {h['ratio']:.2f} |"]  # fmt: skip
            out += [f"| {n} | {_f(a['req_per_s'])} | {a['p99_ms']:.2f} | {a['ratio']:.2f} |" for n, a in ab.items()]
            out += [""]
        targets += [
            ("HTTP >= 40% of the trivial ceiling", f"{100 * h['ratio']:.0f}%", h["ratio"] >= 0.4),
            ("HTTP p99 < 20 ms at that load", f"{s['p99_ms']:.1f} ms", s["p99_ms"] < 20),
        ]
    if b := r.get("backfill"):
        out += ["## 4. Bulk backfill (`python -m dedupe backfill`, all cores)", ""]
        if "per_s" in b:
            out += [f"{b['articles']:,} articles ({b['archive_mb']:.0f} MB JSONL): **{_f(b['per_s'])} articles/s** "
                    f"(CLI summary), {_f(b['per_s_wall'])}/s over the whole process; {_f(b['indexed'])} indexed, "
                    f"{b['duplicates']} duplicates found, one run.", ""]  # fmt: skip
            targets.append(("backfill >= 4,000 articles/s", _f(b["per_s"]), b["per_s"] >= 4000))
        else:
            out += [f"Not measured: {b.get('skipped') or b.get('error')}", ""]
    out += ["## Targets", "", "| target | measured | |", "|---|---:|---|"]
    out += [f"| {name} | {value} | {_ok(ok)} |" for name, value, ok in targets]
    return "\n".join(out) + "\n"
