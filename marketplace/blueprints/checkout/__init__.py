from flask import Blueprint

bp = Blueprint("checkout", __name__)

from . import booking, routes  # noqa: E402, F401
