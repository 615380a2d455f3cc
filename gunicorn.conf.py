"""gunicorn settings: `gunicorn -c gunicorn.conf.py app:app`. Every value can be overridden by GUNICORN_* env."""

import os
import shutil
import tempfile

# Counters and histograms from every worker add up in /metrics (prometheus_client multiprocess mode).
# Set before anything imports prometheus_client: it picks its storage when first imported.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="dedupe-metrics-")

from dedupe import embedded
from dedupe.config import Settings

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"

_started_embedded = False


def on_starting(server):
    """The master starts the embedded Redis (when REDIS_URL is unset) once, before forking workers."""
    global _started_embedded
    metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(metrics_dir, ignore_errors=True)
    os.makedirs(metrics_dir, exist_ok=True)
    settings = Settings.from_env()
    if not settings.redis_url:
        _, _started_embedded = embedded.ensure_running(settings.data_dir)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _started_embedded:
        embedded.stop(Settings.from_env().data_dir)
