"""The service under gunicorn (-w 2) on a free loopback port, for the reliability tests and the soak.

Everything runs on loopback, on free ports, in a given directory; every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from support.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
WEBHOOK_SECRET_2 = "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24="
NAMESPACE = "rel"
PREFIX = f"dd:{{{NAMESPACE}}}:"
START_TIMEOUT_S = 30.0


class Service:
    """`gunicorn -c gunicorn.conf.py app:app` with -w 2 on a free loopback port, its output in a log file."""

    def __init__(self, workdir: Path, redis_url: str, **env: str) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "gunicorn.log"
        metrics_dir = workdir / "metrics"
        metrics_dir.mkdir(exist_ok=True)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DEDUPE_", "GUNICORN_", "REDIS_URL"))},
            "REDIS_URL": redis_url,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_TIMEOUT": "20",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
            "DEDUPE_NAMESPACE": NAMESPACE,
            "DEDUPE_REDIS_TIMEOUT_S": "0.5",
            "DEDUPE_WEBHOOK_SECRET": f"{WEBHOOK_SECRET},{WEBHOOK_SECRET_2}",
            "DEDUPE_DATA_DIR": str(workdir / "data"),
            **env,
        }
        self.proc: subprocess.Popen | None = None
        self.session = requests.Session()

    def start(self, wait: bool = True) -> Service:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        if wait:
            self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            try:  # up, and every worker booted (a late worker would initialise the index behind a test's back)
                healthy = requests.get(self.url + "/healthz", timeout=1).status_code == 200
                if healthy and len(self.worker_pids()) >= int(self.env["GUNICORN_WORKERS"]):
                    time.sleep(0.3)  # the last worker's app is built before it accepts
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout}s:\n{self.log()[-3000:]}")

    def worker_pids(self) -> set[int]:
        """The master's children (the workers), read from /proc."""
        children = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended while we looked
                continue
            if int(fields[1]) == self.proc.pid:
                children.add(int(stat.parent.name))
        return children

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        if self.proc:
            self._log.close()
        self.session.close()

    # -- HTTP ------------------------------------------------------------------------------------
    def request(self, method: str, path: str, timeout: float = 10, **kw) -> requests.Response:
        return self.session.request(method, self.url + path, timeout=timeout, **kw)

    def check(self, article_id: str, text: str, **fields) -> requests.Response:
        return self.request("POST", "/v1/check", json={"id": article_id, "text": text, **fields})
