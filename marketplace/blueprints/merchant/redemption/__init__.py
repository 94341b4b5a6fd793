from flask import Blueprint

bp = Blueprint("redemption", __name__)

from . import routes  # noqa: E402, F401
