"""Settings: every one documented from one source (dedupe/config.py -> .env.example, README.md), parsed from the
environment, validated, immutable."""

import subprocess
import sys
from pathlib import Path

import pydantic
import pytest

from dedupe.config import Settings, SettingsError, env_name
from dedupe.env_example import render as env_example

ROOT = Path(__file__).resolve().parent.parent


def _env_names() -> set[str]:
    return {env_name(field) for field in Settings.model_fields}


def test_the_environment_names_are_todays():
    names = _env_names()
    assert {"REDIS_URL", "DEDUPE_WEBHOOK_SECRET", "DEDUPE_DATA_DIR", "DEDUPE_API_KEYS", "DEDUPE_NUM_PERM"} <= names
    assert {n for n in names if not n.startswith("DEDUPE_")} == {"REDIS_URL"}


def test_env_example_is_generated_from_the_settings():
    """Each setting's variable, default and description come from its field: the file cannot drift from them."""
    assert (ROOT / ".env.example").read_text() == env_example(), (
        "regenerate it: .venv/bin/python -m dedupe.env_example > .env.example"
    )
    out = subprocess.run([sys.executable, "-m", "dedupe.env_example"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout == env_example()


def test_every_setting_is_described_and_listed_in_env_example_and_readme():
    assert [f for f, info in Settings.model_fields.items() if not (info.description or "").strip()] == []
    example = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line}
    readme = (ROOT / "README.md").read_text()
    assert _env_names() <= example
    assert [n for n in _env_names() if f"`{n}`" not in readme] == []


def test_env_example_defaults_are_the_code_defaults():
    lines = (ROOT / ".env.example").read_text().splitlines()
    values = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    values = {k: v for k, v in values.items() if not k.startswith("GUNICORN_")}
    assert Settings.from_env(values) == Settings()


def test_lists_numbers_and_names_are_parsed_from_the_environment():
    s = Settings.from_env({"DEDUPE_API_KEYS": "a, b,,c", "DEDUPE_RETENTION_DAYS": "0.5", "REDIS_URL": "redis://x"})
    assert s.api_keys == ("a", "b", "c")
    assert s.retention_days == 0.5
    assert s.redis_url == "redis://x"
    s = Settings.from_env({"DEDUPE_WEBHOOK_SECRET": "whsec_a,\nwhsec_b", "DEDUPE_STORE_TEXT": "false"})
    assert s.webhook_secrets == ("whsec_a", "whsec_b")
    assert s.store_text is False


def test_empty_variables_are_unset():
    assert Settings.from_env({"DEDUPE_NAMESPACE": "", "DEDUPE_NUM_PERM": "", "REDIS_URL": ""}) == Settings()


def test_only_from_env_reads_the_environment(monkeypatch):
    """Settings() is the shipped defaults (eval and bench measure them), whatever the environment holds."""
    monkeypatch.setenv("DEDUPE_NAMESPACE", "from-env")
    monkeypatch.setenv("REDIS_URL", "redis://env:6379/0")
    assert Settings().namespace == "dedupe"
    assert Settings(namespace="given").namespace == "given"
    assert Settings.from_env().namespace == "from-env"
    assert Settings.from_env().redis_url == "redis://env:6379/0"


@pytest.mark.parametrize(
    "env",
    [{"DEDUPE_NUM_PERM": "lots"}, {"DEDUPE_NUM_PERM": "12"}, {"DEDUPE_JACCARD_THRESHOLD": "1.5"},
     {"DEDUPE_RETENTION_DAYS": "0"}, {"DEDUPE_SHINGLE_SIZE": "1"}, {"DEDUPE_STORE_TEXT": "maybe"},
     {"REDIS_URL": "redis://x", "DEDUPE_MAX_BATCH": "0"}],
)  # fmt: skip
def test_a_setting_the_service_cannot_run_with_is_refused_by_name(env):
    name, value = list(env.items())[-1]
    with pytest.raises(SettingsError, match=f"{name}='{value}'"):
        Settings.from_env(env)


def test_every_problem_is_named_at_once_also_when_built_in_code():
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"DEDUPE_NUM_PERM": "12", "DEDUPE_LOG_FORMAT": "xml"})
    assert "DEDUPE_NUM_PERM" in str(caught.value) and "DEDUPE_LOG_FORMAT" in str(caught.value)
    with pytest.raises(SettingsError, match="DEDUPE_COPY_COVER=0"):
        Settings(copy_cover=0)
    assert isinstance(caught.value, ValueError)


def test_settings_are_immutable_hashable_and_keep_secrets_out_of_their_repr():
    s = Settings.from_env({"DEDUPE_API_KEYS": "key-1", "DEDUPE_WEBHOOK_SECRET": "whsec_x", "DEDUPE_SECRET_KEY": "s3"})
    with pytest.raises(pydantic.ValidationError):
        s.namespace = "other"  # type: ignore[misc]
    assert hash(s) == hash(Settings(**s.__dict__)) and s == Settings(**s.__dict__)
    assert {s: 1}[Settings(**s.__dict__)] == 1
    for secret in ("key-1", "whsec_x", "s3"):
        assert secret not in repr(s) and secret not in str(s)
    # a mutation for an experiment (eval, tests) is a copy, unvalidated as dataclasses.replace was
    assert s.model_copy(update={"jaccard_threshold": 1.01}).jaccard_threshold == 1.01
    assert s.jaccard_threshold == 0.8


def test_the_package_and_the_project_name_one_version():
    import tomllib

    from dedupe import __version__

    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == __version__
