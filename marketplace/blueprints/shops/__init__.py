from flask import Blueprint

bp = Blueprint("shops", __name__)

from . import routes  # noqa: E402, F401
