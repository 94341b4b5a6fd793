from flask import Response, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from ...extensions import db
from ...security import safe_next_url
from . import bp


@bp.route("/")
def index():
    """The home page."""
    return render_template("main/index.html")


@bp.route("/healthz")
def healthz():
    """Liveness and database check for load balancers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 (any database failure means unhealthy)
        db.session.rollback()
        return Response("database unavailable", status=503, mimetype="text/plain")
    return Response("ok", mimetype="text/plain")


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the interface language; signed-in users keep it on their account."""
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.index"))
