"""Money under faults: Stripe's answer lost, slow or never sent, webhooks lost or late.

Every test ends on the money: what Stripe captured less what it refunded equals what the
app shows for the order (`assert_money_matches`)."""

import threading

import pytest
import requests
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    AttemptStatus,
    OrderEvent,
    OrderStatus,
    Refund,
    RefundStatus,
    VoucherStatus,
)

from ..conftest import STRIPE_SECRET_KEY
from ..faults import charges, request_to
from .helpers import (
    REFUND_FORM,
    add_and_order,
    assert_money_matches,
    deliver,
    deliver_success,
    events_for,
    order_state,
    pay,
    stripe_get,
    stripe_money,
)

REFUNDS = request_to("/v1/refunds")


def event_kinds(app, number) -> list[str]:
    order, _, _ = order_state(app, number)
    with app.app_context():
        return list(
            db.session.scalars(
                select(OrderEvent.kind)
                .where(OrderEvent.order_id == order.id)
                .order_by(OrderEvent.id)
            )
        )


def test_a_charge_whose_answer_is_lost_is_paid_by_the_webhook_and_refundable(
    app, buyer, shops, localstripe, stripe_proxy
):
    number = add_and_order(buyer, shops["listings"]["wash_a"], 2)
    stripe_proxy.drop_answer(charges)
    response = pay(buyer, localstripe, number)
    assert response.headers["Location"].endswith(f"/account/orders/{number}")
    page = buyer.get(f"/account/orders/{number}").get_data(as_text=True)
    assert "不会被重复扣款" in page, "the owner is told we are checking, not that it failed"
    _, _, (attempt,) = order_state(app, number)
    assert attempt.status is AttemptStatus.UNKNOWN and attempt.intent_id

    assert deliver_success(buyer, localstripe, app, number).status_code == 200
    order, vouchers, (attempt,) = order_state(app, number)
    assert order.status is OrderStatus.PAID and len(vouchers) == 2
    assert attempt.status is AttemptStatus.SUCCEEDED and attempt.fulfilled

    first = min(vouchers, key=lambda v: v.id)
    buyer.post(f"/account/vouchers/{first.id}/refund", data=REFUND_FORM)
    order, vouchers, _ = order_state(app, number)
    assert order.status is OrderStatus.PARTIALLY_REFUNDED and order.refunded_fen == 3900
    assert assert_money_matches(app, localstripe, number) == (7800, 3900)


def test_a_slow_charge_answer_is_read_back_not_taken_for_a_failure(
    app, buyer, shops, localstripe, stripe_proxy
):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    app.config["STRIPE_TIMEOUT_SECONDS"] = 0.5
    app.extensions.pop("stripe_client", None)
    slow = stripe_proxy.hold(charges)
    pay(buyer, localstripe, number)
    slow.released.set()  # the answer comes after the app stopped waiting
    _, _, (attempt,) = order_state(app, number)
    assert attempt.status is AttemptStatus.UNKNOWN
    # no webhook; the owner comes back to the order page a little later
    with app.app_context():
        from marketplace.models import PaymentAttempt

        row = db.session.get(PaymentAttempt, attempt.id)
        row.updated_at = row.updated_at.replace(year=row.updated_at.year - 1)
        db.session.commit()
    page = buyer.get(f"/account/orders/{number}").get_data(as_text=True)
    assert 'data-order-status="paid"' in page
    assert assert_money_matches(app, localstripe, number) == (3900, 0)


@pytest.mark.parametrize("answer", ["lost", "late"])
def test_the_webhook_paying_while_the_pay_request_waits_is_never_overwritten(
    app, buyer, shops, localstripe, stripe_proxy, answer
):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    waiting = stripe_proxy.hold(charges, then_drop=answer == "lost")
    paying = threading.Thread(target=lambda: pay(buyer, localstripe, number))
    paying.start()
    assert waiting.reached.wait(10)
    # Stripe charged; its webhook arrives while the pay request still waits for the answer
    webhook = app.test_client()
    assert deliver_success(webhook, localstripe, app, number).status_code == 200
    waiting.released.set()
    paying.join(20)
    order, vouchers, (attempt,) = order_state(app, number)
    assert order.status is OrderStatus.PAID and len(vouchers) == 1
    assert attempt.status is AttemptStatus.SUCCEEDED and attempt.fulfilled
    assert "payment_failed" not in event_kinds(app, number)
    assert assert_money_matches(app, localstripe, number) == (3900, 0)


def test_cancelling_while_the_intent_is_being_created_charges_nothing(
    app, buyer, shops, localstripe, stripe_proxy
):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    creating = stripe_proxy.hold(request_to("/v1/payment_intents"))
    paying = threading.Thread(target=lambda: pay(buyer, localstripe, number))
    paying.start()
    assert creating.reached.wait(10)
    owner = app.test_client()
    owner.login("buyer@example.com")
    assert owner.post(f"/checkout/{number}/cancel").status_code == 302
    creating.released.set()  # Stripe's answer to the creation arrives after the cancel
    paying.join(20)
    order, vouchers, (attempt,) = order_state(app, number)
    assert order.status is OrderStatus.CANCELLED and not vouchers
    assert attempt.status is AttemptStatus.CANCELED and attempt.intent_id is None
    assert not [c for c in stripe_proxy.forwarded if c[1].endswith("/confirm")], "never charged"
    assert assert_money_matches(app, localstripe, number) == (0, 0)


def test_paying_again_after_a_lost_answer_and_a_lost_webhook_never_charges_twice(
    app, buyer, shops, localstripe, stripe_proxy
):
    number = add_and_order(buyer, shops["listings"]["oil_a"])
    stripe_proxy.drop_answer(charges)
    pay(buyer, localstripe, number)
    # the webhook never comes; the owner, seeing no vouchers, presses pay again
    response = pay(buyer, localstripe, number)
    assert response.headers["Location"].endswith(f"/account/orders/{number}")
    order, vouchers, attempts = order_state(app, number)
    assert order.status is OrderStatus.PAID and len(vouchers) == 1
    assert [a.status for a in attempts] == [AttemptStatus.SUCCEEDED], "no second attempt"
    assert (
        stripe_proxy.forwarded.count(
            ("POST", f"/v1/payment_intents/{attempts[0].intent_id}/confirm")
        )
        == 1
    )
    # the first intent's event finally arrives: nothing more happens
    (late,) = events_for(localstripe, attempts[0].intent_id)
    assert deliver(buyer, late).status_code == 200
    assert len(order_state(app, number)[1]) == 1
    assert assert_money_matches(app, localstripe, number) == (29900, 0)


def test_paying_again_while_stripe_cannot_tell_makes_no_new_attempt(
    app, buyer, shops, localstripe, stripe_proxy
):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    stripe_proxy.drop_answer(charges)
    pay(buyer, localstripe, number)
    stripe_proxy.refuse()  # Stripe unreachable: the first attempt's outcome stays unknown
    pay(buyer, localstripe, number)
    _, _, attempts = order_state(app, number)
    assert [a.status for a in attempts] == [AttemptStatus.UNKNOWN]
    stripe_proxy.clear()
    pay(buyer, localstripe, number)
    order, vouchers, attempts = order_state(app, number)
    assert order.status is OrderStatus.PAID and len(attempts) == 1 and len(vouchers) == 1
    assert assert_money_matches(app, localstripe, number) == (3900, 0)


def test_a_confirmation_that_never_reached_stripe_is_given_up_and_paid_again_at_once(
    app, buyer, shops, localstripe, stripe_proxy
):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    stripe_proxy.refuse(charges, times=1)  # the connection drops before Stripe hears it
    pay(buyer, localstripe, number)
    _, _, (attempt,) = order_state(app, number)
    assert attempt.status is AttemptStatus.UNKNOWN
    with app.app_context():  # the owner looks at the order a little later
        from marketplace.models import PaymentAttempt

        row = db.session.get(PaymentAttempt, attempt.id)
        row.updated_at = row.updated_at.replace(year=row.updated_at.year - 1)
        db.session.commit()
    page = buyer.get(f"/account/orders/{number}").get_data(as_text=True)
    assert 'data-order-status="pending_payment"' in page
    _, _, (attempt,) = order_state(app, number)
    assert attempt.status is AttemptStatus.CANCELED
    assert stripe_get(localstripe, f"/v1/payment_intents/{attempt.intent_id}")["status"] == (
        "canceled"
    )
    response = pay(buyer, localstripe, number)  # at once, no "payment under way"
    assert response.headers["Location"].endswith(f"/account/orders/{number}")
    assert deliver_success(buyer, localstripe, app, number).status_code == 200
    order, vouchers, attempts = order_state(app, number)
    assert [a.status for a in attempts] == [AttemptStatus.CANCELED, AttemptStatus.SUCCEEDED]
    assert order.status is OrderStatus.PAID and len(vouchers) == 1
    assert assert_money_matches(app, localstripe, number) == (3900, 0)


def test_a_second_success_for_a_paid_order_is_refunded_and_shown(
    app, buyer, shops, localstripe, stripe_proxy
):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    # attempt 1: the intent is created at Stripe but its answer is lost (nothing charged)
    stripe_proxy.drop_answer(request_to("/v1/payment_intents"))
    pay(buyer, localstripe, number)
    pay(buyer, localstripe, number)  # attempt 2 pays
    assert deliver_success(buyer, localstripe, app, number).status_code == 200
    order, _, attempts = order_state(app, number)
    assert order.status is OrderStatus.PAID
    assert [a.status for a in attempts] == [AttemptStatus.FAILED, AttemptStatus.SUCCEEDED]
    # the stray first intent gets confirmed after all (here: by hand at Stripe)
    stray = [
        pi
        for pi in stripe_get(localstripe, "/v1/payment_intents", limit=100000)["data"]
        if pi["metadata"].get("order") == number and pi["metadata"].get("attempt") == "1"
    ]
    assert len(stray) == 1 and stray[0]["status"] == "requires_confirmation"
    confirmed = requests.post(
        f"{localstripe}/v1/payment_intents/{stray[0]['id']}/confirm",
        auth=(STRIPE_SECRET_KEY, ""),
        timeout=10,
    )
    assert confirmed.status_code == 200, confirmed.text
    (event,) = events_for(localstripe, stray[0]["id"])
    assert deliver(buyer, event).status_code == 200

    order, vouchers, attempts = order_state(app, number)
    assert order.status is OrderStatus.PAID and order.refunded_fen == 0 and len(vouchers) == 1
    assert [a.fulfilled for a in attempts] == [False, True]
    kinds = event_kinds(app, number)
    assert "duplicate_payment" in kinds and "duplicate_payment_refunded" in kinds
    page = buyer.get(f"/account/orders/{number}").get_data(as_text=True)
    assert "重复支付已退款" in page
    assert assert_money_matches(app, localstripe, number) == (7800, 3900)
    assert deliver(buyer, {**event, "id": "evt_again"}).status_code == 200
    assert assert_money_matches(app, localstripe, number) == (7800, 3900), "refunded once"


def paid(app, buyer, base, listing_id, quantity=1):
    number = add_and_order(buyer, listing_id, quantity)
    pay(buyer, base, number)
    assert deliver_success(buyer, base, app, number).status_code == 200
    order, vouchers, _ = order_state(app, number)
    assert order.status is OrderStatus.PAID
    return number, sorted(vouchers, key=lambda v: v.id)


def test_a_refund_whose_answer_is_lost_is_found_at_stripe_not_made_again(
    app, buyer, shops, localstripe, stripe_proxy
):
    number, (first, second) = paid(app, buyer, localstripe, shops["listings"]["wash_a"], 2)
    stripe_proxy.drop_answer(REFUNDS)
    buyer.post(f"/account/vouchers/{first.id}/refund", data=REFUND_FORM)
    _, vouchers, _ = order_state(app, number)
    assert vouchers[0].status is VoucherStatus.REFUND_REQUESTED
    assert stripe_money(localstripe, number) == (7800, 3900), "Stripe did refund"
    buyer.post(f"/account/vouchers/{first.id}/refund", data=REFUND_FORM)  # the owner presses again
    order, vouchers, _ = order_state(app, number)
    assert [v.status for v in vouchers] == [VoucherStatus.REFUNDED, VoucherStatus.ISSUED]
    assert order.refunded_fen == 3900 and order.status is OrderStatus.PARTIALLY_REFUNDED
    assert assert_money_matches(app, localstripe, number) == (7800, 3900)
    buyer.post(f"/account/vouchers/{second.id}/refund", data=REFUND_FORM)
    order, _, _ = order_state(app, number)
    assert order.status is OrderStatus.REFUNDED and order.refunded_fen == 7800
    assert assert_money_matches(app, localstripe, number) == (7800, 7800)


def test_a_refund_stuck_by_a_crash_is_finished_by_the_job(
    app, buyer, shops, localstripe, stripe_proxy
):
    number, (voucher,) = paid(app, buyer, localstripe, shops["listings"]["wash_a"])
    stripe_proxy.refuse(REFUNDS)
    buyer.post(f"/account/vouchers/{voucher.id}/refund", data=REFUND_FORM)
    with app.app_context():  # as if the process died holding the claim
        refund = db.session.scalar(select(Refund))
        assert refund.status is RefundStatus.FAILED and refund.claimed_at is None
        refund.status = RefundStatus.PENDING
        refund.claimed_at = refund.created_at.replace(year=refund.created_at.year - 1)
        db.session.commit()
    stripe_proxy.clear()
    result = app.test_cli_runner().invoke(args=["vouchers", "expire"])
    assert "refunded 1" in result.output, result.output
    order, (voucher,), _ = order_state(app, number)
    assert voucher.status is VoucherStatus.REFUNDED and order.status is OrderStatus.REFUNDED
    assert assert_money_matches(app, localstripe, number) == (3900, 3900)
