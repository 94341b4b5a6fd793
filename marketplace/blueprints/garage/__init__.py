from flask import Blueprint

bp = Blueprint("garage", __name__)

from . import routes  # noqa: E402, F401
