"""Part 3: end to end over HTTP. The service under gunicorn (-w 2) with a private Redis behind it, and a
trivial Flask JSON endpoint served the same way, driven in the same run by the same bounded load generator.

Load generator: `wrk` with a Lua script (fixed request count per connection thread, fresh ids), when it is
installed; otherwise a small Python client (threads, one connection each) that does the same. The Python
client costs far more CPU on a 2-core machine, so the figures say which one produced them.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from support.redis_server import free_port, private_redis

from .corpus import Article
from .util import median, percentile

ROOT = Path(__file__).resolve().parent.parent
WRK_LUA = Path(__file__).with_name("wrk_post.lua")


def have_wrk(install: bool) -> str | None:
    """Path of wrk; with install=True, try Debian's package once when it is missing and we are root."""
    found = shutil.which("wrk")
    if found or not install or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], capture_output=True, timeout=300, check=False)
    return shutil.which("wrk")


class Gunicorn:
    def __init__(self, target: str, env: dict[str, str], workers: int = 2) -> None:
        self.port = free_port()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.proc = subprocess.Popen(
            [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "--backlog", "256", target],
            # WARNING: the access log (one line a request) would fill the unread stderr pipe and stall the workers
            cwd=ROOT, env={**os.environ, "DEDUPE_LOG_LEVEL": "WARNING", **env}, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                if self.proc.poll() is not None:
                    err = self.proc.stderr.read().decode()[-2000:]
                    raise RuntimeError(f"gunicorn {target} exited: {err}") from None
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn {target} did not start")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True, check=False)
        return [int(p) for p in out.stdout.split()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _wrk(wrk: str, port: int, bodies: Path, requests: int, connections: int, tag: str, expect: float) -> dict:
    """One connection per wrk thread; the script stops each thread after its share of `requests`.

    wrk always runs for its -d duration, so -d is set from the rate expected (the last run's) with slack.
    """
    env = {**os.environ, "BENCH_BODIES": str(bodies), "BENCH_PER_THREAD": str(requests // connections),
           "BENCH_TAG": tag}  # fmt: skip
    duration = max(2, round(requests / expect * 1.4 + 1))
    out = subprocess.run(
        [wrk, "-t", str(connections), "-c", str(connections), "-d", f"{duration}s", "--timeout", "5s",
         "-s", str(WRK_LUA), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, env=env, timeout=duration + 60, check=False,
    )  # fmt: skip
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures: {out.stdout[-1000:]} {out.stderr[-1000:]}")
    r = json.loads(line.split(" ", 1)[1])
    return {"req_per_s": r["requests"] / r["seconds"], "p50_ms": r["p50_s"] * 1e3, "p99_ms": r["p99_s"] * 1e3,
            "requests": r["requests"], "failed": r["errors"] + r["non200"]}  # fmt: skip


def _python_client(port: int, bodies: list[bytes], requests: int, connections: int, tag: str) -> dict:
    latencies: list[float] = []
    failed = [0]
    lock = threading.Lock()
    per = requests // connections

    def worker(w: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, bad = [], 0
        for i in range(per):
            body = b'{"id":"%s-c%d-%d",' % (tag.encode(), w, i) + bodies[(i * connections + w) % len(bodies)]
            s = time.perf_counter()
            try:
                conn.request("POST", "/v1/check", body, {"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                bad += resp.status != 200
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
            mine.append(time.perf_counter() - s)
        with lock:
            latencies.extend(mine)
            failed[0] += bad

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(w,)) for w in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"req_per_s": len(latencies) / wall, "p50_ms": 1e3 * percentile(latencies, 50),
            "p99_ms": 1e3 * percentile(latencies, 99), "requests": len(latencies), "failed": failed[0]}  # fmt: skip


#: The service with a part of each check taken away (bench/ablation_app.py): what each part costs over HTTP.
ABLATIONS = {
    "service minus fingerprinting": "fingerprint",
    "service minus fingerprinting, no-op check script": "script",
    "service minus Redis": "index",
    "service minus both": "both",
}


def run(articles: list[Article], requests: int, runs: int, connections: int = 4, use_wrk: bool = True,
        log=print, ablations: bool = False) -> dict:  # fmt: skip
    """Alternate trivial endpoint and service (and with `ablations`, the service with parts taken away),
    `runs` times each, `requests` requests per run."""
    wrk = have_wrk(install=True) if use_wrk else None
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        bodies_path = Path(tmp) / "bodies.jsonl"
        prom = Path(tmp) / "prometheus"
        prom.mkdir()
        lines = []
        for a in articles:
            payload = a.payload()
            del payload["id"]
            lines.append(json.dumps(payload, ensure_ascii=True)[1:])  # '"title": ...}' after the id
        bodies_path.write_text("".join("{" + x + "\n" for x in lines))
        raw = [x.encode() for x in lines]
        with private_redis() as server:
            env = {"REDIS_URL": server.url, "DEDUPE_NAMESPACE": "benchhttp", "PROMETHEUS_MULTIPROC_DIR": str(prom)}
            services = {"trivial": Gunicorn("bench.trivial_app:app", env), "service": Gunicorn("app:app", env)}
            for name, part in ABLATIONS.items() if ablations else ():
                services[name] = Gunicorn("bench.ablation_app:app", {**env, "BENCH_ABLATE": part,
                                                                      "BENCH_BODIES": str(bodies_path)})  # fmt: skip
            try:
                per_run = []
                expect = dict.fromkeys(services, 800.0) | {"trivial": 3000.0}
                for r in range(runs):
                    row = {}
                    for name, g in services.items():
                        server.client().flushall()  # every run starts from the same (empty) index
                        tag = f"{name}{r}"
                        if wrk:
                            row[name] = _wrk(wrk, g.port, bodies_path, requests, connections, tag, expect[name])
                            expect[name] = row[name]["req_per_s"]
                        else:
                            row[name] = _python_client(g.port, raw, requests, connections, tag)
                    row["ratio"] = row["service"]["req_per_s"] / row["trivial"]["req_per_s"]
                    for name in ABLATIONS if ablations else ():
                        row[name]["ratio"] = row[name]["req_per_s"] / row["trivial"]["req_per_s"]
                        got = row[name]
                        log(f"  run {r + 1}: {name} {got['req_per_s']:,.0f} req/s, ratio {got['ratio']:.2f}")
                    per_run.append(row)
                    log(f"  run {r + 1}: service {row['service']['req_per_s']:,.0f} req/s "
                        f"(p50 {row['service']['p50_ms']:.2f} ms, p99 {row['service']['p99_ms']:.2f} ms), "
                        f"trivial {row['trivial']['req_per_s']:,.0f} req/s, ratio {row['ratio']:.2f}")  # fmt: skip
            finally:
                for g in services.values():
                    g.stop()
    out = {"load_generator": "wrk" if wrk else "python", "connections": connections, "requests": requests,
           "workers": 2, "runs": per_run, "ratio": median([r["ratio"] for r in per_run])}  # fmt: skip
    for name in ("service", "trivial"):
        out[name] = {k: median([r[name][k] for r in per_run]) for k in ("req_per_s", "p50_ms", "p99_ms", "failed")}
    if ablations:
        keys = ("req_per_s", "p50_ms", "p99_ms", "ratio", "failed")
        out["ablations"] = {name: {k: median([r[name][k] for r in per_run]) for k in keys} for name in ABLATIONS}
    return out
