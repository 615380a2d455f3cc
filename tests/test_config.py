"""Settings: every one documented in .env.example and README.md, parsed from the environment, validated."""

from dataclasses import fields
from pathlib import Path

import pytest

from dedupe.config import Settings, SettingsError

ROOT = Path(__file__).resolve().parent.parent


def _env_names() -> set[str]:
    names = set()
    for f in fields(Settings):
        if f.name == "redis_url":
            names.add("REDIS_URL")
        elif f.name == "webhook_secrets":
            names.add("DEDUPE_WEBHOOK_SECRET")
        else:
            names.add(f"DEDUPE_{f.name.upper()}")
    return names


def test_every_setting_is_listed_in_env_example_and_readme():
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


@pytest.mark.parametrize(
    "env",
    [{"DEDUPE_NUM_PERM": "lots"}, {"DEDUPE_NUM_PERM": "12"}, {"DEDUPE_JACCARD_THRESHOLD": "1.5"},
     {"DEDUPE_RETENTION_DAYS": "0"}, {"DEDUPE_SHINGLE_SIZE": "1"}],
)  # fmt: skip
def test_a_setting_the_service_cannot_run_with_is_refused_by_name(env):
    with pytest.raises(SettingsError, match=next(iter(env))):
        Settings.from_env(env)


def test_the_package_and_the_project_name_one_version():
    import tomllib

    from dedupe import __version__

    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == __version__
