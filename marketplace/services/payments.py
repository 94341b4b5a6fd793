"""Paying for orders: attempts (PaymentIntents), webhooks, and fulfilment.

Fulfilment (order paid, vouchers issued) happens once, whichever comes first of the
webhook, the payer's return and the expiry job re-reading the PaymentIntent: the order's
conditional move to `paid` decides.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import (
    AttemptStatus,
    Order,
    OrderStatus,
    PaymentAttempt,
    PayMethod,
    Refund,
    StripeEvent,
    User,
)
from ..models.types import utcnow
from . import bookings, stripe_gateway, vouchers
from .orders import IllegalTransition, OrderError, move, record_event, release_stock

OPEN = (
    AttemptStatus.STARTED,
    AttemptStatus.UNKNOWN,
    AttemptStatus.REQUIRES_ACTION,
    AttemptStatus.PROCESSING,
)
INTENT_STATUS = {
    "succeeded": AttemptStatus.SUCCEEDED,
    "processing": AttemptStatus.PROCESSING,
    "requires_action": AttemptStatus.REQUIRES_ACTION,
    "requires_capture": AttemptStatus.PROCESSING,
    "requires_confirmation": AttemptStatus.STARTED,
    "requires_payment_method": AttemptStatus.FAILED,
    "canceled": AttemptStatus.CANCELED,
}
STUCK_AFTER = timedelta(minutes=2)
HANDLED_EVENTS = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.processing",
    "payment_intent.requires_action",
)


def attempts(order: Order) -> list[PaymentAttempt]:
    return list(
        db.session.scalars(
            select(PaymentAttempt)
            .where(PaymentAttempt.order_id == order.id)
            .order_by(PaymentAttempt.number)
        )
    )


def latest_attempt(order: Order) -> PaymentAttempt | None:
    return db.session.scalar(
        select(PaymentAttempt)
        .where(PaymentAttempt.order_id == order.id)
        .order_by(PaymentAttempt.number.desc())
        .limit(1)
    )


def attempt_for_intent(order: Order, intent_id: str) -> PaymentAttempt | None:
    """The order's attempt paid through the PaymentIntent `intent_id`."""
    return db.session.scalar(
        select(PaymentAttempt).where(
            PaymentAttempt.order_id == order.id, PaymentAttempt.intent_id == intent_id
        )
    )


def fulfilling_attempt(order: Order) -> PaymentAttempt | None:
    """The attempt whose money paid the order (None while unpaid)."""
    return db.session.scalar(
        select(PaymentAttempt).where(
            PaymentAttempt.order_id == order.id, PaymentAttempt.fulfilled.is_(True)
        )
    )


def begin_attempt(
    payer: User, order: Order, now: datetime, method: PayMethod = PayMethod.CARD
) -> PaymentAttempt:
    """Record a new try at paying with `method` (`pay_with_card` / `pay_with_wallet` commit
    it before asking Stripe, so a crash leaves a trace); a double submit collides on
    (order, number).

    The previous attempt is settled with Stripe first: one whose outcome is unknown is
    read back (and fulfils the order if it succeeded), never followed by a blind new
    charge. Raises GatewayError when Stripe cannot tell."""
    if order.user_id != payer.id:
        raise OrderError("not_found")
    if order.status is not OrderStatus.PENDING_PAYMENT:
        raise OrderError(f"status_{order.status.value}")
    if order.pay_by <= now:
        raise OrderError("payment_window_closed")
    last = latest_attempt(order)
    if last is not None:
        _settle_previous(last, now)
        if order.status is not OrderStatus.PENDING_PAYMENT:
            raise OrderError(f"status_{order.status.value}")
    number = (last.number if last is not None else 0) + 1
    attempt = PaymentAttempt(
        order_id=order.id, number=number, amount_fen=order.total_fen, method=method
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:  # a double submit made this attempt at the same moment
        raise OrderError("payment_under_way") from None
    record_event(order, "payment_started", payer, attempt=number, method=method.value)
    db.session.flush()
    return attempt


def _settle_previous(attempt: PaymentAttempt, now: datetime) -> None:
    """Make sure the previous attempt can no longer take money before another is made."""
    if attempt.status in (AttemptStatus.FAILED, AttemptStatus.CANCELED):
        return
    if attempt.status is AttemptStatus.STARTED and attempt.created_at > now - STUCK_AFTER:
        raise OrderError("payment_under_way")  # another request is paying right now
    if attempt.intent_id is None:
        if not cancel_unconfirmed(attempt):
            raise OrderError("payment_under_way")  # its intent was recorded just now
        return
    sync_attempt(attempt, now)
    if attempt.status is AttemptStatus.PROCESSING:
        raise OrderError("payment_under_way")
    if attempt.status in (AttemptStatus.REQUIRES_ACTION, AttemptStatus.STARTED):
        # left waiting for 3-D Secure, a QR code or Alipay, or never confirmed
        give_up(attempt, now)


def give_up(attempt: PaymentAttempt, now: datetime) -> None:
    """Cancel the attempt's open intent at Stripe, so it can take no money. When Stripe
    refuses because the payer paid a moment ago, that success is taken instead (and fulfils
    the order). Raises GatewayError when Stripe cannot tell or the intent stays open."""
    try:
        state = stripe_gateway.cancel_intent(attempt.intent_id)
    except stripe_gateway.GatewayError as error:
        if error.unknown:
            raise
        sync_attempt(attempt, now)  # e.g. paid just now: a succeeded intent cannot be cancelled
        if attempt.status in OPEN:
            raise
        return
    _apply(attempt, state)
    if attempt.status is AttemptStatus.SUCCEEDED:
        fulfil(attempt, now)


def cancel_unconfirmed(attempt: PaymentAttempt) -> bool:
    """Close an attempt that has no intent on record: it was never confirmed (an intent
    whose creation answer was lost cannot be charged), so it can take no money. False when
    its pay request recorded an intent in the meantime (it may be confirming it now)."""
    moved = db.session.execute(
        update(PaymentAttempt)
        .where(
            PaymentAttempt.id == attempt.id,
            PaymentAttempt.status == attempt.status,
            PaymentAttempt.intent_id.is_(None),
        )
        .values(status=AttemptStatus.CANCELED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(attempt)
    return moved == 1


def _set_status(attempt: PaymentAttempt, target: AttemptStatus, **values) -> bool:
    """Move the attempt from the status it was read in (re-checked in the UPDATE), so the
    pay request and the webhook never overwrite each other. Returns whether this call
    moved it; either way the attempt is re-read."""
    db.session.flush()
    result = db.session.execute(
        update(PaymentAttempt)
        .where(PaymentAttempt.id == attempt.id, PaymentAttempt.status == attempt.status)
        .values(status=target, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    return result.rowcount == 1


def _apply(attempt: PaymentAttempt, state: stripe_gateway.IntentState) -> None:
    """Bring the attempt to what Stripe says of its intent. A success is never undone by
    a stale read or an out-of-order event; a lost race is re-judged on the fresh row."""
    target = INTENT_STATUS.get(state.status, AttemptStatus.PROCESSING)
    for _race in range(3):
        if attempt.status is AttemptStatus.SUCCEEDED:
            return
        values = {} if attempt.intent_id else {"intent_id": state.id}
        if attempt.status is target:
            if values:
                _set_status(attempt, target, **values)
            return
        if target is AttemptStatus.FAILED:
            values |= {"failure_message": (state.error or "payment failed")[:500], "declined": True}
        if not _set_status(attempt, target, **values):
            continue
        if target is AttemptStatus.FAILED:
            record_event(
                attempt.order,
                "payment_failed",
                attempt=attempt.number,
                message=attempt.failure_message,
            )
        elif target is AttemptStatus.REQUIRES_ACTION:
            record_event(attempt.order, "payment_requires_action", attempt=attempt.number)
        elif target is AttemptStatus.SUCCEEDED:
            record_event(
                attempt.order, "payment_succeeded", attempt=attempt.number, intent=state.id
            )
        db.session.flush()
        return


def pay_with_card(
    payer: User, attempt: PaymentAttempt, token: str
) -> stripe_gateway.IntentState | None:
    """Charge the card Stripe.js tokenized: create the PaymentIntent, record it, confirm it.

    Returns the intent's state (its client secret when the bank wants 3-D Secure). When
    Stripe cannot be reached before the confirmation nothing is charged and the attempt
    fails; when the confirmation's answer is lost the attempt's outcome is `unknown` and
    is read back from Stripe (by the webhook, the order page, the next attempt or
    `payments reconcile`) — never assumed."""
    return _pay(payer, attempt, token=token)


def pay_with_wallet(
    payer: User, attempt: PaymentAttempt, return_url: str
) -> stripe_gateway.IntentState | None:
    """Start a WeChat Pay or Alipay payment: the intent is created, recorded and confirmed
    as for a card, and waits for the payer (`requires_action`): its `next_action` holds the
    QR code to scan or the Alipay page, which comes back to `return_url`. The payment's
    outcome arrives by webhook, or is read back on return — never assumed."""
    return _pay(payer, attempt, return_url=return_url)


def _pay(
    payer: User, attempt: PaymentAttempt, *, token: str | None = None, return_url: str | None = None
) -> stripe_gateway.IntentState | None:
    order = attempt.order
    db.session.commit()  # the attempt is on record before Stripe is asked
    try:
        if attempt.method is PayMethod.CARD:
            customer = _customer(payer)
            try:
                card = stripe_gateway.save_card(customer, token)
            except stripe_gateway.CustomerGone:
                current_app.logger.warning("Stripe customer %s is gone; creating another", customer)
                customer = _customer(payer, replacing=customer)
                card = stripe_gateway.save_card(customer, token)
            method = {"customer_id": customer, "card_id": card}
        else:  # a wallet pays once: no customer or saved method is needed
            method = {"wallet": attempt.method.value}
        state = stripe_gateway.create_intent(
            amount_minor=attempt.amount_fen,
            currency=order.currency,
            idempotency_key=attempt.idempotency_key,
            metadata={"order": order.number, "attempt": str(attempt.number)},
            transfer_group=order.transfer_group,
            **method,
        )
    except stripe_gateway.GatewayError as error:
        _fail(attempt, error.message, declined=error.declined)
        return None
    if not _set_status(attempt, AttemptStatus.STARTED, intent_id=state.id):
        return None  # the order was closed meanwhile: this intent is never confirmed
    db.session.commit()  # the intent is on record before it is confirmed
    try:
        state = stripe_gateway.confirm_intent(
            state.id,
            attempt.amount_fen,
            return_url=return_url if attempt.method is not PayMethod.CARD else None,
        )
    except stripe_gateway.GatewayError as error:
        # whatever went wrong, Stripe may have charged: its answer decides, later
        if attempt.status is AttemptStatus.STARTED and _set_status(
            attempt, AttemptStatus.UNKNOWN, failure_message=error.message[:500]
        ):
            record_event(order, "payment_outcome_unknown", payer, attempt=attempt.number)
        return None
    _apply(attempt, state)
    return state


def _customer(payer: User, replacing: str | None = None) -> str:
    customer = stripe_gateway.ensure_customer(payer, replacing=replacing)
    db.session.commit()  # kept, and no write held open while Stripe is asked again
    return customer


def _fail(attempt: PaymentAttempt, message: str, *, declined: bool) -> None:
    if attempt.status is AttemptStatus.STARTED and _set_status(
        attempt, AttemptStatus.FAILED, failure_message=message[:500], declined=declined
    ):
        record_event(attempt.order, "payment_failed", attempt=attempt.number, message=message)
    db.session.flush()


def sync_attempt(attempt: PaymentAttempt, now: datetime) -> None:
    """Re-read the attempt's PaymentIntent from Stripe and act on what it says."""
    if attempt.intent_id is None:
        return
    state = stripe_gateway.read_intent(attempt.intent_id)
    if attempt.status is AttemptStatus.UNKNOWN and state.status == "requires_confirmation":
        # the confirmation whose answer was lost never reached Stripe: give the intent up
        # so the payer can pay again at once
        state = stripe_gateway.cancel_intent(attempt.intent_id)
    _apply(attempt, state)
    if attempt.status is AttemptStatus.SUCCEEDED:
        fulfil(attempt, now)


def try_sync(attempt: PaymentAttempt, now: datetime) -> bool:
    """`sync_attempt` for a page that can wait: when Stripe cannot tell just now, nothing
    changes and False is returned (the page keeps saying the payment is being confirmed)."""
    try:
        with db.session.begin_nested():
            sync_attempt(attempt, now)
    except stripe_gateway.GatewayError:
        return False
    return True


def waiting_step(order: Order, method: PayMethod) -> stripe_gateway.NextAction | None:
    """What the payer does next for the order's latest attempt, if it is a `method`
    payment still waiting for them (the QR code, the Alipay page); read from Stripe, since
    that is where it lives. Raises GatewayError when Stripe cannot be asked."""
    attempt = latest_attempt(order)
    if (
        order.status is not OrderStatus.PENDING_PAYMENT
        or attempt is None
        or attempt.method is not method
        or attempt.status is not AttemptStatus.REQUIRES_ACTION
    ):
        return None
    state = stripe_gateway.read_intent(attempt.intent_id)
    return state.next_action if state.status == "requires_action" else None


def fulfil(attempt: PaymentAttempt, now: datetime) -> bool:
    """Mark the order paid by this attempt and issue its vouchers, once. A success that
    lands on an order already expired or cancelled, or already paid by another attempt,
    is refunded in full. Returns True if this call fulfilled the order."""
    order = attempt.order
    if order.status is OrderStatus.PENDING_PAYMENT:
        try:
            move(order, OrderStatus.PAID, "paid", values={"paid_at": now}, attempt=attempt.number)
        except IllegalTransition:
            pass
        else:
            _set_status(attempt, attempt.status, fulfilled=True)
            issued = vouchers.issue(order, now)
            record_event(order, "vouchers_issued", count=len(issued))
            bookings.attach_holds(order, issued, now)
            for line in order.lines:
                _count_sale(line.listing_id, line.quantity)
            db.session.flush()
            return True
    db.session.refresh(attempt)
    if attempt.fulfilled or order.status is OrderStatus.PENDING_PAYMENT:
        return False
    if order.status in (OrderStatus.EXPIRED, OrderStatus.CANCELLED):
        _refund_whole(order, attempt, "late_payment", now)
    elif fulfilling_attempt(order) is not None:
        _refund_whole(order, attempt, "duplicate_payment", now)
    return False


def _count_sale(listing_id: int, quantity: int) -> None:
    from ..models import Listing

    db.session.execute(
        update(Listing)
        .where(Listing.id == listing_id)
        .values(sales_count=Listing.sales_count + quantity)
        .execution_options(synchronize_session=False)
    )


def _refund_whole(order: Order, attempt: PaymentAttempt, reason: str, now: datetime) -> None:
    """Give back a payment that bought nothing: it came after the order closed, or the
    order was already paid by another attempt (once per attempt)."""
    refund = db.session.scalar(
        select(Refund).where(Refund.attempt_id == attempt.id, Refund.voucher_id.is_(None))
    )
    if refund is None:
        refund = Refund(
            order_id=order.id, attempt_id=attempt.id, amount_fen=attempt.amount_fen, reason=reason
        )
        try:
            with db.session.begin_nested():
                db.session.add(refund)
        except IntegrityError:  # the same success handled at once elsewhere
            return
        record_event(order, reason, attempt=attempt.number, amount_fen=attempt.amount_fen)
        db.session.flush()
    vouchers.execute_refund(refund, now)


def handle_event(event: stripe_gateway.WebhookEvent, now: datetime) -> str:
    """Handle a verified webhook event once; returns what happened (for the log)."""
    try:
        with db.session.begin_nested():
            db.session.add(StripeEvent(event_id=event.id, type=event.type[:80]))
    except IntegrityError:
        return "duplicate"
    if event.type not in HANDLED_EVENTS:
        return "ignored"
    attempt = _attempt_for(event.object)
    if attempt is None:
        return "unknown_payment"
    sync_attempt(attempt, now)
    return attempt.status.value


def _attempt_for(intent: dict) -> PaymentAttempt | None:
    intent_id = intent.get("id")
    if intent_id:
        found = db.session.scalar(
            select(PaymentAttempt).where(PaymentAttempt.intent_id == intent_id)
        )
        if found is not None:
            return found
    metadata = intent.get("metadata") or {}
    try:
        number = int(metadata.get("attempt", ""))
    except ValueError:
        return None
    attempt = db.session.scalar(
        select(PaymentAttempt)
        .join(Order, Order.id == PaymentAttempt.order_id)
        .where(Order.number == str(metadata.get("order")), PaymentAttempt.number == number)
    )
    if attempt is not None and attempt.intent_id is None and intent_id:
        attempt.intent_id = intent_id
    return attempt


def close(actor: User | None, order: Order, now: datetime, *, expired: bool) -> None:
    """Cancel (by the owner) or expire (by the job) an unpaid order and release its stock.

    Open PaymentIntents are re-read first: one that succeeded fulfils the order instead;
    the others are cancelled at Stripe."""
    for attempt in attempts(order):
        if attempt.intent_id and attempt.status in (*OPEN, AttemptStatus.SUCCEEDED):
            sync_attempt(attempt, now)
            if order.status is not OrderStatus.PENDING_PAYMENT:
                return
            if attempt.status in OPEN:
                try:
                    give_up(attempt, now)
                except stripe_gateway.GatewayError:
                    raise OrderError("payment_under_way") from None
                if order.status is not OrderStatus.PENDING_PAYMENT:
                    return
        elif attempt.status is AttemptStatus.STARTED and not cancel_unconfirmed(attempt):
            raise OrderError("payment_under_way")  # its pay request is confirming it now
    target = OrderStatus.EXPIRED if expired else OrderStatus.CANCELLED
    move(order, target, "expired" if expired else "cancelled", actor)
    release_stock(order)
    bookings.release_holds(order, now)
    db.session.flush()


def expire_unpaid(now: datetime, batch: int = 200) -> dict[str, int]:
    """Close orders whose payment window passed (a CLI job: commits per order)."""
    counts = {"expired": 0, "paid": 0, "errors": 0}
    cutoff = now
    last_id = 0
    while True:
        due = list(
            db.session.scalars(
                select(Order)
                .where(
                    Order.status == OrderStatus.PENDING_PAYMENT,
                    Order.pay_by <= cutoff,
                    Order.id > last_id,
                )
                .order_by(Order.id)
                .limit(batch)
            )
        )
        if not due:
            return counts
        for order in due:
            last_id = order.id
            try:
                close(None, order, now, expired=True)
            except (OrderError, stripe_gateway.GatewayError):
                db.session.rollback()
                counts["errors"] += 1
                continue
            counts["paid" if order.status is OrderStatus.PAID else "expired"] += 1
            db.session.commit()


def stale(attempt: PaymentAttempt, now: datetime, after_seconds: int = 5) -> bool:
    """A success not yet confirmed by the webhook after a few seconds is worth re-reading."""
    return attempt.updated_at <= now - timedelta(seconds=after_seconds)
