"""WSGI entry point: `gunicorn app:app`."""

from dedupe import create_app

app = create_app()
