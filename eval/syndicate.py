"""A seeded model of what outlets do to a wire story when they republish it, and of what looks like a copy but
is not. Every function takes the base article's paragraphs and a `random.Random` and returns new text; nothing
here reads the service's code, and nothing in the service is written to recognise these strings.

Copies (ground truth: the base article's story):
  boilerplate  outlet wrapping: byline, wire dateline, "Published/Updated" stamps, share/subscribe prompts,
               "Related:"/"Read more:" links, copyright and "auto-generated from a syndicated feed" footers
  headline     the headline rewritten (SEO, house style, a label such as "UPDATE 2-"), the body kept
  cut80/50/30  cut from the bottom at a paragraph boundary to about 80%, 50%, 30% of the words (make-up
               editors trim from the bottom: the inverted pyramid puts the least important last)
  brief        the first 3-5 paragraphs only (a "news in brief" column)
  local_top    a paragraph of local angle added before the story
  local_end    a paragraph of local angle (or an editor's note) added after the story
  reorder      two or three paragraphs moved (quotes pulled up, background pushed down)
  copyedit     light copy-editing: house spelling (US/UK), "said" -> "told reporters", numbers and units
               restyled (13,000 / 13000, percent / per cent / %, $5 million / $5m), honorifics, "U.S."/"US"
  html         the whole web page: navigation, header, byline, related-story blocks, share bar, comments, footer
  unicode      typographic and hostile noise: curly quotes, non-breaking and zero-width spaces, look-alike dashes
               and Cyrillic letters
Not copies (ground truth: a new story of their own):
  lookalike    a templated story: the same text with the names, places and numbers changed (results, market
               reports, weather and sports briefs are written from templates)
  recurring    a recurring report sent again one day or one week later with new figures and dates and otherwise
               the same wording (daily market note, weekly auction)

Publication delays: wire copies appear within minutes to hours; the delay is log-normal with a median of one
hour (90% within about 5 hours), capped at 20 hours. A copy printed next day or later is outside this model.
"""

from __future__ import annotations

import html as html_lib
import math
import random
import re
from collections.abc import Callable
from datetime import timedelta

from . import wire_shapes

COPY_KINDS = (
    "boilerplate", "headline", "cut80", "cut50", "cut30", "brief", "local_top", "local_end", "reorder",
    "copyedit", "html", "unicode", "hardwrap", "ninjs", "nitf",
)  # fmt: skip
NEGATIVE_KINDS = ("lookalike", "recurring")

OUTLETS = [
    "The Daily Courier", "Metro Herald", "NewsNow Online", "The Evening Standard-Times", "Coast Gazette",
    "WorldWire Digest", "The Valley Post", "Capital Report", "North Star Tribune", "Global Times Review",
    "Citizen Journal", "Free Press Online", "The Independent Record", "Bay Chronicle", "Sun Sentinel Daily",
]  # fmt: skip
AGENCIES = ["AP", "AFP", "Reuters", "dpa", "PTI"]
AGENCY_NAMES = {
    "AP": "The Associated Press", "AFP": "Agence France-Presse", "Reuters": "Thomson Reuters",
    "dpa": "Deutsche Presse-Agentur", "PTI": "Press Trust of India",
}  # fmt: skip
NAMES = [
    "Sarah Miller", "James O'Brien", "Aisha Khan", "Tom Fischer", "Maria Lopez", "David Chen", "Emma Walsh",
    "Oleg Petrov", "Priya Nair", "Lucas Martin", "Hannah Schmidt", "Kwame Mensah", "Yuki Tanaka",
]  # fmt: skip
CITIES = ["WASHINGTON", "LONDON", "MOSCOW", "BEIJING", "PARIS", "BERLIN", "DUBLIN", "NEW YORK", "BRUSSELS", "GENEVA"]
MONTHS = ["Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"]


# -- publication times ----------------------------------------------------------------------------------------
def copy_delay(rng: random.Random) -> timedelta:
    minutes = min(20 * 60.0, math.exp(rng.gauss(math.log(60), 1.25)))
    return timedelta(minutes=max(1.0, minutes))


# -- copies -----------------------------------------------------------------------------------------------------
def boilerplate(paras: list[str], title: str, rng: random.Random, ctx: Context) -> str:
    """Outlet wrapping around an untouched story: what a CMS or a scraper adds to a wire feed item."""
    agency = rng.choice(AGENCIES)
    outlet = rng.choice(OUTLETS)
    head: list[str] = []
    if rng.random() < 0.6:
        head.append(title)
    if rng.random() < 0.7:
        head.append(rng.choice([f"By {rng.choice(NAMES)}, {AGENCY_NAMES[agency]}", f"{agency} staff", f"By {agency}"]))
    if rng.random() < 0.6:
        head.append(rng.choice([
            f"Published: {rng.randint(1, 28)} {rng.choice(MONTHS)} 2017 "
            f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d} GMT",
            f"Updated {rng.randint(2, 55)} minutes ago",
            f"Last updated on {rng.choice(MONTHS)} {rng.randint(1, 28)}, 2017",
        ]))  # fmt: skip
    if rng.random() < 0.4:
        head.append(rng.choice(["Share on Facebook", "Share this article", "Advertisement", "Listen to this article"]))
    body = list(paras)
    if rng.random() < 0.6:
        city = rng.choice(CITIES)
        dateline = rng.choice([f"{city} ({agency}) - ", f"{city} ({agency}) — ", f"({agency}) -- "])
        body[0] = dateline + body[0]
    if len(body) > 4 and rng.random() < 0.4:
        body.insert(rng.randint(2, len(body) - 1), f"Read more: {ctx.other_title(rng)}")
    tail = rng.sample([
        f"© 2017 {AGENCY_NAMES[agency]}. All rights reserved.",
        f"This story has not been edited by {outlet} staff and is auto-generated from a syndicated feed.",
        f"Related: {ctx.other_title(rng)}",
        "Subscribe to our newsletter for the day's top stories.",
        f"Follow us on Twitter @{outlet.replace(' ', '')}",
        f"(Reporting by {rng.choice(NAMES)}; Editing by {rng.choice(NAMES)})",
        "Leave a comment",
        f"Copyright {AGENCY_NAMES[agency]} 2017. This material may not be published, broadcast, rewritten "
        "or redistributed.",
    ], k=rng.randint(1, 4))  # fmt: skip
    return "\n\n".join(head + body + tail)


def new_headline(title: str, paras: list[str], rng: random.Random) -> str:
    words = paras[0].split()
    choice = rng.random()
    if choice < 0.35:
        return " ".join(words[: rng.randint(7, 12)]).rstrip(",;:")
    if choice < 0.65:
        return rng.choice(["UPDATE 2-", "WATCH: ", "Breaking: ", "World news: ", "EXPLAINER: "]) + title
    return title.title() if title.upper() != title else title.capitalize()


def headline(paras: list[str], title: str, rng: random.Random, ctx: Context) -> tuple[str, str]:
    """A rewritten headline (given as the title and as the page's first line); the story unchanged."""
    new = new_headline(title, paras, rng)
    return "\n\n".join([new, *paras]), new


def _cut(paras: list[str], share: float) -> list[str]:
    total = sum(len(p.split()) for p in paras)
    kept, words = [], 0
    for p in paras:
        if kept and words >= share * total:
            break
        kept.append(p)
        words += len(p.split())
    return kept


def cut(share: float) -> Callable[..., str]:
    def _copy(paras: list[str], title: str, rng: random.Random, ctx: Context) -> str:
        return "\n\n".join(_cut(paras, share))

    _copy.__doc__ = f"Cut from the bottom to about {share:.0%} of the words, at a paragraph boundary."
    return _copy


def brief(paras: list[str], title: str, rng: random.Random, ctx: Context) -> str:
    """The first 3-5 paragraphs: a news-in-brief column."""
    return "\n\n".join(paras[: rng.randint(3, 5)])


def local_top(paras: list[str], title: str, rng: random.Random, ctx: Context) -> str:
    """A local paragraph before the story (an outlet's own angle on a wire story)."""
    return "\n\n".join([ctx.other_paragraph(rng), *paras])


def local_end(paras: list[str], title: str, rng: random.Random, ctx: Context) -> str:
    """A local paragraph after the story (local reaction, an editor's note)."""
    return "\n\n".join([*paras, ctx.other_paragraph(rng)])


def reorder(paras: list[str], title: str, rng: random.Random, ctx: Context) -> str:
    """Two or three paragraphs after the lead moved elsewhere."""
    out = list(paras)
    for _ in range(rng.randint(2, 3)):
        if len(out) < 4:
            break
        p = out.pop(rng.randrange(1, len(out)))
        out.insert(rng.randrange(1, len(out) + 1), p)
    return "\n\n".join(out)


_SPELLING = {
    "organization": "organisation", "organizations": "organisations", "program": "programme", "center": "centre",
    "defense": "defence", "labor": "labour", "favor": "favour", "color": "colour", "criticized": "criticised",
    "recognized": "recognised", "authorized": "authorised", "realized": "realised", "traveled": "travelled",
    "analyze": "analyse", "percent": "per cent", "offense": "offence", "neighbor": "neighbour",
    "neighboring": "neighbouring", "honor": "honour", "apologized": "apologised", "emphasized": "emphasised",
    "mobilized": "mobilised", "license": "licence", "jewelry": "jewellery", "catalog": "catalogue",
}  # fmt: skip
_SPELLING.update({v: k for k, v in list(_SPELLING.items())})
_SPELL_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _SPELLING), key=len, reverse=True)) + r")\b")
_SMALL = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def copyedit(paras: list[str], title: str, rng: random.Random, ctx: Context) -> str:
    """House style applied by a copy desk: spelling, attribution verbs, number and unit styles, honorifics."""

    def edit(text: str) -> str:
        text = _SPELL_RE.sub(lambda m: _SPELLING[m.group(1)] if rng.random() < 0.9 else m.group(1), text)
        text = re.sub(r"\bsaid\b", lambda m: "told reporters" if rng.random() < 0.3 else m.group(0), text)
        text = re.sub(r"\bsays\b", lambda m: "tells reporters" if rng.random() < 0.3 else m.group(0), text)
        text = re.sub(r"(\d),(\d{3})\b", lambda m: m.group(1) + rng.choice(["", ",", "\u202f"]) + m.group(2), text)
        text = re.sub(r"\$(\d+(?:\.\d+)?) (million|billion)\b", lambda m: f"${m.group(1)}{m.group(2)[0]}"
                      if rng.random() < 0.7 else m.group(0), text)  # fmt: skip
        text = re.sub(r"(\d) percent\b", lambda m: m.group(1) + rng.choice(["%", " per cent"]), text)
        text = re.sub(r"\b([2-9])\b", lambda m: _SMALL[int(m.group(1))] if rng.random() < 0.5 else m.group(1), text)
        text = re.sub(r"\bU\.S\.(?= )", lambda m: "US" if rng.random() < 0.7 else m.group(0), text)
        text = re.sub(r"\b(President|Chancellor|Minister) ([A-Z][a-z]+) ([A-Z][a-z]+)\b",
                      lambda m: f"{m.group(1)} {m.group(2)} {m.group(3)}" if rng.random() < 0.5
                      else f"{m.group(2)} {m.group(3)}", text)  # fmt: skip
        text = text.replace(" - ", rng.choice([" - ", " — ", ", "]))
        return text

    return "\n\n".join(edit(p) for p in paras)


_NAV = ["Home", "World", "Politics", "Business", "Tech", "Science", "Sport", "Culture", "Opinion", "Video"]


def html(paras: list[str], title: str, rng: random.Random, ctx: Context) -> str:
    """The whole page as a crawler fetches it: head, scripts, navigation, article, related blocks, footer."""
    e = html_lib.escape
    outlet = rng.choice(OUTLETS)
    nav = "".join(f'<li><a href="/{x.lower()}">{x}</a></li>' for x in rng.sample(_NAV, 7))
    related = "".join(f'<li><a href="/story/{rng.randint(10**5, 10**6)}">{e(ctx.other_title(rng))}</a></li>'
                      for _ in range(rng.randint(3, 6)))  # fmt: skip
    trending = "".join(f"<li><a href='/t/{i}'>{e(ctx.other_title(rng))}</a></li>" for i in range(4))
    body = [f"<p>{e(p)}</p>" for p in paras]
    if len(body) > 5:
        body.insert(3, f'<div class="inline-related"><strong>READ MORE:</strong> <a href="/x">'
                       f"{e(ctx.other_title(rng))}</a></div>")  # fmt: skip
        body.insert(6, '<div class="ad-slot"><span>Advertisement</span></div>')
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(title)} | {e(outlet)}</title>'
        f'<meta name="description" content="{e(paras[0][:150])}"><script>window.dataLayer=[];'
        f"function track(e){{dataLayer.push(e)}}</script><style>body{{font-family:serif}}</style></head><body>"
        f'<header><div class="logo"><a href="/">{e(outlet)}</a></div><nav><ul>{nav}</ul></nav>'
        f'<form class="search"><input name="q" placeholder="Search"></form></header>'
        f'<main><article><h1>{e(title)}</h1><div class="byline">By {e(rng.choice(NAMES))} | '
        f"<time>{rng.randint(1, 28)} {rng.choice(MONTHS)} 2017</time></div>"
        f'<figure><img src="/img/{rng.randint(1, 9999)}.jpg"><figcaption>File photo</figcaption></figure>'
        f'{"".join(body)}<div class="share"><a>Facebook</a> <a>Twitter</a> <a>Email</a></div></article>'
        f'<aside class="related"><h3>Related stories</h3><ul>{related}</ul></aside>'
        f'<aside class="trending"><h3>Trending</h3><ol>{trending}</ol></aside>'
        f'<section id="comments"><h3>0 comments</h3><p>Be the first to comment.</p></section></main>'
        f'<footer><ul><li><a href="/about">About us</a></li><li><a href="/privacy">Privacy policy</a></li>'
        f"<li><a href='/terms'>Terms of use</a></li></ul><p>© 2017 {e(outlet)}. All rights reserved.</p></footer>"
        f"</body></html>"
    )


_CYRILLIC = str.maketrans("aeopcxy", "аеорсху")
_DASHES = ["\u2010", "\u2011", "\u2012", "\u2013", "\u2212"]


def unicode(paras: list[str], title: str, rng: random.Random, ctx: Context) -> str:
    """Typographic and hostile noise: curly quotes, NBSP, zero-width spaces, look-alike dashes and letters."""

    def word(w: str) -> str:
        r = rng.random()
        if r < 0.04 and len(w) > 3:
            i = rng.randrange(1, len(w) - 1)
            return w[:i] + rng.choice("\u200b\u200c\u2060\u00ad") + w[i:]
        if r < 0.07:
            return w.translate(_CYRILLIC)
        if "-" in w:
            return w.replace("-", rng.choice(_DASHES))
        return w

    def para(p: str) -> str:
        p = re.sub(r'"(\S)', "\u201c\\1", p)
        p = re.sub(r'(\S)"', "\\1\u201d", p)
        p = p.replace("'", "\u2019")
        words = [word(w) for w in p.split(" ")]
        return "".join(w + (("\u00a0" if rng.random() < 0.1 else " ") if i < len(words) - 1 else "")
                       for i, w in enumerate(words))  # fmt: skip

    return "\n\n".join(para(p) for p in paras)


# -- not copies -------------------------------------------------------------------------------------------------
_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
_KEEP = {"The", "A", "An", "In", "On", "At", "But", "And", "He", "She", "It", "They", "We", "I", "This", "That",
         "Mr", "Mrs", "Ms", "Dr", "President", "Minister", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
         "Saturday", "Sunday", "January", "February", "March", "April", "June", "July", "August", "September",
         "October", "November", "December"}  # fmt: skip
_WORDISH = re.compile(r"[A-Za-z]+(?:-[A-Z][a-z]+)?")
_SLOT = re.compile(r"\b[A-Za-z]+(?:-[A-Z][a-z]+)?\b|\b\d+(?:[.,]\d+)*\b")
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _new_number(n: str, rng: random.Random) -> str:
    digits = [c for c in n if c.isdigit()]
    while True:
        new = [str(rng.randint(1, 9))] + [str(rng.randint(0, 9)) for _ in digits[1:]]
        if new != digits or len(digits) == 0:
            break
    it = iter(new)
    return "".join(next(it) if c.isdigit() else c for c in n)


def template_slots(text: str) -> tuple[set[str], set[str]]:
    """Names and numbers of a text: the slots a template fills."""
    return {m.group(0) for m in _PROPER.finditer(text)} - _KEEP, {m.group(0) for m in _NUMBER.finditer(text)}


def slot_count(text: str) -> int:
    """How many words of the text are template slots (names and numbers, every occurrence)."""
    names = {m.group(0) for m in _PROPER.finditer(text)} - _KEEP
    return sum(1 for w in _WORDISH.findall(text) if w in names) + len(_NUMBER.findall(text))


def lookalike(paras: list[str], title: str, rng: random.Random, ctx: Context) -> tuple[str, str]:
    """Another story from the same template: every name, place and number replaced, consistently."""
    text = "\n\n".join(paras)
    names, numbers = template_slots(text + "\n" + title)
    mapping = {n: ctx.other_name(rng, n) for n in sorted(names)}
    mapping.update({n: _new_number(n, rng) for n in sorted(numbers)})

    def fill(m: re.Match) -> str:
        return mapping.get(m.group(0), m.group(0))

    return _SLOT.sub(fill, text), _SLOT.sub(fill, title)


def recurring(paras: list[str], title: str, rng: random.Random, ctx: Context, days: int = 1) -> str:
    """The same report on another day: new figures, weekday moved on, the wording otherwise unchanged."""
    text = "\n\n".join(paras)
    text = _NUMBER.sub(lambda m: _new_number(m.group(0), rng) if rng.random() < 0.8 else m.group(0), text)
    return re.sub(r"\b(" + "|".join(_WEEKDAYS) + r")\b",
                  lambda m: _WEEKDAYS[(_WEEKDAYS.index(m.group(1)) + days) % 7], text)  # fmt: skip


class Context:
    """Material from the rest of the corpus: other headlines, paragraphs and names."""

    def __init__(self, titles: list[str], paragraphs: list[str], names: list[str]) -> None:
        self.titles = titles
        self.paragraphs = paragraphs
        self.names = names

    def other_title(self, rng: random.Random) -> str:
        return rng.choice(self.titles)

    def other_paragraph(self, rng: random.Random) -> str:
        return rng.choice(self.paragraphs)

    def other_name(self, rng: random.Random, avoid: str) -> str:
        while True:
            name = rng.choice(self.names)
            if name != avoid:
                return name


COPIERS: dict[str, Callable] = {
    "boilerplate": boilerplate, "headline": headline, "cut80": cut(0.8), "cut50": cut(0.5), "cut30": cut(0.3),
    "brief": brief, "local_top": local_top, "local_end": local_end, "reorder": reorder, "copyedit": copyedit,
    "html": html, "unicode": unicode, "hardwrap": wire_shapes.hardwrap, "ninjs": wire_shapes.ninjs,
    "nitf": wire_shapes.nitf,
}  # fmt: skip


def eligible(kind: str, paras: list[str]) -> bool:
    """Outlets cut and brief long stories, not short ones: a kind applies only where it changes something."""
    words = sum(len(p.split()) for p in paras)
    if kind == "cut80":
        return len(paras) >= 4
    if kind == "cut50":
        return len(paras) >= 4 and words >= 120
    if kind == "cut30":
        return len(paras) >= 5 and words >= 200
    if kind == "brief":
        return len(paras) >= 7
    if kind == "reorder":
        return len(paras) >= 4
    return True
