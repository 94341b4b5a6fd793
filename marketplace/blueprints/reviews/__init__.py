"""Writing and editing a review, `/reviews/...`; the review labels and template helpers the
other review pages use; and the `flask reviews` commands."""

from flask import Blueprint

bp = Blueprint("reviews", __name__, cli_group="reviews")

from . import routes  # noqa: E402, F401
