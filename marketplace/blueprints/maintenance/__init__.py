from flask import Blueprint

bp = Blueprint("maintenance", __name__)

from . import routes  # noqa: E402, F401
