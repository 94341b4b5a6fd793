"""Choosing a time at the shop while paying: a held time per unit of a line, which becomes
the voucher's booking once the order is paid (and is let go if it is not)."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...error_messages import message
from ...extensions import db
from ...forms import BookingForm, day_arg
from ...i18n import appointment
from ...models import OrderStatus, Shop
from ...models.types import utcnow
from ...services import bookings
from ...services.bookings import BookingError
from . import bp
from .forms import CancelForm
from .routes import own_order


def _line(order, line_id: int):
    return next((line for line in order.lines if line.id == line_id), None) or abort(404)


def _page(order, line, *, form=None, error=None, status=200):
    now = utcnow()
    shop = db.session.get(Shop, line.shop_id)
    held = [b for b in bookings.holds(order) if b.order_line_id == line.id]
    choice = None
    if len(held) < line.quantity:
        choice = bookings.choices(
            shop,
            bookings.category_of(line),
            now,
            day=day_arg(request.args),
            until=now + timedelta(days=line.validity_days),
        )
    return render_template(
        "checkout/booking.html",
        order=order,
        line=line,
        shop=shop,
        held=held,
        choice=choice,
        form=form or BookingForm(),
        error=error,
    ), status


@bp.route("/<number>/lines/<int:line_id>/booking", methods=["GET", "POST"])
@login_required
def hold_time(number: str, line_id: int):
    """Choose a time at the shop for one unit of the line (optional; confirmed once paid)."""
    order = own_order(number)
    if order.status is not OrderStatus.PENDING_PAYMENT:
        return redirect(url_for("account.order", number=number))
    line = _line(order, line_id)
    form = BookingForm()
    if not form.is_submitted():
        return _page(order, line)
    if not form.validate_on_submit():
        return _page(order, line, form=form, error=_("Please choose a time."), status=400)
    try:
        with db.session.begin_nested():
            held = bookings.hold(current_user, order, line, form.moment(), utcnow())
    except BookingError as error:
        if error.code == "not_found":
            abort(404)
        status = 409 if error.code == "full" else 400
        return _page(order, line, form=form, error=message(error), status=status)
    flash(
        _("%(time)s is kept for you; it is booked once you pay.", time=appointment(held.starts_at)),
        "success",
    )
    return redirect(url_for("checkout.pay_page", number=number))


@bp.route("/<number>/holds/<int:booking_id>/cancel", methods=["POST"])
@login_required
def release_time(number: str, booking_id: int):
    """Let a time chosen for this order go."""
    order = own_order(number)
    held = next((b for b in bookings.holds(order) if b.id == booking_id), None) or abort(404)
    if CancelForm().validate_on_submit():
        try:
            with db.session.begin_nested():
                bookings.cancel(current_user, held, utcnow())
        except BookingError as error:
            flash(message(error), "error")
        else:
            flash(_("The time is let go."), "success")
    return redirect(url_for("checkout.pay_page", number=number))
