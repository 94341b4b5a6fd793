from flask import Blueprint

bp = Blueprint("reviews", __name__, cli_group="reviews")

from . import routes  # noqa: E402, F401
