"""Shop dashboards: figures, charts, the lost customers and win-back messages."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from . import routes  # noqa: E402, F401
