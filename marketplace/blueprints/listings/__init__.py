from flask import Blueprint

bp = Blueprint("listings", __name__)

from . import routes  # noqa: E402, F401
