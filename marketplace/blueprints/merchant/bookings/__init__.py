"""A shop's bookings, `/merchant/bookings/...`: its managers set the opening hours, bays,
slot lengths and closed days; its staff see each day's bookings per bay and mark arrivals
and no-shows; its managers cancel a booking, saying why."""

from flask import Blueprint

bp = Blueprint("bookings", __name__)

from . import routes  # noqa: E402, F401
