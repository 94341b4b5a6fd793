"""The admin pages, `/admin/...`, with review moderation nested (`reviews`)."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import routes  # noqa: E402, F401
from .reviews import bp as reviews_bp  # noqa: E402

bp.register_blueprint(reviews_bp, url_prefix="/reviews")
