"""The owner books a time at the shop for an unused voucher, changes it or cancels it."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...error_messages import message
from ...extensions import db
from ...forms import BookingForm, day_arg
from ...i18n import appointment
from ...models import Shop
from ...models.types import utcnow
from ...services import bookings, vouchers
from ...services.bookings import BookingError
from . import bp
from .forms import ButtonForm


def _page(voucher, *, form=None, error: str | None = None, status: int = 200):
    now = utcnow()
    shop = db.session.get(Shop, voucher.shop_id)
    current = bookings.open_booking(voucher)
    blocker = bookings.voucher_blocker(voucher, now)
    choice = None
    if blocker is None and (current is None or bookings.changeable(current, now)):
        choice = bookings.choices(
            shop,
            bookings.category_of(voucher.line),
            now,
            day=day_arg(request.args),
            until=voucher.expires_at,
            ignoring=current,
        )
    return render_template(
        "account/booking.html",
        voucher=voucher,
        shop=shop,
        current=current,
        latest=current or bookings.latest_booking(voucher),
        deadline=bookings.change_deadline(current) if current else None,
        changeable=current is not None and bookings.changeable(current, now),
        blocker=message(BookingError(blocker)) if blocker else None,
        choice=choice,
        form=form or BookingForm(),
        cancel_form=ButtonForm(),
        error=error,
    ), status


@bp.route("/vouchers/<int:voucher_id>/booking", methods=["GET", "POST"])
@login_required
def booking(voucher_id: int):
    """Choose a day and a free time for the voucher (the first free time offered first)."""
    voucher = vouchers.owner_voucher(current_user, voucher_id) or abort(404)
    form = BookingForm()
    if not form.is_submitted():
        return _page(voucher)
    if not form.validate_on_submit():
        return _page(voucher, form=form, error=_("Please choose a time."), status=400)
    try:
        with db.session.begin_nested():
            made = bookings.book_voucher(current_user, voucher, form.moment(), utcnow())
    except BookingError as error:
        if error.code == "not_found":
            abort(404)
        return _page(
            voucher, form=form, error=message(error), status=409 if error.code == "full" else 400
        )
    flash(
        _(
            "Booked: %(time)s at %(shop)s.",
            time=appointment(made.starts_at),
            shop=voucher.line.shop_name,
        ),
        "success",
    )
    return redirect(url_for("account.booking", voucher_id=voucher.id))


@bp.route("/vouchers/<int:voucher_id>/booking/cancel", methods=["POST"])
@login_required
def cancel_booking(voucher_id: int):
    """Cancel the voucher's booking (until the shop's limit); the voucher stays usable."""
    voucher = vouchers.owner_voucher(current_user, voucher_id) or abort(404)
    back = redirect(url_for("account.booking", voucher_id=voucher.id))
    if not ButtonForm().validate_on_submit():
        return back
    current = bookings.open_booking(voucher)
    if current is None:
        flash(message(BookingError("illegal_move")), "error")
        return back
    try:
        with db.session.begin_nested():
            bookings.cancel(current_user, current, utcnow())
    except BookingError as error:
        flash(message(error), "error")
        return back
    flash(_("Your booking is cancelled; the voucher is still yours."), "success")
    return back
