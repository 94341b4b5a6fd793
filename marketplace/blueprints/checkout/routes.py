from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...error_messages import message
from ...extensions import csrf
from ...models import AttemptStatus, OrderStatus
from ...models.types import utcnow
from ...services import orders, payments, stripe_gateway
from ...services.orders import OrderError
from . import bp
from .forms import CancelForm, PayForm


def _own_order(number: str):
    order = orders.owner_order(current_user, number) if number.isdigit() else None
    if order is None:
        abort(404)
    return order


@bp.route("/<number>")
@login_required
def pay_page(number: str):
    """The card form for a pending order."""
    order = _own_order(number)
    if order.status is not OrderStatus.PENDING_PAYMENT:
        return redirect(url_for("account.order", number=number))
    last = payments.latest_attempt(order)
    if last is not None and last.status in (
        AttemptStatus.PROCESSING,
        AttemptStatus.SUCCEEDED,
        AttemptStatus.UNKNOWN,
    ):
        return redirect(url_for("account.order", number=number))
    return render_template(
        "checkout/pay.html", order=order, form=PayForm(), cancel_form=CancelForm(), last=last
    )


@bp.route("/<number>/pay", methods=["POST"])
@login_required
def pay(number: str):
    """Charge the tokenized card: the attempt is saved first, then Stripe is asked."""
    order = _own_order(number)
    form = PayForm()
    if not form.validate_on_submit():
        for error in form.token.errors or [_("The form has expired. Please try again.")]:
            flash(error, "error")
        return redirect(url_for("checkout.pay_page", number=number))
    now = utcnow()
    try:
        attempt = payments.begin_attempt(current_user, order, now)
    except OrderError as error:  # what Stripe said of the previous attempt is kept
        flash(message(error), "error")
        return redirect(url_for("account.order", number=number))
    except stripe_gateway.GatewayError as error:
        flash(
            _("The payment service is not answering: %(message)s", message=error.message), "error"
        )
        return redirect(url_for("checkout.pay_page", number=number))
    state = payments.pay_with_card(current_user, attempt, form.token.data)
    if attempt.status is AttemptStatus.UNKNOWN:
        flash(
            _(
                "The payment service did not answer. We are checking with it whether your "
                "payment went through; you will not be charged twice."
            ),
            "error",
        )
        return redirect(url_for("account.order", number=number))
    if attempt.status is AttemptStatus.FAILED:
        return redirect(url_for("checkout.pay_page", number=number))
    if state is not None and attempt.status is AttemptStatus.REQUIRES_ACTION:
        return redirect(url_for("checkout.authenticate", number=number))
    return redirect(url_for("account.order", number=number))


@bp.route("/<number>/authenticate")
@login_required
def authenticate(number: str):
    """Stripe.js asks the card's bank to confirm (3-D Secure), then comes back here."""
    order = _own_order(number)
    attempt = payments.latest_attempt(order)
    if attempt is None or attempt.status is not AttemptStatus.REQUIRES_ACTION:
        return redirect(url_for("account.order", number=number))
    try:
        state = stripe_gateway.read_intent(attempt.intent_id)
    except stripe_gateway.GatewayError as error:
        flash(error.message, "error")
        return redirect(url_for("account.order", number=number))
    return render_template(
        "checkout/authenticate.html", order=order, client_secret=state.client_secret
    )


@bp.route("/<number>/return")
@login_required
def payment_return(number: str):
    """Back from the bank: read the payment's state from Stripe, then show the order."""
    order = _own_order(number)
    attempt = payments.latest_attempt(order)
    if attempt is not None and attempt.intent_id:
        try:
            payments.sync_attempt(attempt, utcnow())
        except stripe_gateway.GatewayError as error:
            flash(error.message, "error")
        if attempt.status is AttemptStatus.FAILED:
            return redirect(url_for("checkout.pay_page", number=number))
    return redirect(url_for("account.order", number=number))


@bp.route("/<number>/cancel", methods=["POST"])
@login_required
def cancel(number: str):
    """Cancel an unpaid order; reserved stock goes back on sale."""
    order = _own_order(number)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(url_for("account.order", number=number))
    try:
        payments.close(current_user, order, utcnow(), expired=False)
    except (OrderError, stripe_gateway.GatewayError) as error:  # what was learnt is kept
        flash(message(error) if isinstance(error, OrderError) else error.message, "error")
        return redirect(url_for("account.order", number=number))
    if order.status is OrderStatus.PAID:
        flash(_("This order was paid in the meantime: your vouchers are ready."), "success")
    else:
        flash(_("The order was cancelled."), "success")
    return redirect(url_for("account.order", number=number))


@bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
def stripe_webhook():
    """Stripe's events: verified on the raw body, each handled once, answered fast."""
    payload = request.get_data(cache=False)
    try:
        event = stripe_gateway.parse_webhook(payload, request.headers.get("Stripe-Signature"))
    except stripe_gateway.WebhookRejected as error:
        current_app.logger.info("webhook rejected: %s", error)
        return {"error": "invalid"}, 400
    try:
        outcome = payments.handle_event(event, utcnow())
    except stripe_gateway.GatewayError:
        return {"error": "retry later"}, 503  # Stripe sends it again
    current_app.logger.info("webhook %s %s: %s", event.type, event.id, outcome)
    return {"received": True, "outcome": outcome}
