"""The owner's account, `/account/...`, with the owner's reviews nested (`reviews`)."""

from flask import Blueprint

bp = Blueprint("account", __name__)

from . import booking, notifications, routes  # noqa: E402, F401
from .reviews import bp as reviews_bp  # noqa: E402

bp.register_blueprint(reviews_bp, url_prefix="/reviews")
