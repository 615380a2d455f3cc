"""results/bench.md from the figures: tables of medians, ratios measured in the same runs, and the targets."""

from __future__ import annotations


def _f(x: float | None, fmt: str = ",.0f") -> str:
    return "n/a" if x is None else format(x, fmt)


def _ok(passed: bool | None) -> str:
    return "n/a" if passed is None else ("met" if passed else "**missed**")


def markdown(r: dict) -> str:
    out = [f"# Benchmark results ({r['mode']} run)", "",
           f"Machine: {r['machine']['cores']} cores, Python {r['machine']['python']}, {r['machine']['platform']}. "
           f"Index parameters: `{r['params']}`. Medians over runs; ratios are computed within each run, then "
           f"their median is taken. Total time {r.get('seconds', 0):.0f} s.", ""]  # fmt: skip
    targets = []
    shingle = dict(x.split("=", 1) for x in r["params"].split(";") if "=" in x).get("shingle", "k")
    if fp := r.get("fingerprint"):
        out += ["## 1. Fingerprinting, one core", "",
                f"{fp['articles']} articles, median {fp['median_words']:.0f} words, {len(fp['runs'])} runs.", "",
                "| | articles/s | ratio |", "|---|---:|---:|",
                f"| ours (text pipeline + body & lead MinHash + band keys) | {_f(fp['ours_per_s'])} | "
                f"{fp['ratio']:.1f}x |",
                f"| datasketch naive (`MinHash()`, sha1, `.update()` per word {shingle}-gram) | "
                f"{_f(fp['naive_per_s'])} | 1.0x |",
                "", "Where one article's time goes (ours, µs):", "",
                "| stage | µs/article |", "|---|---:|",
                *[f"| {k} | {v:.0f} |" for k, v in fp["stage_us"].items()], ""]  # fmt: skip
        targets += [
            ("fingerprinting >= 10x naive datasketch", f"{fp['ratio']:.1f}x", fp["ratio"] >= 10),
            ("fingerprinting >= 2,000 articles/s/core", _f(fp["ours_per_s"]), fp["ours_per_s"] >= 2000),
        ]
    if ix := r.get("index"):
        out += ["## 2. Index check-and-insert (one client, sequential)", "",
                "| system | indexed | checks/s | p50 ms | p99 ms | round trips/check | Redis cmds/check | "
                "bytes/article | bulk load/s | Lua µs/call |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
        for name in ("ours", "datasketch"):
            for row in ix[name].values():
                out.append(
                    f"| {name} | {_f(row['indexed'])} | {_f(row['checks_per_s'])} | {row['p50_ms']:.2f} | "
                    f"{row['p99_ms']:.2f} | {row['round_trips_per_check']:.2f} | {row['commands_per_check']:.1f} | "
                    f"{_f(row['bytes_per_article'])} | {_f(row['bulk_load_per_s'])} | "
                    f"{_f(row.get('lua_usec_per_call'), '.0f')} |"
                )
        out.append("")
        ratios = []
        for size, row in ix["ours"].items():
            ds = ix["datasketch"].get(size)
            if ds:
                per_run = [a["checks_per_s"] / b["checks_per_s"] for a, b in zip(row["runs"], ds["runs"], strict=False)]
                per_run.sort()
                ratio = per_run[len(per_run) // 2]
                ratios.append(ratio)
                out.append(f"- at {size:,}: ours/datasketch throughput {ratio:.1f}x (median of per-run ratios; the "
                           f"two systems run one after the other on identical articles)")  # fmt: skip
        out.append("")
        sizes = list(ix["ours"])
        first, last = ix["ours"][sizes[0]], ix["ours"][sizes[-1]]
        growth = last["p99_ms"] / first["p99_ms"]
        trips = max(row["round_trips_per_check"] for row in ix["ours"].values())
        mem = last["bytes_per_article"]  # at the largest size: buckets are sized for DEDUPE_EXPECTED_ARTICLES
        if ratios:
            targets.append(("check-and-insert >= 15x datasketch", f"{min(ratios):.1f}x", min(ratios) >= 15))
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
