"""A shop's managers (and its chain's admin) see the invoices owners asked for and mark
them issued with their numbers."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ....error_messages import message, message_for
from ....extensions import db
from ....models import InvoiceStatus
from ....models.types import utcnow
from ....security import page_arg
from ....services import invoices as invoice_service
from ....services import shops as shop_service
from ....services.invoices import InvoiceError
from . import bp
from .forms import IssueForm

FILTERS = {"requested": InvoiceStatus.REQUESTED, "issued": InvoiceStatus.ISSUED}


@bp.route("")
@login_required
def index():
    """The shops whose invoices the current user issues."""
    shops = shop_service.manageable_shops(current_user)
    if len(shops) == 1:
        return redirect(url_for("merchant.invoices.shop", shop_id=shops[0].id))
    return render_template("merchant/invoices/index.html", shops=shops)


def _shop_page(shop, *, failed=None, typed: str = "", errors=(), status_code: int = 200):
    shown = request.args.get("status", "")
    page = page_arg(request.args)
    rows, more = invoice_service.shop_invoices(shop, FILTERS.get(shown), page=page)
    return render_template(
        "merchant/invoices/shop.html",
        shop=shop,
        invoices=rows,
        pending=invoice_service.pending_count(shop),
        shown=shown if shown in FILTERS else "",
        page=page,
        more=more,
        failed=failed,
        typed=typed,
        errors=list(errors),
    ), status_code


@bp.route("/shops/<int:shop_id>")
@login_required
def shop(shop_id: int):
    """A shop's invoice requests: those to issue first, then those issued."""
    shop = shop_service.find_shop(current_user, shop_id, shop_service.Need.MANAGE) or abort(404)
    return _shop_page(shop)


@bp.route("/<int:invoice_id>/issue", methods=["POST"])
@login_required
def issue(invoice_id: int):
    """Mark an invoice request issued under the number the shop typed."""
    invoice = invoice_service.shop_invoice(current_user, invoice_id) or abort(404)
    back = redirect(url_for("merchant.invoices.shop", shop_id=invoice.shop_id))
    if invoice.is_issued:
        flash(message_for(InvoiceError, "already_issued"), "error")
        return back
    form = IssueForm()
    if not form.validate_on_submit():
        return _shop_page(
            invoice.shop,
            failed=invoice.id,
            typed=form.number.data or "",
            errors=form.number.errors,
            status_code=400,
        )
    try:
        with db.session.begin_nested():
            invoice_service.issue_invoice(
                current_user, invoice, number=form.number.data, now=utcnow()
            )
    except InvoiceError as error:
        if error.code == "not_found":
            abort(404)
        if error.field == "number":
            return _shop_page(
                invoice.shop,
                failed=invoice.id,
                typed=form.number.data or "",
                errors=[message(error)],
                status_code=400,
            )
        flash(message(error), "error")
        return back
    flash(
        _(
            "Invoice %(number)s of order %(order)s is recorded; the owner has been told.",
            number=invoice.invoice_number,
            order=invoice.order.number,
        ),
        "success",
    )
    return back
