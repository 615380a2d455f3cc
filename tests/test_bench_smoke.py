"""The benchmark still runs: `python -m bench --quick` end to end, and it wrote figures.

Not a performance test: the quick run's sizes are far too small for its figures to mean anything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_benchmark_runs_and_writes_figures(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--no-wrk", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    figures = json.loads((tmp_path / "bench-quick.json").read_text())
    assert len(figures["git"]["commit"]) == 40 and isinstance(figures["git"]["dirty"], bool)  # what was measured
    for corpus in ("synthetic", "real_english", "cjk"):  # ours and both datasketch uses, paired in every run
        fp = figures["fingerprint"][corpus]
        assert fp["ours_per_s"] > 0 and fp["datasketch_best_per_s"] > 0 and fp["datasketch_naive_per_s"] > 0
        assert all(r["ratio_best"] > 0 for r in fp["runs"]) and fp["articles"] > 0
    assert set(figures["fingerprint"]["stage_us"]["synthetic"]) == {
        "normalise", "paragraphs and furniture", "tokens", "shingles", "minhash", "sentences+figures"
    }  # fmt: skip
    ours = next(iter(figures["index"]["ours"].values()))
    assert ours["round_trips_per_check"] == 1.0
    assert ours["checks_per_s"] > 0 and ours["bytes_per_article"] > 0
    assert ours["matched_share"] > 0.2, ours  # the realistic bulk: checks meet their copies
    assert ours["ratio_best"] > 0 and ours["ratio_naive"] > 0
    for name in ("datasketch_best", "datasketch_naive"):
        peer = next(iter(figures["index"][name].values()))
        assert peer["checks_per_s"] > 0 and peer["indexed"] == ours["indexed"], peer
    assert figures["http"]["service"]["req_per_s"] > 0 and figures["http"]["trivial"]["req_per_s"] > 0
    assert figures["http"]["service"]["failed"] == 0
    ablations = figures["http"]["ablations"]  # the service with parts taken away answers too, and in full
    assert len(ablations) == 4 and all(a["req_per_s"] > 0 and a["failed"] == 0 for a in ablations.values())
    backfill = figures["backfill"]  # the CLI is part of the project: a skipped or failed backfill is a failure
    assert "skipped" not in backfill and "error" not in backfill, backfill
    assert backfill["per_s"] > 0 and backfill["invalid"] == 0, backfill
    assert backfill["indexed"] == backfill["articles"] > 0, backfill  # every archived article reached the index
    report = (tmp_path / "bench-quick.md").read_text()
    assert "## Targets" in report
