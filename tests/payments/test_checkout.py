"""Cart, orders, paying through the local Stripe server, webhooks and vouchers."""

import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    AttemptStatus,
    CartLine,
    Listing,
    Order,
    OrderEvent,
    OrderStatus,
    StripeEvent,
    User,
    Voucher,
    VoucherStatus,
)
from marketplace.models.types import utcnow
from marketplace.services import codes

from ..conftest import COROLLA_CVT
from .helpers import (
    DECLINED_ON_ATTACH,
    DECLINED_ON_CHARGE,
    NEEDS_3DS,
    add_and_order,
    deliver,
    deliver_success,
    events_for,
    order_state,
    pay,
    stock,
    stripe_get,
)

OWNER = "buyer@example.com"


def set_listing(app, listing_id, **values):
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        for key, value in values.items():
            setattr(listing, key, value)
        db.session.commit()


# --- cart -------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", ["0", "-1", "1000000000", "abc", ""])
def test_bad_quantities_are_refused_and_nothing_is_added(app, buyer, shops, quantity):
    listing = shops["listings"]["oil_a"]
    response = buyer.post(
        "/cart/add", data={"listing_id": listing, "quantity": quantity}, follow_redirects=True
    )
    assert "请选择 1 到 10 的数量" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CartLine)) == 0


def test_a_draft_or_unknown_listing_cannot_be_added(buyer, shops):
    for listing in (shops["listings"]["draft_b"], 999999, "x"):
        response = buyer.post("/cart/add", data={"listing_id": listing, "quantity": 1})
        assert response.status_code == 404


def test_a_suspended_shops_listing_cannot_be_added(app, buyer, shops):
    from marketplace.models import Shop, User
    from marketplace.services import shops as shop_service

    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@example.com"))
        shop_service.suspend(admin, db.session.get(Shop, shops["a"]), "证照过期")
        db.session.commit()
    response = buyer.post("/cart/add", data={"listing_id": shops["listings"]["oil_a"]})
    assert response.status_code == 404


def test_stock_limits_the_cart(app, buyer, shops):
    listing = shops["listings"]["wash_a"]
    set_listing(app, listing, stock=2)
    page = buyer.post(
        "/cart/add", data={"listing_id": listing, "quantity": 3}, follow_redirects=True
    ).get_data(as_text=True)
    assert "仅剩 2 份" in page
    set_listing(app, listing, stock=0)
    page = buyer.post(
        "/cart/add", data={"listing_id": listing, "quantity": 1}, follow_redirects=True
    ).get_data(as_text=True)
    assert "已售罄" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CartLine)) == 0


def test_a_guest_cart_survives_sign_in_with_the_vehicle(app, client, make_user, shops):
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    client.post("/cart/add", data={"listing_id": shops["listings"]["oil_a"], "quantity": 2})
    assert "小保养套餐" in client.get("/cart/").get_data(as_text=True)
    make_user(OWNER)
    client.login(OWNER)
    with app.app_context():
        line = db.session.scalar(select(CartLine))
        assert (line.listing_id, line.quantity, line.variant_id) == (
            shops["listings"]["oil_a"],
            2,
            COROLLA_CVT,
        )


def test_a_changed_price_is_shown_not_charged(app, buyer, shops):
    listing = shops["listings"]["oil_a"]
    buyer.post("/cart/add", data={"listing_id": listing, "quantity": 1})
    set_listing(app, listing, price_fen=31900)
    page = buyer.get("/cart/").get_data(as_text=True)
    assert "¥299.00" in page and "¥319.00" in page  # the change is shown
    response = buyer.post("/cart/checkout", data={"expected_total": "29900"})
    assert response.headers["Location"].endswith("/cart/")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    number = add_and_order(buyer, shops["listings"]["wash_a"])  # total now re-read
    order, _, _ = order_state(app, number)
    assert order.total_fen == 31900 + 3900


# --- orders -----------------------------------------------------------------------------


def test_an_order_snapshots_its_lines_and_later_edits_change_nothing(app, buyer, shops):
    buyer.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    number = add_and_order(buyer, shops["listings"]["oil_a"], 2)
    set_listing(app, shops["listings"]["oil_a"], price_fen=100, title="改过的标题")
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        (line,) = order.lines
        assert order.status is OrderStatus.PENDING_PAYMENT
        assert order.total_fen == 2 * 29900 and order.currency == "CNY"
        assert (line.title, line.unit_price_fen, line.quantity) == (
            "小保养套餐 机油+机滤 全合成",
            29900,
            2,
        )
        assert line.shop_name == "驰安养车（望京店）" and "卡罗拉" in line.vehicle_label
        assert line.items == "engine_oil,oil_filter"
        assert [e.kind for e in order.events] == ["placed"]
        assert len(number) == 16 and number.isdigit()
        assert db.session.scalar(select(func.count()).select_from(CartLine)) == 0
    assert "小保养套餐 机油+机滤 全合成" in buyer.get(f"/checkout/{number}").get_data(as_text=True)


def test_stock_is_reserved_and_released_when_cancelled(app, buyer, shops):
    listing = shops["listings"]["wash_a"]
    set_listing(app, listing, stock=5)
    number = add_and_order(buyer, listing, 2)
    assert stock(app, listing) == 3
    response = buyer.post(f"/checkout/{number}/cancel", follow_redirects=True)
    assert "订单已取消" in response.get_data(as_text=True)
    assert stock(app, listing) == 5
    order, _, _ = order_state(app, number)
    assert order.status is OrderStatus.CANCELLED
    assert (
        buyer.post(f"/checkout/{number}/pay", data={"method": "card", "token": "tok_x"}).status_code
        == 302
    )
    assert order_state(app, number)[2] == []  # no attempt on a cancelled order


def test_someone_elses_order_is_a_404(app, buyer, client, make_user, shops):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    other = app.test_client()
    make_user("other@example.com")
    other.login("other@example.com")
    for url in (f"/checkout/{number}", f"/account/orders/{number}", f"/checkout/{number}/return"):
        assert other.get(url).status_code == 404
    for url in (f"/checkout/{number}/pay", f"/checkout/{number}/cancel"):
        assert other.post(url, data={"method": "card", "token": "tok_abc"}).status_code == 404
    assert other.get("/account/orders/0000000000000000").status_code == 404
    assert order_state(app, number)[0].status is OrderStatus.PENDING_PAYMENT


# --- paying -----------------------------------------------------------------------------


def test_pay_then_the_webhook_issues_one_voucher_per_unit(app, buyer, shops, localstripe):
    listing = shops["listings"]["oil_a"]
    number = add_and_order(buyer, listing, 2)
    response = pay(buyer, localstripe, number)
    assert response.headers["Location"].endswith(f"/account/orders/{number}")
    page = buyer.get(f"/account/orders/{number}").get_data(as_text=True)
    assert 'data-processing="1"' in page and 'http-equiv="refresh"' in page
    order, vouchers, attempts = order_state(app, number)
    assert order.status is OrderStatus.PENDING_PAYMENT and not vouchers
    assert attempts[0].status is AttemptStatus.SUCCEEDED and attempts[0].intent_id

    assert deliver_success(buyer, localstripe, app, number).status_code == 200
    order, vouchers, _ = order_state(app, number)
    assert order.status is OrderStatus.PAID and order.paid_at is not None
    assert len(vouchers) == 2 and all(codes.is_valid(v.code) for v in vouchers)
    assert {v.status for v in vouchers} == {VoucherStatus.ISSUED}
    assert all(v.expires_at - v.issued_at == timedelta(days=90) for v in vouchers)
    page = buyer.get(f"/account/orders/{number}").get_data(as_text=True)
    assert 'data-processing="1"' not in page
    for voucher in vouchers:
        assert f'data-voucher-code="{voucher.code}"' in page
    assert page.count("<svg") == 2
    vouchers_page = buyer.get("/account/vouchers").get_data(as_text=True)
    assert "随时退" in vouchers_page and "望京店" in vouchers_page
    with app.app_context():
        assert db.session.get(Listing, listing).sales_count == 52
        kinds = [e.kind for e in db.session.scalars(select(OrderEvent).order_by(OrderEvent.id))]
        assert kinds == [
            "placed",
            "payment_started",
            "payment_succeeded",
            "paid",
            "vouchers_issued",
        ]


def test_duplicate_and_out_of_order_webhooks_change_nothing(app, buyer, shops, localstripe):
    number = add_and_order(buyer, shops["listings"]["wash_a"], 3)
    pay(buyer, localstripe, number)
    _, _, attempts = order_state(app, number)
    (succeeded,) = events_for(localstripe, attempts[0].intent_id)
    for _ in range(3):
        assert deliver(buyer, succeeded).status_code == 200
    # a stale "failed" event for the same intent arriving late: the re-read says succeeded
    stale = {**succeeded, "id": "evt_stale_failure", "type": "payment_intent.payment_failed"}
    assert deliver(buyer, stale).status_code == 200
    order, vouchers, attempts = order_state(app, number)
    assert order.status is OrderStatus.PAID and len(vouchers) == 3
    assert attempts[0].status is AttemptStatus.SUCCEEDED
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 2


def test_the_return_page_confirms_a_payment_whose_webhook_is_late(app, buyer, shops, localstripe):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    pay(buyer, localstripe, number)
    with app.app_context():  # the webhook has not come for a while
        from marketplace.models import PaymentAttempt

        attempt = db.session.scalar(select(PaymentAttempt))
        attempt.updated_at = utcnow() - timedelta(seconds=30)
        db.session.commit()
    page = buyer.get(f"/account/orders/{number}").get_data(as_text=True)
    assert 'data-order-status="paid"' in page
    assert len(order_state(app, number)[1]) == 1
    assert deliver_success(buyer, localstripe, app, number).status_code == 200
    assert len(order_state(app, number)[1]) == 1


def test_a_declined_card_leaves_the_order_pending_and_the_owner_retries(
    app, buyer, shops, localstripe
):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    response = pay(buyer, localstripe, number, DECLINED_ON_CHARGE)
    assert response.headers["Location"].endswith(f"/checkout/{number}")
    page = buyer.get(f"/checkout/{number}").get_data(as_text=True)
    assert page.count("支付未成功") == 1 and "declined" not in page
    response = pay(buyer, localstripe, number, DECLINED_ON_ATTACH)
    assert response.headers["Location"].endswith(f"/checkout/{number}")
    order, vouchers, attempts = order_state(app, number)
    assert order.status is OrderStatus.PENDING_PAYMENT and not vouchers
    assert [a.status for a in attempts] == [AttemptStatus.FAILED, AttemptStatus.FAILED]

    pay(buyer, localstripe, number)
    deliver_success(buyer, localstripe, app, number)
    order, vouchers, attempts = order_state(app, number)
    assert order.status is OrderStatus.PAID and len(vouchers) == 1
    assert [a.number for a in attempts] == [1, 2, 3]


def test_3d_secure_goes_through_the_bank_page(app, buyer, shops, localstripe):
    import requests

    number = add_and_order(buyer, shops["listings"]["wash_a"])
    response = pay(buyer, localstripe, number, NEEDS_3DS)
    assert response.headers["Location"].endswith(f"/checkout/{number}/authenticate")
    page = buyer.get(f"/checkout/{number}/authenticate").get_data(as_text=True)
    secret = re.search(r'data-client-secret="([^"]+)"', page).group(1)
    intent = secret.split("_secret_")[0]
    # what Stripe.js's confirmCardPayment does when the payer completes the bank's check
    done = requests.post(
        f"{localstripe}/v1/payment_intents/{intent}/_authenticate?success=true",
        json={"key": "pk_test_marketplace", "client_secret": secret},
        timeout=10,
    )
    assert done.status_code == 200, done.text
    response = buyer.get(f"/checkout/{number}/return")
    assert response.headers["Location"].endswith(f"/account/orders/{number}")
    order, vouchers, _ = order_state(app, number)
    assert order.status is OrderStatus.PAID and len(vouchers) == 1


def test_a_stripe_outage_leaves_the_order_pending_with_a_message(app, buyer, shops):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there
    app.config["STRIPE_TIMEOUT_SECONDS"] = 2
    app.extensions.pop("stripe_client", None)
    response = buyer.post(
        f"/checkout/{number}/pay", data={"method": "card", "token": "tok_anything"}
    )
    assert response.headers["Location"].endswith(f"/checkout/{number}")
    page = buyer.get(f"/checkout/{number}").get_data(as_text=True)
    assert "支付服务没有响应" in page and "银行卡被拒绝" not in page
    order, vouchers, attempts = order_state(app, number)
    assert order.status is OrderStatus.PENDING_PAYMENT and not vouchers
    assert attempts[0].status is AttemptStatus.FAILED


def test_a_forged_token_is_refused_before_stripe(app, buyer, shops):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    for token in ("", "pm_123", "tok_<script>", "tok_" + "a" * 300):
        response = buyer.post(f"/checkout/{number}/pay", data={"method": "card", "token": token})
        assert response.headers["Location"].endswith(f"/checkout/{number}")
    assert order_state(app, number)[2] == []


# --- webhooks ---------------------------------------------------------------------------


def test_bad_webhooks_are_refused_and_change_nothing(app, client, shops, localstripe):
    event = {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_x"}}}
    payload = json.dumps(event).encode()
    bad = [
        deliver(client, event, secret="whsec_wrong"),
        deliver(client, event, timestamp=int(time.time()) - 3600),
        deliver(client, b"not json at all"),
        client.post(
            "/checkout/stripe/webhook", data=payload, content_type="application/json", csrf=False
        ),
    ]
    assert [r.status_code for r in bad] == [400, 400, 400, 400]
    signed_but_not_events = [
        deliver(client, b"[]"),
        deliver(client, b'"evt_1"'),
        deliver(client, b"null"),
        deliver(client, {"id": "evt_3", "type": "payment_intent.succeeded", "data": []}),
        deliver(client, {"id": 7, "type": "payment_intent.succeeded", "data": {"object": {}}}),
        deliver(client, {"type": "payment_intent.succeeded", "data": {"object": {"id": "pi"}}}),
        deliver(client, event, timestamp=int(time.time()) + 3600),  # from the future
        deliver(client, event, timestamp=int(time.time()) + 301),
    ]
    assert [r.status_code for r in signed_but_not_events] == [400] * 8
    assert deliver(client, event, timestamp=int(time.time()) + 60).status_code == 200, (
        "a clock a minute ahead is within the tolerance"
    )
    unknown = {"id": "evt_2", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}
    response = deliver(client, unknown)
    assert response.status_code == 200 and response.get_json()["outcome"] == "ignored"
    with app.app_context():
        assert sorted(db.session.scalars(select(StripeEvent.event_id))) == ["evt_1", "evt_2"]


# --- jobs -------------------------------------------------------------------------------


def test_expire_unpaid_closes_late_orders_and_finds_unreported_payments(
    app, buyer, shops, localstripe
):
    listing = shops["listings"]["wash_a"]
    set_listing(app, listing, stock=10)
    unpaid = add_and_order(buyer, listing, 2)
    paid_unreported = add_and_order(buyer, listing, 1)
    fresh = add_and_order(buyer, listing, 1)
    pay(buyer, localstripe, paid_unreported)
    assert stock(app, listing) == 6
    with app.app_context():
        for number in (unpaid, paid_unreported):
            order = db.session.scalar(select(Order).where(Order.number == number))
            order.pay_by = utcnow() - timedelta(minutes=1)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["orders", "expire-unpaid"])
    assert result.exit_code == 0, result.output
    assert "expired 1, found paid 1" in result.output
    assert order_state(app, unpaid)[0].status is OrderStatus.EXPIRED
    assert order_state(app, paid_unreported)[0].status is OrderStatus.PAID
    assert order_state(app, fresh)[0].status is OrderStatus.PENDING_PAYMENT
    assert stock(app, listing) == 8
    again = app.test_cli_runner().invoke(args=["orders", "expire-unpaid"])
    assert "expired 0, found paid 0" in again.output


def test_a_payment_landing_on_an_expired_order_is_refunded(app, buyer, shops, localstripe):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    pay(buyer, localstripe, number)
    with app.app_context():  # expired by hand as if the job had run before Stripe answered
        order = db.session.scalar(select(Order).where(Order.number == number))
        order.status = OrderStatus.EXPIRED
        db.session.commit()
    deliver_success(buyer, localstripe, app, number)
    order, vouchers, attempts = order_state(app, number)
    assert order.status is OrderStatus.EXPIRED and not vouchers
    refunds = events_for(localstripe, attempts[0].intent_id)  # the charge stays on record
    assert refunds
    with app.app_context():
        from marketplace.models import Refund

        (refund,) = db.session.scalars(select(Refund)).all()
        assert refund.reason == "late_payment" and refund.amount_fen == 3900
        assert refund.stripe_refund_id.startswith("re_")


def test_pages_need_sign_in(client, shops):
    for url in ("/account/orders", "/account/vouchers", "/checkout/1234"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_voucher_code_is_unique_in_the_database(app, buyer, shops, localstripe):
    from sqlalchemy.exc import IntegrityError

    number = add_and_order(buyer, shops["listings"]["wash_a"], 2)
    pay(buyer, localstripe, number)
    deliver_success(buyer, localstripe, app, number)
    with app.app_context():
        first, second = db.session.scalars(select(Voucher).order_by(Voucher.id)).all()
        second.code = first.code
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_vanished_stripe_customer_is_created_again(app, buyer, shops, localstripe):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == OWNER))
        user.stripe_customer_id = "cus_deletedlongago"  # e.g. test data reset on Stripe
        db.session.commit()
    number = add_and_order(buyer, shops["listings"]["oil_a"])
    response = pay(buyer, localstripe, number)
    assert response.headers["Location"].endswith(f"/account/orders/{number}")
    _, _, attempts = order_state(app, number)
    assert attempts[0].status is AttemptStatus.SUCCEEDED
    with app.app_context():
        customer = db.session.scalar(select(User).where(User.email == OWNER)).stripe_customer_id
    assert customer.startswith("cus_") and customer != "cus_deletedlongago"
    assert stripe_get(localstripe, f"/v1/customers/{customer}")["email"] == OWNER
    second = add_and_order(buyer, shops["listings"]["wash_a"])
    assert pay(buyer, localstripe, second).status_code == 302
    assert order_state(app, second)[2][0].status is AttemptStatus.SUCCEEDED


def test_an_unknown_card_token_is_not_taken_for_a_vanished_customer(app, buyer, shops, localstripe):
    def customers() -> set[str]:
        listed = stripe_get(localstripe, "/v1/customers", limit=100)["data"]
        return {c["id"] for c in listed if c["email"] == OWNER}

    before = customers()
    number = add_and_order(buyer, shops["listings"]["oil_a"])
    buyer.post(f"/checkout/{number}/pay", data={"method": "card", "token": "tok_neverissued1234"})
    assert order_state(app, number)[2][0].status is AttemptStatus.FAILED
    with app.app_context():
        customer = db.session.scalar(select(User).where(User.email == OWNER)).stripe_customer_id
    assert customers() - before == {customer}
