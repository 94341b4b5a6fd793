import segno
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from markupsafe import Markup

from ...error_messages import message, message_for
from ...extensions import db
from ...i18n import money
from ...models import AttemptStatus, OrderStatus, RefundStatus
from ...models.types import utcnow
from ...services import accounts, bookings, invoices, orders, payments, vouchers
from ...services.invoices import InvoiceError
from ...services.vouchers import VoucherError
from . import bp
from .forms import InvoiceForm, PasswordChangeForm, RefundForm, RefundRequestForm


@bp.route("/")
@login_required
def index():
    """The owner's account overview."""
    return render_template("account/index.html")


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change the password; other sessions of this account are signed out."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                accounts.change_password(current_user, form.current.data, form.new.data)
        except accounts.AccountError as error:
            form.current.errors.append(message(error))
        else:
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("account.index"))
    return render_template("account/password.html", form=form)


@bp.route("/orders")
@login_required
def order_list():
    """The owner's orders, newest first."""
    return render_template("account/orders.html", orders=orders.owner_orders(current_user))


@bp.route("/orders/<number>")
@login_required
def order(number: str):
    """One order: lines, payment state, vouchers with their codes, refunds and events.

    While a payment is confirmed but not yet reported by Stripe's webhook the page says so
    and refreshes itself; after a few seconds it asks Stripe directly."""
    found = orders.owner_order(current_user, number) if number.isdigit() else None
    if found is None:
        abort(404)
    last = payments.latest_attempt(found)
    processing = (
        found.status is OrderStatus.PENDING_PAYMENT
        and last is not None
        and last.status
        in (AttemptStatus.PROCESSING, AttemptStatus.SUCCEEDED, AttemptStatus.UNKNOWN)
    )
    if processing and payments.stale(last, utcnow()):
        payments.try_sync(last, utcnow())
        processing = found.status is OrderStatus.PENDING_PAYMENT
    issued = vouchers.owner_vouchers(current_user, found)
    requested = invoices.invoices_for_order(found)
    return render_template(
        "account/order.html",
        order=found,
        last=last,
        processing=processing,
        vouchers=issued,
        refunds=vouchers.refunds_by_voucher([v.id for v in issued]),
        booked=bookings.bookings_for_vouchers([v.id for v in issued]),
        qr=_qr_codes(issued),
        refund_form=RefundForm(),
        invoices=requested,
        invoice_action=invoices.owner_action(found, requested),
    )


def _qr_codes(items) -> dict[int, Markup]:
    return {
        # S704: the SVG is segno's output for a code of twelve digits we generated
        v.id: Markup(segno.make(v.code, error="m").svg_inline(scale=4, border=2))  # noqa: S704
        for v in items
        if v.status.value == "issued"
    }


@bp.route("/vouchers")
@login_required
def voucher_list():
    """All the owner's vouchers: codes and QR codes to show at the shop."""
    mine = vouchers.owner_vouchers(current_user)
    return render_template(
        "account/vouchers.html",
        vouchers=mine,
        refunds=vouchers.refunds_by_voucher([v.id for v in mine]),
        booked=bookings.bookings_for_vouchers([v.id for v in mine]),
        qr=_qr_codes(mine),
        refund_form=RefundForm(),
    )


@bp.route("/vouchers/<int:voucher_id>/code")
@login_required
def voucher_code(voucher_id: int):
    """The voucher's QR code and number, as large as the screen, to show at the counter."""
    voucher = vouchers.owner_voucher(current_user, voucher_id)
    if voucher is None:
        abort(404)
    return render_template("account/voucher_code.html", voucher=voucher, qr=_qr_codes([voucher]))


@bp.route("/vouchers/<int:voucher_id>/refund", methods=["GET", "POST"])
@login_required
def refund_voucher(voucher_id: int):
    """Refund one unused voucher, once the owner said why and confirmed; pressing twice
    refunds once, and a refund Stripe could not make is tried again."""
    voucher = vouchers.owner_voucher(current_user, voucher_id)
    if voucher is None:
        abort(404)
    back = redirect(url_for("account.order", number=voucher.order.number))
    existing = vouchers.refunds_by_voucher([voucher.id]).get(voucher.id)
    if existing is not None and existing.status is not RefundStatus.SUCCEEDED:
        if not RefundForm().validate_on_submit():
            return back
        refund = existing  # the owner retries a refund Stripe could not make
    else:
        form = RefundRequestForm()
        if not form.validate_on_submit():
            status = 400 if form.is_submitted() else 200
            return render_template("account/refund.html", voucher=voucher, form=form), status
        try:
            with db.session.begin_nested():
                refund = vouchers.request_refund(
                    current_user,
                    voucher,
                    reason="requested_by_owner",
                    owner_reason=form.reason.data,
                    note=form.text.data or "",
                )
        except VoucherError as error:
            flash(message(error), "error")
            return back
    outcome = vouchers.execute_refund(refund, utcnow())  # the request is on record first
    if outcome == "succeeded":
        flash(_("Refunded %(amount)s to your card.", amount=money(refund.amount_fen)), "success")
    elif outcome == "busy":
        flash(message_for(VoucherError, "status_refund_requested"), "error")
    else:
        flash(
            _("The refund could not be made just now; we keep trying, or press refund again."),
            "error",
        )
    return back


@bp.route("/orders/<number>/invoice", methods=["GET", "POST"])
@login_required
def invoice(number: str):
    """Ask the order's shops for an invoice, or change its details while none is issued."""
    found = orders.owner_order(current_user, number) if number.isdigit() else None
    if found is None:
        abort(404)
    requested = invoices.invoices_for_order(found)
    back = redirect(url_for("account.order", number=found.number))
    refused = invoices.refusal(found, requested)
    if refused is not None:
        flash(message_for(InvoiceError, refused), "error")
        return back
    action = invoices.owner_action(found, requested)
    form = InvoiceForm()
    if request.method == "GET" and requested:
        current = requested[0]
        form.title_kind.data = current.title_kind.value
        form.title.data = current.title
        form.tax_id.data = current.tax_id or ""
        form.email.data = current.email or ""
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                invoices.request_invoice(
                    current_user,
                    found,
                    title_kind=form.title_kind.data,
                    title=form.title.data,
                    tax_id=form.tax_id.data,
                    email=form.email.data,
                    now=utcnow(),
                )
        except InvoiceError as error:
            field = getattr(form, error.field, None) if error.field else None
            if field is not None:
                field.errors = [*field.errors, message(error)]
            else:
                flash(message(error), "error")
                return back
        else:
            if action == "change":
                flash(_("Your invoice details are changed."), "success")
            else:
                flash(
                    _("Your invoice request is sent; you will be told when it is issued."),
                    "success",
                )
            return back
    status = 400 if form.errors else 200
    return render_template(
        "account/invoice.html", order=found, form=form, invoices=requested, action=action
    ), status
