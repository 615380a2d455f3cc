"""`.env.example`, written from the settings' own fields (`python -m dedupe.env_example > .env.example`), so
the documented variables, defaults and descriptions cannot drift from the code (tests/test_config.py)."""

from __future__ import annotations

import sys
import textwrap

from .config import Settings, env_name

SECTIONS = {
    "redis_url": "Storage",
    "shingle_size": "Detection (tuned on real pages with `python -m eval.tune`; changing shingle size or num_perm "
    "needs a new namespace)",
    "max_body_bytes": "HTTP",
    "log_level": "Operations",
    "secret_key": "The view (/ui)",
}
#: Variables read elsewhere (gunicorn.conf.py, the tracing setup), listed in .env.example after the settings.
ELSEWHERE = """
# gunicorn (gunicorn.conf.py): GUNICORN_* variables
GUNICORN_BIND=127.0.0.1:8000
GUNICORN_WORKERS=2
# The gunicorn control socket (gunicornc); default: a fresh private directory per instance; off = none.
# GUNICORN_CONTROL_SOCKET=
# OpenTelemetry tracing (Flask and Redis spans, OTLP over HTTP) when set, e.g. http://collector:4318.
# OTEL_EXPORTER_OTLP_ENDPOINT=
"""


def _value(default: object) -> str:
    if default is None:
        return ""
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, tuple):
        return ",".join(default)
    return str(default)


def render() -> str:
    """The text of `.env.example`: every setting's description, variable and default, by section."""
    lines = [
        "# Every setting of the service, with its default. Copy to .env (compose reads it) or export them.",
        "# Generated from dedupe/config.py: python -m dedupe.env_example > .env.example",
    ]
    for field, info in Settings.model_fields.items():
        if field in SECTIONS:
            lines += ["", f"# -- {SECTIONS[field]}"]
        lines += textwrap.wrap(
            " ".join((info.description or "").split()), 118, initial_indent="# ", subsequent_indent="# "
        )
        lines.append(f"{env_name(field)}={_value(info.default)}")
    return "\n".join(lines) + "\n" + ELSEWHERE


if __name__ == "__main__":
    sys.stdout.write(render())
