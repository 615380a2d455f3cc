"""WSGI entry point: `gunicorn app:app`."""

from dedupe.web import create_app

app = create_app()
