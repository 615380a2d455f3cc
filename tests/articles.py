"""Test articles: the wire original and its syndicated copies, all derived from the seed fixture, plus
stories that must never be flagged (same topic, same people and places, same day; and an unrelated one).
"""

from __future__ import annotations

from pathlib import Path

SEED = (Path(__file__).with_name("fixtures") / "seed-article.txt").read_text(encoding="utf-8")
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
            "(This story has not been edited by The Daily Ledger staff and is auto-generated from a syndicated "
            "feed.)",
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


# A different story on the same topic, the same day, with the same people and places.
SAME_TOPIC = """Ukraine's Foreign Minister Dmytro Kuleba on Thursday urged Western capitals to impose sanctions on Moscow before any attack rather than after one, saying that deterrence only worked if the Kremlin believed the price would be paid in advance.

Speaking at a news conference in Kyiv alongside his Lithuanian counterpart, Kuleba said Ukraine had asked the European Union to prepare a package of measures targeting Russian banks, energy exports and the Nord Stream 2 gas pipeline.

The Kremlin dismissed the idea. Dmitry Peskov, the spokesman for President Vladimir Putin, said threats of sanctions had never changed Russian policy and accused Washington of stoking hysteria by flying weapons and ammunition into Kyiv.

Sergei Lavrov, the Russian foreign minister, used a radio interview to accuse NATO of turning Ukraine into a military foothold on Russia's border, and said Moscow would decide its next steps after studying the American position with great care.

In Washington, Antony Blinken told lawmakers that the United States had shipped more than 200 million dollars of defensive aid to Ukraine in recent months and that further deliveries, including Javelin anti-tank missiles, would arrive within days.

Blinken also announced that the State Department was reducing the staff at the American embassy in Kyiv, a decision that Ukrainian officials privately described as premature and damaging to the confidence of investors.

The hryvnia fell to its weakest level in months against the dollar, and Ukraine's central bank said it had sold reserves to steady the currency, while the finance ministry postponed a planned sale of government bonds.

Economists in Kyiv said the crisis had already cost the country billions in lost investment, as foreign airlines reviewed their schedules and insurers raised premiums for flights over the Black Sea.

In the eastern city of Mariupol, a few dozen kilometres from the front line with the separatist regions, residents queued at a sports hall to learn first aid and how to handle a rifle, under the guidance of veterans of the 2014 fighting.

"Nobody here wants a war, but we have seen one before and we know what it means," said Olena, a 52-year-old teacher who attended the session with her adult son and declined to give her surname.

NATO said it was sending additional ships and fighter jets to eastern Europe, and Denmark, Spain and the Netherlands confirmed deployments to the Baltic states and Bulgaria as part of the alliance's reinforcement.

Jens Stoltenberg, the NATO secretary general, told a German newspaper that the alliance would not deploy combat troops inside Ukraine but would continue to support the country with training, equipment and intelligence.

Belarus, a close ally of Moscow, began moving tanks and air defence systems towards its southern border for joint exercises with Russia planned for February, which Western officials fear could serve as cover for an attack from the north.

Ukraine's defence ministry said it was monitoring the build-up closely and had strengthened its units along the border with Belarus, the shortest route for any force heading towards the capital.

President Volodymyr Zelensky, in a televised address in the evening, appealed for calm and told Ukrainians to keep to their plans, saying that the army was ready and that panic was the most dangerous weapon of all.
"""

UNRELATED = """Heavy rain lashed the southern Indian city of Chennai for a third straight day on Thursday, flooding low-lying neighbourhoods, closing schools and bringing suburban train services to a halt during the morning rush.

The India Meteorological Department said a depression over the southwest Bay of Bengal was likely to intensify over the next 24 hours and issued a red alert for Chennai and the neighbouring districts of Tiruvallur, Kancheepuram and Chengalpattu.

Residents waded through knee-deep water on arterial roads, and several underpasses were closed to traffic after vehicles stalled in the flooding, while the city corporation deployed more than 500 pumps to drain the water.

The state government announced a holiday for schools and colleges and advised private companies to let employees work from home, and fishermen were told not to venture into the sea until the weekend.

Officials said more than 2,000 people had been moved to relief camps set up in community halls and schools, where they were given food, drinking water and medical care by volunteers and municipal staff.

The Chembarambakkam reservoir, one of the main sources of drinking water for the city, was nearing its full capacity, and engineers released surplus water in stages after warning people living downstream of the Adyar river.

Chief Minister M.K. Stalin visited several flooded areas and said the government would compensate families whose homes had been damaged, and that long-term drainage works would be accelerated once the monsoon ended.

Opposition leaders accused the government of failing to complete storm water drains promised after the floods of previous years, and demanded an inquiry into how funds allocated for the works had been spent.

Flights at Chennai airport were delayed by up to two hours because of poor visibility, although the airport authority said operations had not been suspended and that the runways were clear of water.

Weather scientists said the northeast monsoon had brought nearly double the normal rainfall to Tamil Nadu this season, and warned that warmer seas were making such intense spells of rain more frequent along the coast.
"""
