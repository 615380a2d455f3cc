"""The real evaluation set: public news pages nobody here wrote, labelled by hand (eval/real/*.jsonl).

Each page is the opening of a real web page (about 2,000 characters, site furniture and all) as the search
tool's stored copy holds it, with its URL. Pages of one wire story share a `story` key (role `first`, `copy`,
`version`); hard negatives (other agencies on the same event, follow-ups, templated reports) have their own
key and name the story they resemble in `near`. See eval/real/README.md for the labelling rules.

The stream: every story group (a story and the negatives near it) starts at its own hour; its first page is
published then, copies 20-120 minutes later, versions 5 hours later (every other one 28 hours later: a
next-day update), negatives in between. Every third copy is sent without a date (it meets its dated original
by arrival). The split (dev / test) is by a hash of the story key, so a story and its negatives stay together.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .dataset import Item

REAL = Path(__file__).with_name("real")
COPY_KINDS = ("verbatim", "edited", "brief", "furniture", "script_variant")
VERSION_KINDS = ("update",)
NEGATIVE_KINDS = ("other_agency", "followup", "template", "same_topic")
START = datetime(2024, 1, 1, tzinfo=UTC)


def load_pages(folder: Path = REAL) -> list[dict]:
    pages = []
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                page = json.loads(line)
                page["_where"] = f"{path.name}:{n}"
                pages.append(page)
    return pages


def split_of(key: str) -> str:
    return "dev" if hashlib.sha1(key.encode()).digest()[0] % 2 == 0 else "test"


def _group(page: dict) -> str:
    return page["near"] if page["role"] == "negative" and page.get("near") else page["story"]


def build(pages: list[dict] | None = None) -> tuple[list[Item], dict[str, str], set[str]]:
    """(items in publication order, language of each item's group, ids sent without a date)."""
    pages = pages if pages is not None else load_pages()
    groups: dict[str, list[dict]] = defaultdict(list)
    for page in pages:
        groups[_group(page)].append(page)
    items: list[Item] = []
    lang: dict[str, str] = {}
    undated: set[str] = set()
    for g, (key, members) in enumerate(sorted(groups.items())):
        base = START + timedelta(hours=3 * g)
        group_lang = next((p["lang"] for p in members if p["role"] == "first"), members[0]["lang"])
        copies = versions = negatives = 0
        for page in members:
            role = page["role"]
            if role == "first":
                when, kind = base, "original"
            elif role == "copy":
                copies += 1
                when, kind = base + timedelta(minutes=20 + 25 * copies), page["kind"]
                if copies % 3 == 0:
                    undated.add(page["id"])
            elif role == "version":
                versions += 1
                when, kind = base + timedelta(hours=5 if versions % 2 else 28), "update"
            else:
                negatives += 1
                when, kind = base + timedelta(minutes=30 + 17 * negatives), page["kind"]
            story = page["story"]
            items.append(
                Item(page["id"], story, kind, split_of(key), when, "", page.get("outlet") or "", text=page["text"])
            )
            lang[page["id"]] = group_lang
    items.sort(key=lambda it: (it.published, it.id))
    return items, lang, undated


def language_of(lang: str) -> str:
    return "zh" if lang.startswith("zh") else lang


def run(items: list[Item], undated: set[str], client, settings) -> tuple[dict, list[str]]:
    """The production path (Deduplicator.check, real Redis), article by article; (predictions, ids refused)."""
    from dedupe.service import Deduplicator, params_from
    from dedupe.store import RedisIndex
    from dedupe.web.errors import ApiError

    from .metrics import Prediction
    from .service_run import article_of

    client.flushdb()
    dedupe = Deduplicator(RedisIndex(client, params_from(settings), "real"), settings)
    dedupe.index.ensure()
    preds, refused = {}, []
    for it in items:
        article = article_of(it)
        if it.id in undated:
            article = article.model_copy(update={"published_at": None})
        try:
            r = dedupe.check(article)
        except ApiError:
            refused.append(it.id)
            preds[it.id] = Prediction(False, it.id, [])
            continue
        preds[it.id] = Prediction(r.duplicate, r.story_id or "", [m.id for m in r.matches])
    return preds, refused


def summary(items: list[Item], preds: dict, lang: dict[str, str]) -> dict:
    """Overall, per role (copy / version), per kind and per language: pairwise precision and recall."""
    from .metrics import score

    def scored(subset: list[Item]) -> dict:
        ids = {it.id for it in subset}
        sub = {
            i: type(p)(p.duplicate, p.story, [m for m in p.matches if m in ids]) for i, p in preds.items() if i in ids
        }
        return score(subset, sub)

    out = {"all": scored(items), "languages": {}}
    for code in sorted({language_of(v) for v in lang.values()}):
        subset = [it for it in items if language_of(lang[it.id]) == code]
        out["languages"][code] = scored(subset)
    kinds = out["all"]["kinds"]

    def recall(names: tuple[str, ...]) -> float | None:
        true = sum(kinds[k]["true_pairs"] for k in names if k in kinds)
        hit = sum(kinds[k]["recall"] * kinds[k]["true_pairs"] for k in names if k in kinds)
        return hit / true if true else None

    out["copy_recall"] = recall(COPY_KINDS)
    out["version_recall"] = recall(VERSION_KINDS)
    negatives = [k for k in NEGATIVE_KINDS if k in kinds]
    n_neg = sum(kinds[k]["n"] for k in negatives)
    out["negatives_flagged"] = sum(kinds[k]["flagged"] * kinds[k]["n"] for k in negatives) / n_neg if n_neg else 0.0
    return out


def evaluate(split: str = "test", settings=None, baselines: bool = True) -> dict:
    from dedupe.config import Settings

    from .baselines import BASELINES
    from .service_run import private_redis

    items, lang, undated = build()
    items = [it for it in items if split == "all" or it.split == split]
    settings = settings or Settings()
    with private_redis() as client:
        preds, refused = run(items, undated, client, settings)
    methods = {"dedupe": summary(items, preds, lang)}
    methods["dedupe"]["refused"] = refused
    methods["dedupe"]["misses"] = misses(items, preds)
    if baselines:
        for name, fn in BASELINES.items():
            methods[name] = summary(items, fn(items), lang)
    return {"split": split, "articles": len(items), "stories": len({it.story for it in items}), "methods": methods}


def misses(items: list[Item], preds: dict) -> list[str]:
    """One line per pair missed (a later page of a story not matched with an earlier one) and per false pair."""
    order = {it.id: n for n, it in enumerate(items)}
    story = {it.id: it.story for it in items}
    kind = {it.id: it.kind for it in items}
    out = []
    for n, it in enumerate(items):
        found = set(preds[it.id].matches)
        out += [
            f"missed {it.kind:<14} {it.id} <- {earlier.id}"
            for earlier in items[:n]
            if earlier.story == it.story and earlier.id not in found
        ]
        out += [
            f"false  {kind[it.id]:<14} {it.id} <- {m}"
            for m in preds[it.id].matches
            if m in order and order[m] < n and story[m] != it.story
        ]
    return out


def table(res: dict) -> str:
    m = res["methods"]
    d = m["dedupe"]
    lines = [
        f"Real pages, split {res['split']}: {res['articles']} pages, {res['stories']} stories; "
        f"{len(d['refused'])} refused (4xx).",
        "",
        "| method | precision | recall | F1 | copy recall | version recall | negatives flagged |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, s in m.items():
        a = s["all"]
        cr = "n/a" if s["copy_recall"] is None else f"{s['copy_recall']:.3f}"
        vr = "n/a" if s["version_recall"] is None else f"{s['version_recall']:.3f}"
        lines.append(
            f"| {name} | {a['precision']:.3f} | {a['recall']:.3f} | {a['f1']:.3f} | {cr} | {vr} | "
            f"{s['negatives_flagged']:.1%} |"
        )
    names = list(m)
    lines += ["", "| language | pages | " + " | ".join(f"{n[:12]} P / R" for n in names) + " |"]
    lines.append("|---|---|" + "---|" * len(names))
    for code, s in d["languages"].items():
        row = [f"{m[n]['languages'][code]['precision']:.2f} / {m[n]['languages'][code]['recall']:.2f}" for n in names]
        lines.append(f"| {code} | {s['articles']} | " + " | ".join(row) + " |")
    lines += ["", "| kind | n | " + " | ".join(n[:12] for n in names) + " |", "|---|---|" + "---|" * len(names)]
    for kind, k in d["all"]["kinds"].items():
        if kind == "original":
            continue
        is_negative = kind in NEGATIVE_KINDS
        cells = [
            f"{m[n]['all']['kinds'][kind]['flagged']:.0%} flagged" if is_negative
            else f"{m[n]['all']['kinds'][kind]['recall']:.3f}"
            for n in names
        ]  # fmt: skip
        lines.append(f"| {kind} | {k['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m eval.real", description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="test", choices=["test", "dev", "all"])
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--misses", action="store_true", help="list the pairs missed and the false flags")
    args = ap.parse_args()
    res = evaluate(args.split, baselines=not args.no_baselines)
    print(table(res))
    if args.misses:
        print("", *res["methods"]["dedupe"]["misses"], sep="\n")


if __name__ == "__main__":
    main()
