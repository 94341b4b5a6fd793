from flask import Blueprint

bp = Blueprint("account", __name__)

from . import routes  # noqa: E402, F401
