"""eval/metrics.py: the adjusted Rand index against hand-computed values and its known properties, and the
pairwise and per-kind figures of `score` on tiny streams worked out by hand."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from eval.dataset import Item
from eval.metrics import Prediction, adjusted_rand, score

T0 = datetime(2026, 1, 1, tzinfo=UTC)

# -- adjusted Rand index -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("truth", "pred", "expected"),
    [
        # sum_ij 2, sum_a 6, sum_b 3, C(6,2) 15: expected 1.2, max 4.5 -> (2 - 1.2) / (4.5 - 1.2) = 8/33
        ("aaabbb", "xxyyzz", 8 / 33),
        # every pair split the other way: sum_ij 0, sum_a 2, sum_b 2, C(4,2) 6 -> (0 - 2/3) / (2 - 2/3) = -1/2
        ("aabb", "xyxy", -0.5),
        # one story, all told apart: sum_ij 0, sum_a 6, sum_b 0 -> expected 0, max 3 -> 0
        ("aaaa", "wxyz", 0.0),
        # (S1,A) 3, (S2,B) 1, (S3,B) 1: sum_ij 3, sum_a 3, sum_b 4, C(5,2) 10 -> (3 - 1.2) / (3.5 - 1.2) = 18/23
        ("aaabc", "xxxyy", 18 / 23),
        # one article: no pair at all, nothing to disagree on
        ("a", "x", 1.0),
        # all singletons on both sides: the same partition
        ("abcd", "wxyz", 1.0),
    ],
)
def test_adjusted_rand_matches_hand_computed_values(truth, pred, expected):
    assert adjusted_rand(list(truth), list(pred)) == pytest.approx(expected, abs=1e-12)


def test_identical_partitions_score_1():
    labels = [f"s{i % 7}" for i in range(50)]
    assert adjusted_rand(labels, labels) == 1.0


def test_renaming_the_labels_does_not_change_the_score():
    rng = random.Random(3)
    truth = [f"s{rng.randrange(12)}" for _ in range(300)]
    renamed = {label: f"story-{n}" for n, label in enumerate(sorted(set(truth), reverse=True))}
    assert adjusted_rand(truth, [renamed[t] for t in truth]) == pytest.approx(1.0)
    pred = [f"p{rng.randrange(9)}" for _ in range(300)]
    permuted = {p: f"q{(int(p[1:]) * 5 + 2) % 9}" for p in set(pred)}  # a permutation of the nine labels
    assert adjusted_rand(truth, [permuted[p] for p in pred]) == pytest.approx(adjusted_rand(truth, pred))


def test_adjusted_rand_is_symmetric():
    rng = random.Random(4)
    a = [rng.randrange(6) for _ in range(200)]
    b = [x if rng.random() < 0.7 else rng.randrange(6) for x in a]
    assert adjusted_rand(a, b) == pytest.approx(adjusted_rand(b, a))
    assert 0.2 < adjusted_rand(a, b) < 0.9  # related, not identical


def test_independent_partitions_score_near_0():
    rng = random.Random(5)
    values = []
    for _ in range(5):
        truth = [rng.randrange(20) for _ in range(2000)]
        pred = [rng.randrange(20) for _ in range(2000)]
        values.append(adjusted_rand(truth, pred))
    assert all(abs(v) < 0.01 for v in values), values


def test_adjusted_rand_refuses_partitions_of_different_lengths():
    with pytest.raises(ValueError):
        adjusted_rand(["a", "b"], ["x"])


# -- pairwise precision / recall / F1 ---------------------------------------------------------------------------


def items(*spec: tuple[str, str, str]) -> list[Item]:
    """(id, ground-truth story, kind) in stream order, a minute apart."""
    return [
        Item(id=i, story=s, kind=k, split="test", published=T0 + timedelta(minutes=n), title=i, outlet="o", text=i)
        for n, (i, s, k) in enumerate(spec)
    ]


STREAM = items(
    ("o1", "S1", "original"),
    ("c1", "S1", "boilerplate"),
    ("c2", "S1", "brief"),
    ("o2", "S2", "original"),
    ("l1", "S3", "lookalike"),
)
# true pairs (later, earlier): (c1, o1), (c2, o1), (c2, c1)
PREDS = {
    "o1": Prediction(False, "A", ["c1"]),  # a match with a later article is not a pair of o1's
    "c1": Prediction(True, "A", ["o1"]),  # true pair
    "c2": Prediction(True, "A", ["o1"]),  # true pair; (c2, c1) missed
    "o2": Prediction(False, "B", []),
    "l1": Prediction(True, "B", ["o2"]),  # a false pair, and a false flag
}


def test_score_counts_pairs_flags_and_ari_by_hand():
    got = score(STREAM, PREDS)
    assert (got["articles"], got["true_pairs"], got["pred_pairs"]) == (5, 3, 3)
    # 2 true positives, 1 false positive (l1, o2), 1 missed (c2, c1)
    assert got["precision"] == pytest.approx(2 / 3)
    assert got["recall"] == pytest.approx(2 / 3)
    assert got["f1"] == pytest.approx(2 / 3)
    # flags: c1, c2 and l1 flagged; c1 and c2 should be (each is not its story's first)
    assert got["flag_precision"] == pytest.approx(2 / 3)
    assert got["flag_recall"] == 1.0
    assert got["flag_f1"] == pytest.approx(0.8)
    assert got["ari"] == pytest.approx(18 / 23)  # stories S1 S1 S1 S2 S3 against A A A B B


def test_score_breaks_the_figures_down_by_the_later_article_kind():
    kinds = score(STREAM, PREDS)["kinds"]
    assert list(kinds) == ["boilerplate", "brief", "lookalike", "original"]  # sorted
    assert kinds["original"] == {
        "n": 2, "true_pairs": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0, "flagged": 0.0,
    }  # fmt: skip
    assert kinds["boilerplate"] == {
        "n": 1, "true_pairs": 1, "precision": 1.0, "recall": 1.0, "f1": 1.0, "flagged": 1.0,
    }  # fmt: skip
    brief = kinds["brief"]  # 1 of its 2 true pairs found, nothing wrong predicted
    assert (brief["n"], brief["true_pairs"], brief["precision"], brief["recall"]) == (1, 2, 1.0, 0.5)
    assert brief["f1"] == pytest.approx(2 / 3)
    lookalike = kinds["lookalike"]  # no true pair; its one predicted pair is wrong
    assert (lookalike["true_pairs"], lookalike["precision"], lookalike["recall"], lookalike["f1"]) == (0, 0.0, 1.0, 0.0)
    assert lookalike["flagged"] == 1.0


def test_perfect_predictions_score_1_everywhere():
    preds = {
        "o1": Prediction(False, "A"),
        "c1": Prediction(True, "A", ["o1"]),
        "c2": Prediction(True, "A", ["c1", "o1"]),
        "o2": Prediction(False, "B"),
        "l1": Prediction(False, "C"),
    }
    got = score(STREAM, preds)
    assert got["true_pairs"] == got["pred_pairs"] == 3
    for key in ("precision", "recall", "f1", "ari", "flag_precision", "flag_recall", "flag_f1"):
        assert got[key] == 1.0, key


def test_a_method_that_finds_nothing_has_recall_0():
    preds = {it.id: Prediction(False, it.id) for it in STREAM}  # every article its own story
    got = score(STREAM, preds)
    assert got["pred_pairs"] == 0
    assert (got["precision"], got["recall"], got["f1"]) == (1.0, 0.0, 0.0)  # nothing claimed, nothing found
    assert (got["flag_precision"], got["flag_recall"], got["flag_f1"]) == (1.0, 0.0, 0.0)
    # stories S1 S1 S1 S2 S3 against five singletons: sum_ij 0, sum_a 3, sum_b 0 -> 0
    assert got["ari"] == 0.0


def test_a_method_that_lumps_everything_together():
    preds = {it.id: Prediction(n > 0, "A", [e.id for e in STREAM[:n]]) for n, it in enumerate(STREAM)}
    got = score(STREAM, preds)
    # every earlier article matched: C(5,2) 10 predicted pairs, the 3 true ones among them
    assert (got["true_pairs"], got["pred_pairs"]) == (3, 10)
    assert (got["precision"], got["recall"]) == (pytest.approx(0.3), 1.0)
    assert got["f1"] == pytest.approx(2 * 0.3 / 1.3)
    # flags: 4 flagged, the 2 copies should be
    assert (got["flag_precision"], got["flag_recall"]) == (0.5, 1.0)
    # S1 S1 S1 S2 S3 against one story: sum_ij 3, sum_a 3, sum_b 10 -> expected 3, max 6.5 -> 0
    assert got["ari"] == pytest.approx(0.0)
