from flask import Response, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from ... import page_cache
from ...extensions import db
from ...security import safe_next_url
from ...selection import current_vehicle
from ...services import listings as listing_service
from ...services.fitment import NO_SPEC
from ...services.listings import Browse
from ...services.maintenance_rules import due_for
from ...timeutil import local_today
from . import bp


@bp.route("/")
def index():
    """Home: categories, what the selected car needs with offers for it, popular nearby."""
    return page_cache.serve(_render_home, vary=("city",))


def _render_home() -> str:
    selected = current_vehicle()
    city = session.get("city")
    due = []
    if selected is not None:
        due = due_for(selected.car, selected.garage_vehicle, local_today())
    popular, _total = listing_service.browse(
        Browse(city=city, sort="popular", fitments=selected is not None)
    )
    return render_template(
        "main/index.html",
        selected=selected,
        due=due,
        city=city,
        popular=popular[:8],
        offers=listing_service.offers_for(
            [r.item for r in due],
            selected.car if selected else None,
            city,
            selected.spec if selected else NO_SPEC,
        ),
    )


@bp.route("/healthz")
def healthz():
    """Liveness and database check for load balancers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 (any database failure means unhealthy)
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
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.index"))
