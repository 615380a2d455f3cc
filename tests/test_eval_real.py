"""The real-page evaluation (eval/real, hand-labelled public pages) as a CI floor, on the held-out part only.

Floors sit a little under the held-out figures at the shipped defaults (README, "On real pages"), so a change
that costs detection on real text fails here; the mutation test proves the floor can fail.
"""

from __future__ import annotations

import pytest

from dedupe.config import Settings
from eval import real

FLOORS = {"precision": 0.90, "copy_recall": 0.53, "recall": 0.45}


def floor_failures(res: dict) -> list[str]:
    d = res["methods"]["dedupe"]
    got = {"precision": d["all"]["precision"], "recall": d["all"]["recall"], "copy_recall": d["copy_recall"]}
    out = [f"{k} {got[k]:.3f} < {v}" for k, v in FLOORS.items() if got[k] < v]
    if d["refused"]:
        out.append(f"real articles refused: {d['refused']}")
    return out


@pytest.fixture(scope="module")
def held_out() -> dict:
    return real.evaluate("test")


def test_real_pages_keep_their_floor_and_none_is_refused(held_out):
    assert floor_failures(held_out) == []


def test_the_service_finds_more_real_copies_than_every_baseline(held_out):
    ours = held_out["methods"]["dedupe"]["all"]["f1"]
    for name, other in held_out["methods"].items():
        if name != "dedupe":
            assert ours > other["all"]["f1"] + 0.2, name


@pytest.mark.parametrize(
    "overrides",
    [
        dict(containment_threshold=0.75, sentence_share=1.0, sentences_min=99.0),  # 1.1's rule: recall falls
        dict(containment_threshold=0.15, containment_caution=0.0, numbers_min=0.0),  # too loose: precision falls
    ],
    ids=["near-verbatim-only", "loose"],
)
def test_the_floor_fails_when_the_rule_is_mutated(overrides):
    mutated = Settings().model_copy(update=overrides)
    assert floor_failures(real.evaluate("test", settings=mutated, baselines=False)) != []


def test_generated_copies_of_real_cjk_and_thai_pages_are_found():
    """Chinese, Japanese and Thai: briefs, furniture, hard wraps at 30-40 characters, traditional/simplified."""
    from dedupe.config import Settings
    from eval import cjk
    from eval.metrics import score
    from eval.service_run import private_redis

    items = cjk.build("all")
    with private_redis() as client:
        preds, refused = real.run(items, set(), client, Settings())
    s = score(items, preds)
    assert refused == []
    assert s["precision"] >= 0.98
    assert s["recall"] >= 0.93
    assert all(k["recall"] >= 0.9 for kind, k in s["kinds"].items() if kind in cjk.KINDS), s["kinds"]
