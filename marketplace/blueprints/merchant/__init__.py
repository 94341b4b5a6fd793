"""The merchant console, `/merchant/...`: its own pages, and those of the nested packages
(`redemption`, `dashboard`, `reviews`, `invoices`, `bookings`), which share its prefix and its
sign-in check."""

from flask import Blueprint

bp = Blueprint("merchant", __name__)

from . import routes  # noqa: E402, F401
from .bookings import bp as bookings_bp  # noqa: E402
from .dashboard import bp as dashboard_bp  # noqa: E402
from .invoices import bp as invoices_bp  # noqa: E402
from .redemption import bp as redemption_bp  # noqa: E402
from .reviews import bp as reviews_bp  # noqa: E402

bp.register_blueprint(redemption_bp)
bp.register_blueprint(dashboard_bp)
bp.register_blueprint(reviews_bp, url_prefix="/reviews")
bp.register_blueprint(invoices_bp, url_prefix="/invoices")
bp.register_blueprint(bookings_bp, url_prefix="/bookings")
