"""The ceiling: a trivial Flask JSON endpoint, served by gunicorn exactly like the service.

It parses the same request body and answers a small JSON object, with no fingerprinting and no Redis.
"""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/v1/check")
def check():
    body = request.get_json()
    return jsonify({"id": body.get("id"), "duplicate": False, "story_id": None, "indexed": False, "matches": []})


@app.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})
