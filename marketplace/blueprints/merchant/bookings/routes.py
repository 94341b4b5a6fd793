"""The shop's side of bookings: its managers set when and how it takes them; its staff see
the day per bay, mark who came and who did not; its managers cancel, saying why."""

from datetime import date, timedelta
from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ....error_messages import message
from ....extensions import db
from ....i18n import appointment
from ....models import Booking, Category, Shop
from ....models.bookings import (
    MAX_BAYS,
    MAX_CHANGE_HOURS,
    MAX_DAYS_AHEAD,
    MAX_SLOT_MINUTES,
    MIN_SLOT_MINUTES,
)
from ....models.types import utcnow
from ....services import bookings as booking_service
from ....services import shops as shop_service
from ....services.bookings import (
    DEFAULT_SLOT_MINUTES,
    MAX_CLOSED_RANGE_DAYS,
    SLOT_STEP_MINUTES,
    BookingError,
)
from ....timeutil import local_today
from . import bp
from .forms import CancelForm, ClosedDaysForm, SettingsForm

EARLIEST_DAY, LATEST_DAY = date(1970, 1, 2), date(9998, 12, 30)  # room for a day's arithmetic
LIMITS = SimpleNamespace(
    bays=MAX_BAYS,
    days_ahead=MAX_DAYS_AHEAD,
    change_hours=MAX_CHANGE_HOURS,
    min_slot=MIN_SLOT_MINUTES,
    max_slot=MAX_SLOT_MINUTES,
    step=SLOT_STEP_MINUTES,
    closed_range=MAX_CLOSED_RANGE_DAYS,
)
RULE_FIELDS = ("bays", "days_ahead", "change_hours", *(f"slot_{c}" for c in Category))


def _shop(shop_id: int, need: shop_service.Need) -> Shop:
    """A shop the current user has `need` for; anyone else's (or none) is a 404."""
    return shop_service.find_shop(current_user, shop_id, need) or abort(404)


def _booking(booking_id: int, need: shop_service.Need) -> Booking:
    return booking_service.shop_booking(current_user, booking_id, need) or abort(404)


def _day_of(booking: Booking) -> date:
    return booking_service.local_day(booking.starts_at)


def _back_to(booking: Booking):
    return redirect(
        url_for(
            "merchant.bookings.day",
            shop_id=booking.shop_id,
            day=_day_of(booking).isoformat(),
            _anchor=f"booking-{booking.id}",
        )
    )


@bp.route("")
@login_required
def index():
    """The shops whose bookings the current user sees (straight to the only one)."""
    shops = shop_service.visible_shops(current_user)
    if len(shops) == 1:
        return redirect(url_for("merchant.bookings.day", shop_id=shops[0].id))
    return render_template("merchant/bookings/index.html", shops=shops)


# --- the day at the counter ----------------------------------------------------------------


def _day_arg(today: date) -> date:
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return today
    return day if EARLIEST_DAY <= day <= LATEST_DAY else today


def _day_page(shop: Shop, day: date, *, failed=None, typed="", errors=(), status_code=200):
    today = local_today()
    closed = booking_service.closed_days(shop, day, day)
    return render_template(
        "merchant/bookings/day.html",
        shop=shop,
        view=booking_service.day_view(shop, day),
        closed_note=closed[0].note if closed else None,
        today=today,
        tomorrow=today + timedelta(days=1),
        now=utcnow(),
        prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        manager=shop_service.can_manage(current_user, shop),
        failed=failed,
        typed=typed,
        errors=list(errors),
    ), status_code


@bp.route("/shops/<int:shop_id>")
@login_required
def day(shop_id: int):
    """One day's bookings per bay (?day=YYYY-MM-DD, today by default)."""
    shop = _shop(shop_id, shop_service.Need.VIEW)
    return _day_page(shop, _day_arg(local_today()))


def _move(booking_id: int, change, done):
    """Mark a booking (arrived, no-show) and go back to its day, saying what happened."""
    booking = _booking(booking_id, shop_service.Need.VIEW)
    try:
        with db.session.begin_nested():
            change(current_user, booking, utcnow())
    except BookingError as error:
        flash(message(error), "error")
        return _back_to(booking)
    flash(done(booking), "success")
    return _back_to(booking)


def _what(booking: Booking) -> dict:
    return {"title": booking.line.title, "time": appointment(booking.starts_at), "bay": booking.bay}


@bp.route("/<int:booking_id>/arrived", methods=["POST"])
@login_required
def arrived(booking_id: int):
    """到店: the owner has come in."""
    return _move(
        booking_id,
        booking_service.mark_arrived,
        lambda b: _("Arrived: %(title)s, %(time)s, bay %(bay)s.", **_what(b)),
    )


@bp.route("/<int:booking_id>/no-show", methods=["POST"])
@login_required
def no_show(booking_id: int):
    """未到店: the owner did not come; the bay is free again."""
    return _move(
        booking_id,
        booking_service.mark_no_show,
        lambda b: _(
            "Did not come: %(title)s, %(time)s, bay %(bay)s. The bay is free again.", **_what(b)
        ),
    )


@bp.route("/<int:booking_id>/cancel", methods=["POST"])
@login_required
def cancel(booking_id: int):
    """The shop cancels a booking with a reason; the owner is told and may book again."""
    booking = _booking(booking_id, shop_service.Need.MANAGE)
    form = CancelForm()
    typed = form.reason.data or ""
    if not form.validate_on_submit():
        return _day_page(
            booking.shop,
            _day_of(booking),
            failed=booking.id,
            typed=typed,
            errors=form.reason.errors,
            status_code=400,
        )
    try:
        with db.session.begin_nested():
            booking_service.shop_cancel(current_user, booking, form.reason.data, utcnow())
    except BookingError as error:
        if error.field == "reason":
            return _day_page(
                booking.shop,
                _day_of(booking),
                failed=booking.id,
                typed=typed,
                errors=[message(error)],
                status_code=400,
            )
        flash(message(error), "error")
        return _back_to(booking)
    flash(
        _(
            "The booking of %(time)s was cancelled; the owner has been told why and may "
            "book again.",
            time=appointment(booking.starts_at),
        ),
        "success",
    )
    return _back_to(booking)


# --- the shop's settings -------------------------------------------------------------------


def _current(shop: Shop) -> dict:
    """The form's values: the shop's hours and rules (the default slot lengths where it set
    none)."""
    rules = booking_service.rules_of(shop)
    week = booking_service.week_of(shop)
    data = {
        "days": [
            {
                "open": d in week,
                "opens": week.get(d, (None, None))[0],
                "closes": week.get(d, (None, None))[1],
            }
            for d in range(7)
        ],
        "bays": rules.bays,
        "days_ahead": rules.days_ahead,
        "change_hours": rules.change_hours,
    }
    for category in Category:
        data[f"slot_{category}"] = (
            rules.slot_minutes.get(str(category)) or (DEFAULT_SLOT_MINUTES[category])
        )
    return data


def _settings_page(shop: Shop, *, form=None, closed_form=None, status_code=200):
    today = local_today()
    return render_template(
        "merchant/bookings/settings.html",
        shop=shop,
        form=form or SettingsForm(formdata=None, data=_current(shop)),
        closed_form=closed_form or ClosedDaysForm(formdata=None),
        closed=booking_service.closed_days(shop, today, date.max),
        today=today,
        defaults=DEFAULT_SLOT_MINUTES,
        limits=LIMITS,
    ), status_code


class _Refused(Exception):
    """Some part of the settings was refused: undo the rest too."""


def _field_of(form: SettingsForm, name: str | None):
    """The form field a service's `field` names: a rule, or `day<n>` (its closing time)."""
    if name in RULE_FIELDS:
        return form[name]
    if name and name.startswith("day") and name[3:].isdigit() and int(name[3:]) < 7:
        return form.days[int(name[3:])].form.closes
    return None


def _save_settings(shop: Shop, form: SettingsForm) -> bool:
    """Save the week and the rules in one savepoint; each refusal goes onto its field."""
    changes = (
        lambda: booking_service.save_week(current_user, shop, form.week),
        lambda: booking_service.save_rules(
            current_user,
            shop,
            bays=form.bays.data,
            days_ahead=form.days_ahead.data,
            change_hours=form.change_hours.data,
            slot_minutes=form.slot_minutes,
        ),
    )
    refused = False
    try:
        with db.session.begin_nested():
            for change in changes:
                try:
                    with db.session.begin_nested():
                        change()
                except BookingError as error:
                    refused = True
                    target = _field_of(form, error.field)
                    if target is None:
                        flash(message(error), "error")
                    else:
                        target.errors.append(message(error))
            if refused:
                raise _Refused
    except _Refused:
        return False
    return True


@bp.route("/shops/<int:shop_id>/settings", methods=["GET", "POST"])
@login_required
def settings(shop_id: int):
    """Opening hours, bays, how far ahead, until when owners may change, slot lengths, and
    the closed days."""
    shop = _shop(shop_id, shop_service.Need.MANAGE)
    if request.method == "GET":
        return _settings_page(shop)
    form = SettingsForm()
    if form.validate_on_submit() and _save_settings(shop, form):
        flash(_("Booking settings saved."), "success")
        return redirect(url_for("merchant.bookings.settings", shop_id=shop.id))
    return _settings_page(shop, form=form, status_code=400)


@bp.route("/shops/<int:shop_id>/closed-days", methods=["POST"])
@login_required
def add_closed_days(shop_id: int):
    """Close the shop on a day or a run of days (days with bookings are refused)."""
    shop = _shop(shop_id, shop_service.Need.MANAGE)
    form = ClosedDaysForm()
    if not form.validate_on_submit():
        return _settings_page(shop, closed_form=form, status_code=400)
    try:
        with db.session.begin_nested():
            made = booking_service.add_closed_days(
                current_user,
                shop,
                form.first.data,
                form.last.data,
                form.note.data or "",
                local_today(),
            )
    except BookingError as error:
        target = getattr(form, error.field or "", None)
        if target is None:
            flash(message(error), "error")
        else:
            target.errors.append(message(error))
        return _settings_page(shop, closed_form=form, status_code=400)
    if made:
        flash(_("Closed days added: %(count)s.", count=len(made)), "success")
    else:
        flash(_("Those days were already closed."), "info")
    return redirect(url_for("merchant.bookings.settings", shop_id=shop.id, _anchor="closed-days"))


@bp.route("/shops/<int:shop_id>/closed-days/<int:closed_day_id>/remove", methods=["POST"])
@login_required
def remove_closed_day(shop_id: int, closed_day_id: int):
    """Open a closed day again."""
    shop = _shop(shop_id, shop_service.Need.MANAGE)
    try:
        with db.session.begin_nested():
            booking_service.remove_closed_day(current_user, shop, closed_day_id)
    except BookingError as error:
        if error.code == "not_found":
            abort(404)
        raise
    flash(_("The closed day was removed: owners can book that day again."), "success")
    return redirect(url_for("merchant.bookings.settings", shop_id=shop.id, _anchor="closed-days"))
