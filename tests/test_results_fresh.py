"""results/bench.json is not older than the code it measures, and README's figures are those results.

The benchmark records the commit it ran on (and whether the measured code differed from it). README's Benchmark
section names that commit. A later commit that changes the code on a check's path (text pipeline, fingerprint,
index, check script) makes the figures stale, and this fails, naming it, until either the benchmark is run
again (`python -m bench --update-results`, about 15 minutes, then README's figures) or README's Benchmark
section says plainly that the commit is not re-measured (its short hash after "not re-measured", in that
paragraph).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What a check runs: a change to any of these makes the figures stale.
MEASURED = (
    "dedupe/text.py", "dedupe/normalise.py", "dedupe/furniture.py", "dedupe/data", "dedupe/fingerprint.py",
    "dedupe/tokens.py",
    "dedupe/_kernels.py", "dedupe/_sketch_kernels.py", "dedupe/store/index.py", "dedupe/store/records.py",
    "dedupe/store/keys.py", "dedupe/store/check.lua", "dedupe/store/lua", "dedupe/store/script.py",
    "dedupe/store/spread.py", "dedupe/store/cluster.py", "dedupe/store/replies.py",
    "dedupe/index.py", "dedupe/check.lua",  # the last two: 1.2 (the script in one file until its split into lua/)
)  # fmt: skip


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def _recorded() -> dict:
    return json.loads((ROOT / "results" / "bench.json").read_text())


def _section() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("\n## Benchmark", 1)[1].split("\n## ", 1)[0]


def test_bench_results_record_a_clean_commit_of_this_history():
    git = _recorded()["git"]
    assert git["commit"] and len(git["commit"]) == 40, git
    assert not git["dirty"], f"measured with uncommitted changes: {git['dirty_files']}"
    found = _git("cat-file", "-e", f"{git['commit']}^{{commit}}")
    assert found.returncode == 0, f"results/bench.json names commit {git['commit']}, which is not in this history"


def test_readme_names_the_commit_its_figures_were_measured_on():
    assert f"`{_recorded()['git']['commit'][:12]}`" in _section(), "README's Benchmark section names another commit"


def test_bench_results_are_not_older_than_the_code_they_measure():
    measured_at = _recorded()["git"]["commit"]
    later = _git("rev-list", f"{measured_at}..HEAD", "--", *MEASURED)
    assert later.returncode == 0, later.stderr
    paragraph = next((x for x in _section().split("\n\n") if "not re-measured" in x), "")
    acknowledged = set(re.findall(r"`([0-9a-f]{7,40})`", paragraph.split("not re-measured", 1)[-1]))
    stale = [c for c in later.stdout.split() if not any(c.startswith(a) for a in acknowledged)]
    subjects = [_git("log", "-1", "--format=%h %s", c).stdout.strip()[:100] for c in stale]
    assert not stale, (
        f"results/bench.json was measured at {measured_at[:12]}; later commits changed the code it measures "
        f"({', '.join(MEASURED)}): {subjects}. Rerun `python -m bench --update-results` and README's figures, or "
        f"name them after README's 'not re-measured'"
    )
