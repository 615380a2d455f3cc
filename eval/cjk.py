"""Generated copies of real Chinese, Japanese and Thai pages: `python -m eval.cjk`.

The real pages (eval/real) hold few copies in scripts written without spaces, so this takes their real
openings as originals and makes seeded copies the way outlets and feeds make them: the first paragraphs only,
the opening with furniture of the outlet's own language around it, the text hard-wrapped at 30-40 characters
per line as wire feeds deliver it, and (Chinese) the same text in traditional characters. Every other page
of the set is a different story. Held-out stories only by default (the split of eval/real).
"""

from __future__ import annotations

import argparse
import random
from datetime import timedelta

from opencc import OpenCC

from . import real
from .dataset import Item

SCRIPTS = ("zh-Hans", "zh-Hant", "ja", "th")
FURNITURE = {
    "zh": ("相关新闻", "责任编辑：王明", "分享到：微信 微博", "点击进入专题"),
    "ja": ("関連記事", "写真：共同", "シェアする", "最新ニュース"),
    "th": ("อ่านข่าวที่เกี่ยวข้อง", "แชร์", "ภาพ: สำนักข่าว", "โฆษณา"),
}
KINDS = ("brief", "furniture", "hardwrap", "script_variant")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def _copy(kind: str, paras: list[str], lang: str, rng: random.Random) -> str | None:
    family = "zh" if lang.startswith("zh") else lang
    if kind == "brief":
        return "\n".join(paras[: max(1, (len(paras) + 1) // 2)]) if len(paras) >= 3 else None
    if kind == "furniture":
        extra = FURNITURE[family]
        return "\n".join([rng.choice(extra), *paras, *rng.sample(extra, 2)])
    if kind == "hardwrap":
        width = rng.randint(30, 40)
        return "\n\n".join("\n".join(p[i : i + width] for i in range(0, len(p), width)) for p in paras)
    if kind == "script_variant" and family == "zh":
        return OpenCC("s2t" if lang == "zh-Hans" else "t2s").convert("\n".join(paras))
    return None


def build(split: str = "test", seed: int = 7) -> list[Item]:
    """Originals (real pages) and their generated copies, in publication order."""
    pages = [p for p in real.load_pages() if p["lang"] in SCRIPTS and p["role"] in ("first", "negative")]
    items: list[Item] = []
    for n, page in enumerate(pages):
        key = page["story"] if page["role"] == "first" else page.get("near") or page["story"]
        if split != "all" and real.split_of(key) != split:
            continue
        rng = random.Random(f"{seed}:{page['id']}")
        base = real.START + timedelta(hours=3 * n)
        story = f"gen-{page['id']}"
        items.append(Item(page["id"], story, "original", split, base, "", page["outlet"], text=page["text"]))
        paras = _paragraphs(page["text"])
        for i, kind in enumerate(KINDS):
            text = _copy(kind, paras, page["lang"], rng)
            if text is not None:
                when = base + timedelta(minutes=15 * (i + 1))
                items.append(Item(f"{page['id']}.{kind}", story, kind, split, when, "", "copy", text=text))
    items.sort(key=lambda it: (it.published, it.id))
    return items


def main() -> None:
    from dedupe.config import Settings

    from .metrics import score
    from .service_run import private_redis

    ap = argparse.ArgumentParser(prog="python -m eval.cjk", description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="test", choices=["test", "dev", "all"])
    args = ap.parse_args()
    items = build(args.split)
    with private_redis() as client:
        preds, refused = real.run(items, set(), client, Settings())
    s = score(items, preds)
    print(
        f"Generated copies of real CJK/Thai pages, split {args.split}: {len(items)} articles, {len(refused)} refused."
    )
    print(f"precision {s['precision']:.3f}, recall {s['recall']:.3f}")
    print("| kind | n | recall / flagged |\n|---|---|---|")
    for kind, k in s["kinds"].items():
        value = f"{k['flagged']:.1%} flagged" if kind == "original" else f"{k['recall']:.3f}"
        print(f"| {kind} | {k['n']} | {value} |")


if __name__ == "__main__":
    main()
