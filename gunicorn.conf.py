"""gunicorn settings: `gunicorn -c gunicorn.conf.py app:app`. Every value can be overridden by GUNICORN_* env."""

import os
import shutil
import tempfile

# Counters and histograms from every worker add up in /metrics (prometheus_client multiprocess mode).
# Set before anything imports prometheus_client: it picks its storage when first imported.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="dedupe-metrics-")

from gunicorn.glogging import Logger

from dedupe import logs
from dedupe.config import Settings
from dedupe.store import embedded

# One log configuration for the master and (inherited through fork) its workers: JSON lines on stderr.
_settings = Settings.from_env()
logs.configure(_settings.log_level, _settings.log_format)


class DedupeLogger(Logger):
    """gunicorn's own lines (and its access log, when GUNICORN_ACCESSLOG=-) through the service's handler."""

    def setup(self, cfg):
        super().setup(cfg)
        for log, target in ((self.error_log, cfg.errorlog), (self.access_log, cfg.accesslog)):
            if target == "-":
                for handler in [h for h in log.handlers if getattr(h, "_gunicorn", False)]:
                    log.removeHandler(handler)
                log.propagate = True


logger_class = DedupeLogger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None  # the app writes its own access log (dedupe.access)
errorlog = "-"
# gunicorn's control socket (for gunicornc) defaults to one fixed path ($HOME/.gunicorn/gunicorn.ctl): two
# instances on one machine would share it, and in the image $HOME (/app) is not writable. Each instance
# gets a private directory of its own instead; GUNICORN_CONTROL_SOCKET names a path, or `off` for none.
_control = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
_control_dir = None
if _control.lower() in ("off", "none", "false", "0"):
    control_socket_disable = True
elif _control:
    control_socket = _control
else:
    _control_dir = tempfile.mkdtemp(prefix="dedupe-gunicorn-")
    control_socket = os.path.join(_control_dir, "gunicorn.ctl")

_started_embedded = False


def on_starting(server):
    """The master starts the embedded Redis (when REDIS_URL is unset) once, before forking workers."""
    global _started_embedded
    server.log.info(
        "gunicorn master: %d workers on %s, control socket %s",
        workers,
        bind,
        "off" if server.cfg.control_socket_disable else server.cfg.control_socket,
    )
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
    if _control_dir:
        shutil.rmtree(_control_dir, ignore_errors=True)
