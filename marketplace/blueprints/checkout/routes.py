import segno
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...error_messages import message
from ...extensions import csrf
from ...models import AttemptStatus, OrderStatus, PayMethod
from ...models.types import utcnow
from ...services import bookings, orders, payments, stripe_gateway
from ...services.orders import OrderError
from . import bp
from .forms import CancelForm, PayForm


def own_order(number: str):
    """The current owner's order with this number; 404 for anyone else's or none."""
    order = orders.owner_order(current_user, number) if number.isdigit() else None
    if order is None:
        abort(404)
    return order


@bp.route("/<number>")
@login_required
def pay_page(number: str):
    """The card form for a pending order."""
    order = own_order(number)
    if order.status is not OrderStatus.PENDING_PAYMENT:
        return redirect(url_for("account.order", number=number))
    last = payments.latest_attempt(order)
    if last is not None and last.status in (
        AttemptStatus.PROCESSING,
        AttemptStatus.SUCCEEDED,
        AttemptStatus.UNKNOWN,
    ):
        return redirect(url_for("account.order", number=number))
    form = PayForm(**({"method": last.method.value} if last is not None else {}))  # as last time
    return render_template(
        "checkout/pay.html",
        order=order,
        form=form,
        cancel_form=CancelForm(),
        last=last,
        holds=bookings.holds(order),
    )


@bp.route("/<number>/pay", methods=["POST"])
@login_required
def pay(number: str):
    """Pay with WeChat Pay, Alipay or the tokenized card: the attempt is saved first, then
    Stripe is asked."""
    order = own_order(number)
    form = PayForm()
    if not form.validate_on_submit():
        errors = form.method.errors or form.token.errors
        for error in errors or [_("The form has expired. Please try again.")]:
            flash(error, "error")
        return redirect(url_for("checkout.pay_page", number=number))
    method = PayMethod(form.method.data)
    now = utcnow()
    try:
        attempt = payments.begin_attempt(current_user, order, now, method)
    except OrderError as error:  # what Stripe said of the previous attempt is kept
        flash(message(error), "error")
        return redirect(url_for("account.order", number=number))
    except stripe_gateway.GatewayError as error:
        flash(
            _("The payment service is not answering: %(message)s", message=error.message), "error"
        )
        return redirect(url_for("checkout.pay_page", number=number))
    if method is PayMethod.CARD:
        state = payments.pay_with_card(current_user, attempt, form.token.data)
    else:
        back = url_for("checkout.payment_return", number=number, _external=True)
        state = payments.pay_with_wallet(current_user, attempt, back)
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
        if method is PayMethod.WECHAT_PAY:
            return redirect(url_for("checkout.wechat_pay", number=number))
        if method is PayMethod.ALIPAY:
            return redirect(url_for("checkout.alipay", number=number))
        if method is PayMethod.CARD:
            return redirect(url_for("checkout.authenticate", number=number))
    return redirect(url_for("account.order", number=number))


def _is_phone(user_agent: str) -> bool:
    return any(word in user_agent for word in ("Mobile", "Android", "iPhone", "iPad"))


def _waiting_step(order, method: PayMethod):
    """The next step of the order's waiting `method` payment; None (with a message when
    Stripe could not be asked) when there is none to show."""
    try:
        return payments.waiting_step(order, method)
    except stripe_gateway.GatewayError as error:
        flash(error.message, "error")
        return None


@bp.route("/<number>/wechat-pay")
@login_required
def wechat_pay(number: str):
    """The WeChat Pay QR code to scan; the page waits for Stripe's word that it was paid.
    On a phone (which cannot scan its own screen) it also links Stripe's instructions."""
    order = own_order(number)
    step = _waiting_step(order, PayMethod.WECHAT_PAY)
    if step is None or not step.qr_data:
        return redirect(url_for("checkout.payment_return", number=number))
    return render_template(
        "checkout/wechat_pay.html",
        order=order,
        qr_image=segno.make(step.qr_data, error="m").png_data_uri(scale=8, border=2),
        instructions_url=step.instructions_url,
        phone=_is_phone(request.user_agent.string),
        cancel_form=CancelForm(),
    )


@bp.route("/<number>/alipay")
@login_required
def alipay(number: str):
    """On to Alipay (through Stripe), for a new payment or one the owner left unfinished.
    A page that moves on by itself, not a redirect of the pay form: the form may only post
    to this site (Content-Security-Policy form-action), and that holds for its redirects."""
    order = own_order(number)
    step = _waiting_step(order, PayMethod.ALIPAY)
    if step is None or not step.redirect_url:
        return redirect(url_for("checkout.payment_return", number=number))
    return render_template("checkout/alipay.html", order=order, alipay_url=step.redirect_url)


@bp.route("/<number>/status")
@login_required
def payment_status(number: str):
    """Where the order's payment stands, for the waiting page (JSON). `check=1` also asks
    Stripe, for when the webhook is late."""
    order = own_order(number)
    attempt = payments.latest_attempt(order)
    if (
        request.args.get("check") == "1"
        and order.status is OrderStatus.PENDING_PAYMENT
        and attempt is not None
        and attempt.intent_id
        and attempt.status in payments.OPEN
    ):
        payments.try_sync(attempt, utcnow())
    paid = order.status is not OrderStatus.PENDING_PAYMENT
    failed = attempt is not None and attempt.status in (
        AttemptStatus.FAILED,
        AttemptStatus.CANCELED,
    )
    return jsonify(
        order=order.status.value,
        payment=attempt.status.value if attempt is not None else None,
        done=paid or failed,
        next=url_for("account.order" if paid else "checkout.pay_page", number=number),
    )


@bp.route("/<number>/authenticate")
@login_required
def authenticate(number: str):
    """Stripe.js asks the card's bank to confirm (3-D Secure), then comes back here."""
    order = own_order(number)
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
    """Back from the bank or Alipay: read the payment's state from Stripe, then show the
    order (or the pay page again, with what went wrong)."""
    order = own_order(number)
    attempt = payments.latest_attempt(order)
    returned = request.args.get("payment_intent")  # Alipay's return names the intent
    if returned:
        attempt = payments.attempt_for_intent(order, returned) or attempt
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
    order = own_order(number)
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
