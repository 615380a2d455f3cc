"""Test articles: the wire original and its syndicated copies, all derived from the seed fixture, plus
stories that must never be flagged (same topic, same people and places, same day; and an unrelated one).
"""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "tests" / "fixtures"
SEED = (FIXTURES / "seed-article.txt").read_text(encoding="utf-8")
HEADLINE = "Russia Says US Failing On Ukraine But More Talks Possible"
FIRST_LINE = "Russia said Thursday"
LAST_LINE_END = "“insufficient for a full-scale offensive”."


def story_paragraphs(seed: str = SEED) -> list[str]:
    """The AFP story itself: what lies between the NDTV wrapping (headline, caption) and its footer."""
    paras = [p.strip() for p in seed.split("\n\n") if p.strip()]
    start = next(i for i, p in enumerate(paras) if p.startswith(FIRST_LINE))
    end = next(i for i, p in enumerate(paras) if p.endswith(LAST_LINE_END))
    return paras[start : end + 1]


def body_paragraphs(seed: str = SEED) -> list[str]:
    """The story's paragraphs without its cross-heads ("More Talks In Two Weeks")."""
    return [p for p in story_paragraphs(seed) if p.count(" ") >= 16 or p.rstrip().endswith((".", "”", '"'))]


def join(paras: list[str]) -> str:
    return "\n\n".join(paras)


def wire_original(seed: str = SEED) -> str:
    """The wire story as AFP moved it: dateline on the first paragraph, nothing around it."""
    paras = story_paragraphs(seed)
    return join(["MOSCOW (AFP) - " + paras[0], *paras[1:]])


def wrapped_copy(seed: str = SEED) -> str:
    """The story inside another outlet's boilerplate: headline twice, byline, caption, footer, copyright."""
    paras = story_paragraphs(seed)
    return join(
        [
            HEADLINE,
            "By AFP | Updated: January 27, 2022 9:42 pm IST",
            HEADLINE,
            "Photo: Russian President Vladimir Putin chairs a Security Council meeting (AFP)",
            "Russia has a fraught historical relationship with Ukraine. (Representational)",
            "Agence France-Presse",
            "MOSCOW (AFP) - " + paras[0],
            *paras[1:],
            "(This story has not been edited by The Daily Ledger staff and is auto-generated from a syndicated feed.)",
            "Additional reporting by Jane Doe in Kyiv",
            "© 2022 AFP. All rights reserved.",
            "Copyright The Daily Ledger 2022",
            "Source link",
            "Related Stories",
            "Leave a Reply",
            "Your email address will not be published. Required fields are marked *",
        ]
    )


def cut_copy(seed: str = SEED) -> str:
    """A new headline, and the story cut from the bottom to about half its length."""
    paras = story_paragraphs(seed)
    words = sum(len(p.split()) for p in paras)
    kept, count = [], 0
    for p in paras:
        if count >= words // 2:
            break
        kept.append(p)
        count += len(p.split())
    return join(["Kremlin unimpressed by Washington's written reply on security demands", *kept])


def brief(seed: str = SEED, paragraphs: int = 4) -> str:
    """Only the opening paragraphs of the story."""
    return join(body_paragraphs(seed)[:paragraphs])


def html_page(seed: str = SEED) -> str:
    """The story inside a whole web page: navigation, related stories, comments, footer."""
    body = "\n".join(f"<p>{p}</p>" for p in story_paragraphs(seed))
    related = "\n".join(
        f'<li><a href="/world/{i}">{t}</a></li>'
        for i, t in enumerate(
            [
                "Oil prices climb as markets weigh the risk of a conflict in eastern Europe",
                "Germany says it will not send weapons to Ukraine, sends helmets instead",
                "Ten things to know before the markets open on Friday",
                "Cricket: India name squad for the West Indies series",
            ]
        )
    )
    comments = "\n".join(
        f'<li class="comment"><p class="author">{who}</p><p>{said}</p></li>'
        for who, said in [
            ("rahul_k", "This is what happens when diplomacy fails again and again, nobody ever learns anything."),
            ("observer99", "The West should stop provoking Russia and the Russians should stop threatening."),
            ("mk", "Great reporting as always, thank you for keeping us informed about the crisis."),
        ]
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{HEADLINE} | World News</title>
<meta property="og:title" content="{HEADLINE}"></head>
<body>
<header><nav class="main-nav"><ul>
<li><a href="/">Home</a></li><li><a href="/india">India</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li><a href="/sports">Sports</a></li><li><a href="/videos">Videos</a></li>
</ul></nav></header>
<main>
<article>
<h1>{HEADLINE}</h1>
<div class="byline">World News | Agence France-Presse | Updated: January 27, 2022 9:42 pm IST</div>
<figure><img src="/img/kremlin.jpg" alt="Kremlin"><figcaption>Russia has a fraught historical relationship with
Ukraine. (Representational)</figcaption></figure>
<div class="article-body">
{body}
<p>(This story has not been edited by NDTV staff and is auto-generated from a syndicated feed.)</p>
</div>
</article>
<aside class="related"><h3>Related Stories</h3><ul>
{related}
</ul></aside>
<section id="comments"><h3>Comments</h3><ol class="comment-list">
{comments}
</ol>
<form id="respond"><h3>Leave a Reply</h3>
<p>Your email address will not be published. Required fields are marked *</p>
<textarea name="comment"></textarea><button>Post Comment</button></form>
</section>
</main>
<footer><p>© Copyright NDTV Convergence Limited 2022. All rights reserved.</p>
<ul><li><a href="/about">About Us</a></li><li><a href="/privacy">Privacy Policy</a></li>
<li><a href="/contact">Contact</a></li></ul></footer>
</body></html>
"""


LOCAL_REACTION = (
    "In Warsaw, members of the Polish-Ukrainian community gathered outside the Russian embassy on Thursday "
    "evening, holding candles and blue and yellow flags, and said they feared for relatives living near the "
    "border and hoped the talks in Berlin would keep the peace."
)


def edited_copy(seed: str = SEED) -> str:
    """A lightly edited copy: a few words changed, two paragraphs swapped, one local paragraph added."""
    paras = story_paragraphs(seed)
    paras = [
        p.replace("Russia said Thursday", "Moscow said on Thursday")
        .replace("lowest point", "lowest ebb")
        .replace("unimpressed", "far from impressed")
        .replace("told reporters", "told journalists")
        for p in paras
    ]
    paras[1], paras[2] = paras[2], paras[1]
    paras.insert(6, LOCAL_REACTION)
    return join(paras)


#: A different story on the same topic, the same day, with the same people and places (Lavrov, Blinken, Peskov,
#: Kyiv, NATO...), of similar length: written for these tests.
SAME_TOPIC = (FIXTURES / "same-topic-article.txt").read_text(encoding="utf-8")
#: An unrelated story (a flood in Chennai): written for these tests.
UNRELATED = (FIXTURES / "unrelated-article.txt").read_text(encoding="utf-8")
