from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...error_messages import message, message_for
from ...extensions import db
from ...models import AuditEntry, RefundStatus, Role, Shop, ShopStatus, User, Voucher
from ...models.types import utcnow
from ...security import page_arg, role_required
from ...services import garage, payments
from ...services import orders as order_service
from ...services import shops as shop_service
from ...services import vouchers as voucher_service
from ...services.vouchers import VoucherError
from ..merchant.dashboard.routes import platform_context
from . import audit_details, bp
from .forms import ReasonForm, RefundReasonForm
from .licence import licence_facts

PAGE_SIZE = 50


@bp.before_request
@role_required(Role.ADMIN)
def require_admin():
    """Every admin page is a 404 to anyone but an admin."""


@bp.context_processor
def licence_tools() -> dict:
    """The admin's shop pages show licence numbers checked (admin/_licence.html)."""
    return {"licence_facts": licence_facts}


@bp.route("/")
def index():
    """The operator's overview."""
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    shop_counts = dict(
        db.session.execute(select(Shop.status, func.count()).group_by(Shop.status)).all()
    )
    return render_template(
        "admin/index.html",
        counts=counts,
        roles=list(Role),
        shop_counts=shop_counts,
        shop_statuses=list(ShopStatus),
    )


@bp.route("/dashboard")
def dashboard():
    """GMV, orders, redemptions, refunds, review holds and shops by status, over time."""
    return render_template("admin/dashboard.html", **platform_context())


@bp.route("/audit")
def audit_log():
    """The audit log, newest first."""
    page = page_arg(request.args)
    entries = db.session.scalars(
        select(AuditEntry)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.id.desc())
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "admin/audit.html",
        entries=[audit_details.show(entry) for entry in entries[:PAGE_SIZE]],
        page=page,
        has_next=len(entries) > PAGE_SIZE,
    )


@bp.route("/shops")
def shops():
    """Shops by status; applications oldest first."""
    try:
        status = ShopStatus(request.args.get("status", "applied"))
    except ValueError:
        status = ShopStatus.APPLIED
    order = Shop.created_at if status is ShopStatus.APPLIED else Shop.id.desc()
    found = db.session.scalars(
        select(Shop)
        .where(Shop.status == status)
        .options(selectinload(Shop.chain))
        .order_by(order)
        .limit(200)
    ).all()
    return render_template(
        "admin/shops.html", shops=found, status=status, statuses=list(ShopStatus)
    )


@bp.route("/shops/<int:shop_id>", methods=["GET", "POST"])
def shop(shop_id: int):
    """One shop, with the decisions an admin can take on it."""
    shop = db.get_or_404(Shop, shop_id)
    form = ReasonForm()
    if request.method == "POST":
        decision = request.form.get("decision")
        try:
            with db.session.begin_nested():
                if decision == "approve":
                    shop_service.approve(current_user, shop)
                elif decision == "reinstate":
                    shop_service.reinstate(current_user, shop)
                elif decision in ("reject", "suspend"):
                    if not form.validate_on_submit():
                        return render_template("admin/shop.html", shop=shop, form=form), 200
                    action = shop_service.reject if decision == "reject" else shop_service.suspend
                    action(current_user, shop, form.reason.data)
                else:
                    abort(400)
        except shop_service.IllegalTransition as error:
            flash(message(error), "error")
        else:
            flash(_("Decision saved."), "success")
        return redirect(url_for("admin.shop", shop_id=shop.id))
    return render_template("admin/shop.html", shop=shop, form=form)


@bp.route("/orders")
def orders_lookup():
    """The newest orders, a page at a time; or those found by number or buyer's email."""
    query = request.args.get("q", "")[:254]
    page = page_arg(request.args)
    if query.strip():
        found, more = order_service.find_orders(query), False
    else:
        found, more = order_service.recent_orders(page)
    return render_template(
        "admin/orders.html", query=query.strip(), orders=found, page=page, more=more
    )


@bp.route("/orders/<number>")
def order_detail(number: str):
    """An order with its events, payments, vouchers and refunds."""
    order = order_service.by_number(number) if number.isdigit() else None
    if order is None:
        abort(404)
    issued = voucher_service.order_vouchers(order)
    return render_template(
        "admin/order.html",
        order=order,
        attempts=payments.attempts(order),
        vouchers=issued,
        refunds=voucher_service.refunds_by_voucher([v.id for v in issued]),
        form=RefundReasonForm(),
    )


@bp.route("/vouchers/<int:voucher_id>/refund", methods=["POST"])
def refund_voucher(voucher_id: int):
    """Refund a voucher for a stated reason, whatever the listing's refund policy."""
    voucher = db.session.get(Voucher, voucher_id)
    if voucher is None:
        abort(404)
    form = RefundReasonForm()
    back = url_for("admin.order_detail", number=voucher.order.number)
    if not form.validate_on_submit():
        for error in form.reason.errors or [_("The form has expired. Please try again.")]:
            flash(error, "error")
        return redirect(back)
    existing = voucher_service.refunds_by_voucher([voucher.id]).get(voucher.id)
    if existing is not None and existing.status is not RefundStatus.SUCCEEDED:
        refund = existing
    else:
        try:
            with db.session.begin_nested():
                refund = voucher_service.request_refund(
                    current_user, voucher, reason="admin", note=form.reason.data
                )
        except VoucherError as error:
            flash(message(error), "error")
            return redirect(back)
    outcome = voucher_service.execute_refund(refund, utcnow())  # the request is on record first
    if outcome == "succeeded":
        flash(_("The voucher was refunded."), "success")
    elif outcome == "busy":
        flash(message_for(VoucherError, "status_refund_requested"), "error")
    else:
        flash(
            _("Stripe could not make the refund: %(message)s", message=refund.failure_message),
            "error",
        )
    return redirect(back)


@bp.route("/unlisted-cars")
def unlisted_cars():
    """The cars owners had to describe themselves, the most entered first."""
    return render_template("admin/unlisted_cars.html", rows=garage.most_entered_unlisted())
