"""Review moderation, `/admin/reviews/...`: held and reported reviews."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)

from . import routes  # noqa: E402, F401
