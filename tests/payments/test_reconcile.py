"""`payments reconcile`: what an outage left undone is finished, drift is reported."""

from datetime import timedelta

import requests
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AttemptStatus, OrderStatus, PaymentAttempt, VoucherStatus

from ..conftest import STRIPE_SECRET_KEY
from ..faults import charges, request_to
from .helpers import (
    REFUND_FORM,
    add_and_order,
    assert_money_matches,
    deliver_success,
    order_state,
    pay,
)


def reconcile(app):
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    return result.exit_code, result.output


def age_attempts(app, by=timedelta(minutes=5)):
    with app.app_context():
        for attempt in db.session.scalars(select(PaymentAttempt)):
            attempt.created_at -= by
        db.session.commit()


def test_reconcile_finishes_lost_payments_and_refunds_and_then_finds_nothing(
    app, buyer, shops, localstripe, stripe_proxy
):
    # a charge whose answer and webhook were both lost
    lost_charge = add_and_order(buyer, shops["listings"]["wash_a"])
    stripe_proxy.drop_answer(charges)
    pay(buyer, localstripe, lost_charge)
    # a refund whose answer was lost
    refunded = add_and_order(buyer, shops["listings"]["oil_a"])
    pay(buyer, localstripe, refunded)
    deliver_success(buyer, localstripe, app, refunded)
    _, (voucher,), _ = order_state(app, refunded)
    stripe_proxy.drop_answer(request_to("/v1/refunds"))
    buyer.post(f"/account/vouchers/{voucher.id}/refund", data=REFUND_FORM)
    # an order whose payment never got past creating the intent
    never = add_and_order(buyer, shops["listings"]["wash_a"])
    stripe_proxy.drop_answer(request_to("/v1/payment_intents"))
    pay(buyer, localstripe, never)
    age_attempts(app)

    code, output = reconcile(app)
    assert code == 0, output
    assert f"order {lost_charge} attempt 1: unknown → succeeded, order paid" in output
    assert "completed" in output
    order, vouchers, (attempt,) = order_state(app, lost_charge)
    assert order.status is OrderStatus.PAID and len(vouchers) == 1 and attempt.fulfilled
    order, (voucher,), _ = order_state(app, refunded)
    assert voucher.status is VoucherStatus.REFUNDED and order.status is OrderStatus.REFUNDED
    _, _, (attempt,) = order_state(app, never)
    assert attempt.status is AttemptStatus.FAILED
    for number, expected in ((lost_charge, (3900, 0)), (refunded, (29900, 29900))):
        assert assert_money_matches(app, localstripe, number) == expected

    code, again = reconcile(app)
    assert code == 0 and "repaired 0; problems 0" in again, again


def test_reconcile_reports_drift_it_cannot_explain(app, buyer, shops, localstripe):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    pay(buyer, localstripe, number)
    deliver_success(buyer, localstripe, app, number)
    _, _, (attempt,) = order_state(app, number)
    # someone refunds at Stripe's dashboard, outside the app
    made = requests.post(
        f"{localstripe}/v1/refunds",
        data={"payment_intent": attempt.intent_id, "amount": 1000},
        auth=(STRIPE_SECRET_KEY, ""),
        timeout=10,
    )
    assert made.status_code == 200, made.text
    code, output = reconcile(app)
    assert code == 1
    assert f"PROBLEM: order {number} attempt 1: Stripe refunded 1000, the app 0" in output
    assert f"PROBLEM: order {number}: Stripe keeps 2900, the order shows 3900" in output
    with app.app_context():
        assert db.session.scalar(select(PaymentAttempt.status)) is AttemptStatus.SUCCEEDED
