from flask import Blueprint

bp = Blueprint("account", __name__)

from . import notifications, routes  # noqa: E402, F401
