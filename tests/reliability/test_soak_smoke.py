"""A few seconds of the soak (tests/reliability/soak.py), so that the script itself is known to work."""

from __future__ import annotations

import pytest

from . import soak

pytestmark = pytest.mark.slow


def test_soak_smoke(tmp_path):
    result = soak.run(minutes=0.15, retention_days=0.00005, bench_seconds=2, sample_s=2, threads=4, load=0.5,
                      workdir=tmp_path)  # fmt: skip
    assert result["requests"] > 0 and result["errors"] == 0
    assert result["samples"] and result["index_consistent"]
