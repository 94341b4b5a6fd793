"""A shop's reviews, `/merchant/reviews/...`: its managers reply and report."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)

from . import routes  # noqa: E402, F401
