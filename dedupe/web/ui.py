"""The newsroom view at /ui: recent stories, a story's copies on a timeline, a copy beside the article it
matches, search, and a form to check an article without storing it. Server-rendered (Jinja, plain CSS, no
script). With DEDUPE_API_KEYS set it asks for a key (a signed session cookie); its forms carry CSRF tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any, cast

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.wrappers import Response as ResponseBase

from ..exceptions import InvalidInput
from ..models import parse_article
from ..store.browse import Browse
from ..wiring import Services
from .deps import services as _services
from .ui_model import rows, safe_url, side_by_side, timeline

bp = Blueprint("ui", __name__, url_prefix="/ui", template_folder="templates", static_folder="static")
csrf = CSRFProtect()
log = logging.getLogger(__name__)
#: Every page: no script at all, styles and forms from this origin only, never framed.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)


def init_app(app: Flask, services: Services) -> None:
    """Register the view: its session secret, CSRF protection for its own forms, the blueprint."""
    browse = Browse(services.redis, services.dedupe.index.keys)
    app.secret_key = services.settings.secret_key or browse.session_secret()
    app.config.update(SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_NAME="dedupe_ui", WTF_CSRF_CHECK_DEFAULT=False)
    csrf.init_app(app)  # checks only where the view asks (its POSTs): /v1 and the webhook use keys and signatures
    app.extensions["dedupe.browse"] = browse
    app.register_blueprint(bp)


def _browse() -> Browse:
    return cast(Browse, current_app.extensions["dedupe.browse"])


def _key_id(key: str) -> str:
    return hashlib.sha256(b"dedupe-ui:" + key.encode()).hexdigest()[:32]


def _logged_in() -> bool:
    keys = _services().settings.api_keys
    return not keys or session.get("key") in {_key_id(k) for k in keys}


@bp.before_request
def _guard() -> ResponseBase | None:
    if request.method == "POST":
        csrf.protect()
    if request.endpoint in ("ui.login", "ui.static") or _logged_in():
        return None
    return redirect(url_for("ui.login", next=request.full_path if request.args else request.path))


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(CSRFError)
def _csrf_failed(exc: CSRFError) -> tuple[str, int]:
    return render_template(
        "ui/error.html", message=f"The form expired or was not sent by this page ({exc.description})"
    ), 400


@bp.app_template_filter("link")
def _link(url: str | None) -> str | None:
    return safe_url(url)


@bp.app_context_processor
def _context() -> dict[str, Any]:
    return {"auth_required": bool(_services().settings.api_keys), "logged_in": session.get("key") is not None}


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseBase | str | tuple[str, int]:
    target = request.values.get("next") or ""
    target = target if target.startswith("/ui") and not target.startswith("//") else url_for("ui.recent")
    if not _services().settings.api_keys:
        return redirect(target)
    if request.method == "POST":
        given = request.form.get("key", "").encode()
        for key in _services().settings.api_keys:
            if hmac.compare_digest(given, key.encode()):
                session.clear()
                session["key"] = _key_id(key)
                return redirect(target)
        return render_template("ui/login.html", next=target, failed=True), 401
    return render_template("ui/login.html", next=target, failed=False)


@bp.post("/logout")
def logout() -> ResponseBase:
    session.clear()
    return redirect(url_for("ui.login"))


@bp.get("/")
def recent() -> str:
    return render_template("ui/recent.html", stories=_browse().recent())


@bp.get("/stories/<story_id>")
def story(story_id: str) -> str | tuple[str, int]:
    copies = _browse().story(story_id)
    if not copies:
        return render_template("ui/error.html", message=f"No story {story_id}"), 404
    s = _services().settings
    story_rows = rows(copies, s.num_perm, s.copy_cover)
    return render_template("ui/story.html", story_id=story_id, rows=story_rows, chart=timeline(story_rows))


@bp.get("/articles/<path:article_id>")
def article(article_id: str) -> str | tuple[str, int]:
    browse = _browse()
    copy = browse.article(article_id)
    if copy is None:
        return render_template("ui/error.html", message=f"No article {article_id}"), 404
    copies = browse.story(copy.story_id)
    chosen = request.args.get("with")
    others = [c for c in copies if c.number != copy.number]
    earlier = next((c for c in others if c.id == chosen), None) or next(iter(others), None)
    if earlier is None:
        return render_template("ui/article.html", copy=copy, earlier=None, others=[], view=None)
    copy_text, earlier_text = browse.texts([copy.number, earlier.number])
    view = side_by_side(copy, earlier, copy_text, earlier_text)
    return render_template("ui/article.html", copy=copy, earlier=earlier, others=others, view=view)


@bp.get("/search")
def search() -> str:
    query = request.args.get("q", "")[:500]
    return render_template("ui/search.html", query=query, results=_browse().search(query) if query.strip() else None)


@bp.route("/check", methods=["GET", "POST"])
def check() -> str | tuple[str, int]:
    if request.method == "GET":
        return render_template("ui/check.html", form={}, result=None, error=None)
    form = {k: request.form.get(k, "").strip() for k in ("title", "url", "outlet", "published_at", "text")}
    fields = {k: v for k, v in form.items() if v}
    try:
        article = parse_article({"id": "ui-check", **fields, "index": False})
        result = _services().dedupe.check(article, store=False)
    except InvalidInput as exc:
        return render_template("ui/check.html", form=form, result=None, error=str(exc)), 422
    return render_template("ui/check.html", form=form, result=result, error=None)
