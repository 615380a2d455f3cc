"""Pairwise precision/recall/F1 of "this article copies an earlier one", per kind, and the adjusted Rand index.

A pair is (later article, earlier article). True pairs: every two articles of one ground-truth story. Predicted
pairs: the article and each earlier article a method matched it with. ARI compares the partition into
ground-truth stories with the method's story ids (written here, no scikit-learn: Hubert and Arabie 1985).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .dataset import Item


@dataclass
class Prediction:
    """What a method said about one article."""

    duplicate: bool
    story: str
    matches: list[str] = field(default_factory=list)  # earlier articles matched


def _comb2(n: int) -> int:
    return n * (n - 1) // 2


def adjusted_rand(truth: list[str], pred: list[str]) -> float:
    pairs = Counter(zip(truth, pred, strict=True))
    sum_ij = sum(_comb2(c) for c in pairs.values())
    sum_a = sum(_comb2(c) for c in Counter(truth).values())
    sum_b = sum(_comb2(c) for c in Counter(pred).values())
    total = _comb2(len(truth))
    expected = sum_a * sum_b / total if total else 0.0
    top = (sum_a + sum_b) / 2
    if top == expected:
        return 1.0
    return (sum_ij - expected) / (top - expected)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(items: list[Item], preds: dict[str, Prediction]) -> dict:
    """All figures for one method on one stream (items in the order they were fed)."""
    order = {it.id: i for i, it in enumerate(items)}
    kind = {it.id: it.kind for it in items}
    story = {it.id: it.story for it in items}
    members: dict[str, list[str]] = defaultdict(list)
    for it in items:
        members[it.story].append(it.id)
    true_pairs = {(b, a) for ids in members.values() for i, a in enumerate(ids) for b in ids[i + 1 :]}
    pred_pairs = {(a, m) for a, p in preds.items() for m in p.matches if order[m] < order[a]}
    tp_pairs = true_pairs & pred_pairs
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for a, _ in true_pairs:
        by_kind[kind[a]]["true"] += 1
    for a, _ in pred_pairs:
        by_kind[kind[a]]["pred"] += 1
    for a, _ in tp_pairs:
        by_kind[kind[a]]["tp"] += 1
    for it in items:
        c = by_kind[it.kind]
        c["n"] += 1
        c["flagged"] += preds[it.id].duplicate
        c["should"] += it.id != members[it.story][0]
    p, r, f = _prf(len(tp_pairs), len(pred_pairs - true_pairs), len(true_pairs - pred_pairs))
    kinds = {}
    for k, c in sorted(by_kind.items()):
        kp, kr, kf = _prf(c["tp"], c["pred"] - c["tp"], c["true"] - c["tp"])
        kinds[k] = {
            "n": c["n"], "true_pairs": c["true"], "precision": kp, "recall": kr, "f1": kf,
            "flagged": c["flagged"] / c["n"] if c["n"] else 0.0,
        }  # fmt: skip
    truth = [story[it.id] for it in items]
    flags_tp = sum(1 for it in items if preds[it.id].duplicate and it.id != members[it.story][0])
    flags_pred = sum(1 for it in items if preds[it.id].duplicate)
    flags_true = sum(1 for it in items if it.id != members[it.story][0])
    fp_, fr_, ff_ = _prf(flags_tp, flags_pred - flags_tp, flags_true - flags_tp)
    return {
        "articles": len(items), "true_pairs": len(true_pairs), "pred_pairs": len(pred_pairs),
        "precision": p, "recall": r, "f1": f,
        "ari": adjusted_rand(truth, [preds[it.id].story for it in items]),
        "flag_precision": fp_, "flag_recall": fr_, "flag_f1": ff_, "kinds": kinds,
    }  # fmt: skip
