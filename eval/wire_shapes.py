"""Generated copies in the shapes wire feeds deliver (for the kinds real pages lack): a plain-text
transmission hard-wrapped with its header, slug and sign-off (IPTC 7901 / ANPA 1312 style), an IPTC ninjs
item, and a NITF document. The story's words are untouched: only the delivery changes."""

from __future__ import annotations

import html
import random
import textwrap
from typing import Any

AGENCIES = ("AP", "AFP", "Reuters", "dpa", "PTI")
CITIES = ("WASHINGTON", "LONDON", "MOSCOW", "BEIJING", "PARIS", "BERLIN", "NEW DELHI", "GENEVA")
MONTHS = ("Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec")
SIGN_OFFS = ("-0-", " REUTER", "(Writing by Jane Doe; Editing by John Roe)", "END", "((Reporting by Ana Lima))")


def hardwrap(paras: list[str], title: str, rng: random.Random, ctx: Any) -> str:
    """A plain-text transmission: control characters, a header and a slug line, the headline, the story with a
    dateline, hard-wrapped at 58-78 columns (indented paragraphs, or blank lines between them), "(MORE)"
    breaks and a sign-off. A resend of the same item re-wraps at another width."""
    width, indent = rng.randint(58, 78), rng.random() < 0.6
    agency = rng.choice(AGENCIES)
    slug = "-".join(title.split()[:3]) or "Story"
    head = [f"\x01a{rng.randint(1000, 9999)} 4 i BC-{slug},{rng.randint(300, 900):04d}", f"\x02{title}", "", ""]
    dateline = f"{rng.choice(CITIES)}, {rng.choice(MONTHS)} {rng.randint(1, 28)} ({agency}) - "
    body: list[str] = []
    for i, para in enumerate(paras):
        text = dateline + para if i == 0 else para
        body.append(textwrap.fill(text, width, initial_indent="    " if indent else ""))
        if i and i % 5 == 0 and i < len(paras) - 1 and rng.random() < 0.4:
            body.append("(MORE)")
    joiner = "\n" if indent else "\n\n"
    return "\n".join(head) + joiner.join(body) + "\n" + rng.choice(SIGN_OFFS) + "\n\x03"


def ninjs(paras: list[str], title: str, rng: random.Random, ctx: Any) -> dict[str, Any]:
    """An IPTC ninjs item (1.x or 2.x shape), the story as HTML paragraphs."""
    uri = f"urn:newsml:example.com:{rng.randint(10**7, 10**8)}"
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
    if rng.random() < 0.5:
        return {"uri": uri, "version": "1", "type": "text", "headline": title, "body_html": body}
    return {"uri": uri, "version": "1", "type": "text", "headlines": [{"value": title}],
            "bodies": [{"contenttype": "text/html", "value": body}]}  # fmt: skip


def nitf(paras: list[str], title: str, rng: random.Random, ctx: Any) -> str:
    """A NITF 3.x document: docdata with a doc-id, the headline, a dateline and the body's paragraphs."""
    doc_id = f"{rng.choice(AGENCIES)}-{rng.randint(10**6, 10**7)}"
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<nitf version="-//IPTC//DTD NITF 3.6//EN"><head>'
        f'<title>{html.escape(title)}</title><docdata><doc-id id-string="{doc_id}"/></docdata></head><body>'
        f"<body.head><hedline><hl1>{html.escape(title)}</hl1></hedline>"
        f"<dateline>{rng.choice(CITIES)}</dateline></body.head><body.content>{body}</body.content></body></nitf>"
    )
