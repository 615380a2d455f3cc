"""`python -m dedupe backfill | verify | purge` against a real (private) Redis."""

from __future__ import annotations

import json
import time

import pytest

from dedupe import cli
from support import articles


@pytest.fixture
def env(monkeypatch, settings):
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("DEDUPE_NAMESPACE", settings.namespace)


def _archive(tmp_path, n_copies: int = 3):
    lines = [{"id": "wire", "text": articles.wire_original(), "published_at": "2022-01-27T08:00:00Z"}]
    lines += [
        {"id": f"copy-{i}", "text": articles.SEED, "outlet": f"Outlet {i}", "published_at": "2022-01-27T10:00:00Z"}
        for i in range(n_copies)
    ]
    lines.append({"id": "other", "text": articles.UNRELATED, "published_at": "2022-01-27T11:00:00Z"})
    path = tmp_path / "archive.jsonl"
    body = "\n".join(json.dumps(line) for line in lines[:2]) + '\n{"id": 5, "text": "bad"}\n\n'
    body += "\n".join(json.dumps(line) for line in lines[2:]) + "\n"
    path.write_text(body)
    return path


@pytest.mark.parametrize("workers", ["0", "1"])
def test_backfill_indexes_an_archive_in_order_and_skips_bad_lines(env, tmp_path, capsys, client, workers):
    path = _archive(tmp_path)
    assert cli.main(["backfill", str(path), "--quiet", "--batch", "2", "--workers", workers]) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["articles"] == 5 and summary["invalid"] == 1 and summary["duplicates"] == 3
    assert "archive.jsonl:3: skipped: id:" in err
    story = client.get("/v1/articles/wire").get_json()["story_id"]
    copies = [a["id"] for a in client.get(f"/v1/stories/{story}").get_json()["articles"]]
    assert copies == ["wire", "copy-0", "copy-1", "copy-2"]
    assert client.get("/v1/articles/other").get_json()["story_id"] != story


def test_backfill_resumes_where_it_stopped(env, tmp_path, capsys, redis_client):
    path = _archive(tmp_path)
    assert cli.main(["backfill", str(path), "--quiet", "--workers", "0"]) == 0
    capsys.readouterr()
    assert json.loads((tmp_path / "archive.jsonl.progress").read_text())["articles"] == 5
    seq = redis_client.get("dd:{test}:seq")
    assert cli.main(["backfill", str(path), "--quiet", "--workers", "0"]) == 0  # nothing left to do
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["articles"] == 5
    assert redis_client.get("dd:{test}:seq") == seq
    assert cli.main(["backfill", str(path), "--quiet", "--workers", "0", "--restart"]) == 0  # again: no-ops
    assert redis_client.get("dd:{test}:seq") == seq


def test_verify_passes_on_a_sound_index_and_names_a_half_written_article(env, tmp_path, capsys, redis_client):
    assert cli.main(["backfill", str(_archive(tmp_path)), "--quiet", "--workers", "0"]) == 0
    capsys.readouterr()
    assert cli.main(["verify"]) == 0
    assert "index is consistent" in capsys.readouterr().out
    redis_client.delete("dd:{test}:a:1")  # a record lost, its bands and story entry left behind
    assert cli.main(["verify"]) == 1
    out = capsys.readouterr().out
    assert "no record" in out and "lists missing article 1" in out
    assert "lists article 1, which is not in it" in out  # its story still names it


def test_purge_removes_articles_past_retention(env, tmp_path, capsys, monkeypatch, client):
    assert cli.main(["backfill", str(_archive(tmp_path)), "--quiet", "--workers", "0"]) == 0
    monkeypatch.setenv("DEDUPE_RETENTION_DAYS", "0.000001")  # 0.09 s
    time.sleep(0.2)
    assert cli.main(["purge"]) == 0
    assert "removed 5 expired article(s)" in capsys.readouterr().out
    assert client.get("/v1/articles/wire").status_code == 404
    monkeypatch.delenv("DEDUPE_RETENTION_DAYS")
    assert cli.main(["verify"]) == 0
