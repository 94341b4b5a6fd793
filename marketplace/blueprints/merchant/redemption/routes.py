"""Shop staff redeem vouchers; shops see their redemptions and earnings."""

import csv
import io
import secrets
from datetime import date, timedelta

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from limits import parse

from ....error_messages import message, message_for
from ....extensions import db, limiter
from ....i18n import lazy_gettext as _l
from ....models import Redemption, Shop
from ....models.types import utcnow
from ....security import parse_id
from ....services import audit, bookings, ledger, redemption
from ....services import shops as shop_service
from ....services.redemption import RedemptionError
from ....services.stripe_gateway import GatewayError
from ....timeutil import local_midnight, local_today, local_zone
from . import bp
from .forms import CodeForm, PayoutAccountForm, RedeemForm, UndoForm

PERIODS = {
    "today": _l("Today"),
    "7d": _l("Last 7 days"),
    "30d": _l("Last 30 days"),
    "month": _l("This month"),
    "all": _l("All"),
}


@bp.before_request
@login_required
def require_login():
    """Redemption is for signed-in shop staff (and admins)."""


def _acting_shops() -> list[Shop]:
    shops = redemption.redeeming_shops(current_user)
    if not shops:
        abort(404)
    return shops


def _pick_shop(shops: list[Shop], shop_id) -> Shop | None:
    """The outlet the form names (one of the user's, else 404); without one, the user's own
    shop, or the only one; None when a chain admin must choose."""
    try:
        wanted = int(shop_id)
    except (TypeError, ValueError):
        wanted = None
    if wanted is not None:
        for shop in shops:
            if shop.id == wanted:
                return shop
        abort(404)
    if len(shops) == 1:
        return shops[0]
    member = shop_service.staff_membership(current_user)
    return next((s for s in shops if member is not None and s.id == member.shop_id), None)


def _wrong_code_limit():
    return parse(current_app.config["REDEEM_WRONG_CODE_LIMIT"])


def _limit_keys(shop: Shop):
    return (("redeem-wrong-staff", str(current_user.id)), ("redeem-wrong-shop", str(shop.id)))


def _over_limit(shop: Shop) -> bool:
    if not limiter.enabled:
        return False
    item = _wrong_code_limit()
    return not all(limiter.limiter.test(item, *key) for key in _limit_keys(shop))


def _count_wrong_code(shop: Shop, raw: str, why: str) -> None:
    if limiter.enabled:
        item = _wrong_code_limit()
        for key in _limit_keys(shop):
            limiter.limiter.hit(item, *key)
    shown = "".join(ch for ch in raw if ch.isdigit())[:12]
    masked = shown[:4] + "*" * max(len(shown) - 4, 0)
    current_app.logger.warning(
        "wrong voucher code at shop %s by user %s: %s (%s)", shop.id, current_user.id, masked, why
    )
    audit.record(current_user, "voucher.wrong_code", shop, code=masked, reason=why)


def _too_many() -> Response:
    message = _(
        "Too many wrong codes in a short time. For the customers' safety, please wait a minute "
        "before trying again."
    )
    return Response(
        render_template("merchant/redemption/limited.html", message=message), status=429
    )


@bp.route("/redeem", methods=["GET", "POST"])
def redeem():
    """Look a voucher up by its code (typed, or scanned from the customer's QR)."""
    shops = _acting_shops()
    form = CodeForm()
    form.shop.choices = [(s.id, s.display_name) for s in shops]
    if request.method == "GET":
        return render_template("merchant/redemption/redeem.html", form=form, shops=shops)
    if not form.validate_on_submit():
        return render_template("merchant/redemption/redeem.html", form=form, shops=shops)
    shop = _pick_shop(shops, form.shop.data)
    if shop is None:
        form.shop.errors.append(_("Please choose the outlet."))
        return render_template("merchant/redemption/redeem.html", form=form, shops=shops), 422
    if _over_limit(shop):
        return _too_many()
    try:
        voucher = redemption.find(shop, form.code.data)
    except RedemptionError as error:
        _count_wrong_code(shop, form.code.data, error.code)
        form.code.errors.append(message(error))
        return render_template("merchant/redemption/redeem.html", form=form, shops=shops), 422
    confirm = RedeemForm(
        formdata=None, shop=shop.id, code=voucher.code, request_id=secrets.token_hex(16)
    )
    return _voucher_page(voucher, shop, confirm)


def _voucher_page(voucher, shop: Shop, confirm: RedeemForm, status: int = 200):
    """What the voucher is, and the confirmation form unless something blocks it."""
    blocker = redemption.blocker(voucher, utcnow())
    return render_template(
        "merchant/redemption/voucher.html",
        voucher=voucher,
        shop=shop,
        confirm=confirm,
        blocker=blocker,
        last_km=redemption.last_known_km(voucher),
        booking=bookings.booking_of_voucher_for_desk(voucher),
        blocker_message=message_for(RedemptionError, blocker) if blocker else "",
    ), status


@bp.route("/redeem/confirm", methods=["POST"])
def confirm():
    """Redeem the voucher looked up, exactly once."""
    shops = _acting_shops()
    form = RedeemForm()
    shop = _pick_shop(shops, form.shop.data)
    if shop is None:
        abort(404)
    if not form.validate_on_submit():
        voucher = _voucher_or_none(shop, form.code.data) if form.odometer.errors else None
        if voucher is not None and form.request_id.data:
            return _voucher_page(voucher, shop, form, 422)
        flash(message_for(RedemptionError, "stale_form"), "error")
        return redirect(url_for("merchant.redemption.redeem"))
    if _over_limit(shop):
        return _too_many()
    now = utcnow()
    try:
        with db.session.begin_nested():
            outcome = redemption.redeem(
                current_user,
                shop,
                form.code.data,
                request_id=form.request_id.data,
                odometer_km=getattr(form.odometer, "km", None),
                now=now,
                today=local_today(),
            )
    except RedemptionError as error:
        earlier = redemption.by_request(form.request_id.data)
        if earlier is not None and earlier.staff_id == current_user.id:
            return redirect(url_for("merchant.redemption.receipt", redemption_id=earlier.id))
        if error.is_wrong_code:
            _count_wrong_code(shop, form.code.data, error.code)
        flash(message(error), "error")
        return redirect(url_for("merchant.redemption.redeem"))
    if not outcome.replayed:
        flash(_("Redeemed. The customer's voucher now shows it as used."), "success")
    return redirect(url_for("merchant.redemption.receipt", redemption_id=outcome.redemption.id))


def _voucher_or_none(shop, code):
    try:
        return redemption.find(shop, code)
    except RedemptionError:
        return None


def _own_redemption(redemption_id: int) -> Redemption:
    found = redemption.shop_redemption(current_user, redemption_id)
    if found is None:
        abort(404)
    return found


@bp.route("/redemptions/<int:redemption_id>")
def receipt(redemption_id: int):
    """One redemption: what was served, and the undo while it is allowed."""
    found = _own_redemption(redemption_id)
    now = utcnow()
    return render_template(
        "merchant/redemption/receipt.html",
        redemption=found,
        voucher=found.voucher,
        booking=bookings.booking_of_voucher_for_desk(found.voucher),
        can_undo=redemption.can_undo(current_user, found, now),
        undo_until=found.redeemed_at + redemption.UNDO_WINDOW,
        form=UndoForm(),
    )


@bp.route("/redemptions/<int:redemption_id>/undo", methods=["POST"])
def undo(redemption_id: int):
    """撤销核销: the shop within an hour, an admin at any time."""
    found = _own_redemption(redemption_id)
    form = UndoForm()
    if not form.validate_on_submit():
        for error in form.reason.errors or [_("The form has expired. Please try again.")]:
            flash(error, "error")
        return redirect(url_for("merchant.redemption.receipt", redemption_id=found.id))
    try:
        with db.session.begin_nested():
            redemption.undo(current_user, found, reason=form.reason.data, now=utcnow())
    except RedemptionError as error:
        flash(message(error), "error")
        return redirect(url_for("merchant.redemption.receipt", redemption_id=found.id))
    flash(_("The redemption was undone; the voucher can be used again."), "success")
    return redirect(url_for("merchant.redemption.receipt", redemption_id=found.id))


# --- the shop's records -----------------------------------------------------------------------


def _viewable_shop(shop_id: int, manage: bool = False) -> Shop:
    """A shop whose records the user may read (its staff, managers, chain, platform admins)."""
    need = shop_service.Need.MANAGE_OR_ADMIN if manage else shop_service.Need.VIEW_OR_ADMIN
    return shop_service.find_shop(current_user, shop_id, need) or abort(404)


EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(9998, 12, 31)  # room for a day's arithmetic


def _date_arg(name: str) -> date | None:
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return day if EARLIEST_DAY <= day <= LATEST_DAY else None


def _period_bounds():
    """The period asked for in the query string, as aware datetimes [start, end)."""
    today = local_today()
    start_day, end_day = _date_arg("from"), _date_arg("to")
    period = request.args.get("period", "" if (start_day or end_day) else "today")
    if period == "today":
        start_day, end_day = today, today
    elif period == "7d":
        start_day, end_day = today - timedelta(days=6), today
    elif period == "30d":
        start_day, end_day = today - timedelta(days=29), today
    elif period == "month":
        start_day, end_day = today.replace(day=1), today
    elif period == "all":
        start_day = end_day = None
    start = local_midnight(start_day) if start_day else None
    end = local_midnight(end_day + timedelta(days=1)) if end_day else None
    return period, start_day, end_day, start, end


FILTER_ARGS = ("period", "from", "to", "listing", "staff")


def _int_arg(name: str) -> int | None:
    return parse_id(request.args.get(name))


@bp.route("/shops/<int:shop_id>/redemptions")
def redemptions(shop_id: int):
    """The shop's redemptions: today, by period, by listing, by staff member; CSV too."""
    shop = _viewable_shop(shop_id)
    period, start_day, end_day, start, end = _period_bounds()
    listing_id, staff_id = _int_arg("listing"), _int_arg("staff")
    rows = redemption.list_redemptions(
        shop, start=start, end=end, listing_id=listing_id, staff_id=staff_id
    )
    if request.args.get("format") == "csv":
        return _csv(
            f"redemptions-{shop.id}.csv",
            [
                _("Redeemed at"),
                _("Voucher code"),
                _("Listing"),
                _("Price (fen)"),
                _("Staff"),
                _("Odometer (km)"),
                _("Undone at"),
                _("Undo reason"),
            ],
            [
                [
                    r.redeemed_at.isoformat(),
                    r.voucher.code,
                    r.voucher.line.title,
                    r.voucher.price_fen,
                    r.staff.display_name,
                    "" if r.odometer_km is None else r.odometer_km,
                    r.undone_at.isoformat() if r.undone_at else "",
                    r.undo_reason,
                ]
                for r in rows
            ],
        )
    in_force = [r for r in rows if r.undone_at is None]
    return render_template(
        "merchant/redemption/list.html",
        shop=shop,
        rows=rows,
        count=len(in_force),
        total_fen=sum(r.voucher.price_fen for r in in_force),
        periods=PERIODS,
        period=period,
        start_day=start_day,
        end_day=end_day,
        listing_id=listing_id,
        staff_id=staff_id,
        listings=redemption.shop_listings(shop),
        staff=redemption.shop_staff(shop),
        # only the filters go into the CSV link (not shop_id, format, _external, _scheme...)
        filters={k: v for k, v in request.args.items() if k in FILTER_ARGS},
    )


def _csv(filename: str, header: list[str], rows: list[list]) -> Response:
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read the Chinese text as UTF-8
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_safe(v) for v in row])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _csv_safe(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@bp.route("/shops/<int:shop_id>/earnings")
def earnings(shop_id: int):
    """Pending, payable and paid earnings that add up to the entries; the payouts."""
    shop = _viewable_shop(shop_id, manage=True)
    now = utcnow()
    return render_template(
        "merchant/redemption/earnings.html",
        shop=shop,
        balances=ledger.balances(shop, now),
        entries=ledger.entries(shop, limit=200),
        entry_count=ledger.entry_count(shop),
        payouts=ledger.payouts(shop),
        months=ledger.statement_months(shop, local_zone(), local_today()),
        now=now,
    )


@bp.route("/shops/<int:shop_id>/earnings/statement.csv")
def statement(shop_id: int):
    """A month's ledger entries as CSV (?month=YYYY-MM, the marketplace's time zone)."""
    shop = _viewable_shop(shop_id, manage=True)
    try:
        first = date.fromisoformat(request.args.get("month", "") + "-01")
    except ValueError:
        abort(400)
    if not EARLIEST_DAY <= first <= LATEST_DAY:
        abort(400)
    following = (first + timedelta(days=32)).replace(day=1)
    rows = sorted(
        ledger.entries(shop, start=local_midnight(first), end=local_midnight(following)),
        key=lambda e: (e.created_at, e.id),
    )
    return _csv(
        f"statement-{shop.id}-{first:%Y-%m}.csv",
        [
            _("Date"),
            _("Entry"),
            _("Kind"),
            _("Order"),
            _("Voucher code"),
            _("Price (fen)"),
            _("Commission (bp)"),
            _("Commission (fen)"),
            _("Amount (fen)"),
            _("Status"),
            _("Payout"),
        ],
        [
            [
                e.created_at.isoformat(),
                e.id,
                e.kind.value,
                e.order.number,
                e.voucher.code,
                e.gross_fen,
                e.commission_bps,
                e.commission_fen,
                e.amount_fen,
                e.status.value,
                f"PO{e.payout_id:08d}" if e.payout_id else "",
            ]
            for e in rows
        ],
    )


@bp.route("/shops/<int:shop_id>/payout-account", methods=["POST"])
def payout_account(shop_id: int):
    """An admin gives the shop a Stripe Connect account for its payouts."""
    if not current_user.is_admin:
        abort(404)
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        abort(404)
    form = PayoutAccountForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(url_for("admin.shop", shop_id=shop.id))
    try:
        with db.session.begin_nested():
            ledger.connect_account(current_user, shop, current_app.config["STRIPE_CONNECT_COUNTRY"])
    except GatewayError as error:
        flash(
            _("The payment service is not answering: %(message)s", message=error.message), "error"
        )
    else:
        flash(_("The shop's payout account is ready."), "success")
    return redirect(url_for("admin.shop", shop_id=shop.id))
