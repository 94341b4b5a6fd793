"""WeChat Pay and Alipay through Stripe: the QR code, the redirect, and the money under faults.

The local Stripe server runs both as Stripe's test mode does (`devtools.localstripe_wallets`):
the payer authorizes or fails on its test page, the intent changes, and its event waits to
be delivered (the tests deliver webhooks themselves: a lost webhook is one not delivered).
Every test ends on the money: captured less refunded at Stripe equals what the app shows."""

import html
import re
import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    AttemptStatus,
    Order,
    OrderEvent,
    OrderStatus,
    PaymentAttempt,
    PayMethod,
    Refund,
    StripeEvent,
    VoucherStatus,
)
from marketplace.models.types import utcnow

from ..faults import charges, request_to
from .helpers import (
    REFUND_FORM,
    add_and_order,
    assert_money_matches,
    deliver_event,
    latest_intent,
    order_state,
    pay_by_wallet,
    payer_decides,
    stock,
    stripe_get,
    to_alipay,
    wallet_page,
)

SUCCEEDED = "payment_intent.succeeded"
FAILED = "payment_intent.payment_failed"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148"


def status(client, number: str, check: bool = False) -> dict:
    response = client.get(f"/checkout/{number}/status" + ("?check=1" if check else ""))
    assert response.status_code == 200
    return response.get_json()


def started_wechat(app, buyer, listing: int, quantity: int = 1) -> tuple[str, str]:
    """An order whose owner chose WeChat Pay: (order number, the QR code's page)."""
    number = add_and_order(buyer, listing, quantity)
    response = pay_by_wallet(buyer, number, "wechat_pay")
    assert response.headers["Location"].endswith(f"/checkout/{number}/wechat-pay")
    return number, wallet_page(stripe_base(app), latest_intent(app, number))


def stripe_base(app) -> str:
    return app.config["STRIPE_API_BASE"]


def event_kinds(app, number: str) -> list[str]:
    order, _, _ = order_state(app, number)
    with app.app_context():
        return list(
            db.session.scalars(
                select(OrderEvent.kind)
                .where(OrderEvent.order_id == order.id)
                .order_by(OrderEvent.id)
            )
        )


def test_wechat_pay_shows_a_qr_code_and_the_webhook_pays_the_order(app, buyer, shops, localstripe):
    listing = shops["listings"]["wash_a"]
    number, qr_page = started_wechat(app, buyer, listing, 2)
    page = buyer.get(f"/checkout/{number}/wechat-pay").get_data(as_text=True)
    assert 'src="data:image/png;base64,' in page, "the QR code is drawn by the app"
    assert "扫一扫" in page and 'width="240"' in page
    assert qr_page.startswith(localstripe + "/_local/wallets/pi_")
    intent = stripe_get(localstripe, f"/v1/payment_intents/{latest_intent(app, number)}")
    assert intent["payment_method_types"] == ["wechat_pay"] and intent["amount"] == 7800
    assert intent["metadata"] == {"order": number, "attempt": "1"}
    assert status(buyer, number) == {
        "order": "pending_payment",
        "payment": "requires_action",
        "done": False,
        "next": f"/checkout/{number}",
    }

    assert payer_decides(qr_page).status_code == 200
    assert status(buyer, number)["done"] is False, "nothing is known before the webhook"
    assert (
        deliver_event(buyer, localstripe, latest_intent(app, number), SUCCEEDED).status_code == 200
    )
    assert status(buyer, number) == {
        "order": "paid",
        "payment": "succeeded",
        "done": True,
        "next": f"/account/orders/{number}",
    }
    order, vouchers, (attempt,) = order_state(app, number)
    assert order.status is OrderStatus.PAID and len(vouchers) == 2
    assert attempt.method is PayMethod.WECHAT_PAY and attempt.fulfilled
    assert event_kinds(app, number) == [
        "placed",
        "payment_started",
        "payment_requires_action",
        "payment_succeeded",
        "paid",
        "vouchers_issued",
    ]
    history = buyer.get(f"/account/orders/{number}").get_data(as_text=True)
    assert "微信支付" in history, "the timeline names the method"
    assert assert_money_matches(app, localstripe, number) == (7800, 0)


def test_on_a_phone_the_qr_page_explains_how_and_links_the_instructions(
    app, buyer, shops, localstripe
):
    number, _ = started_wechat(app, buyer, shops["listings"]["wash_a"])
    page = buyer.get(f"/checkout/{number}/wechat-pay", headers={"User-Agent": PHONE})
    text = page.get_data(as_text=True)
    assert "相册" in text and "/instructions?secret=" in text
    desktop = buyer.get(f"/checkout/{number}/wechat-pay").get_data(as_text=True)
    assert "/instructions?" not in desktop
    instructions = requests.get(
        stripe_get(localstripe, f"/v1/payment_intents/{latest_intent(app, number)}")["next_action"][
            "wechat_pay_display_qr_code"
        ]["hosted_instructions_url"],
        timeout=10,
    )
    assert instructions.status_code == 200 and "<svg" in instructions.text


def test_a_webhook_that_never_comes_is_made_up_for_by_asking_stripe(app, buyer, shops, localstripe):
    number, qr_page = started_wechat(app, buyer, shops["listings"]["wash_a"])
    payer_decides(qr_page)
    assert status(buyer, number)["done"] is False
    assert status(buyer, number, check=True)["order"] == "paid"
    order, vouchers, _ = order_state(app, number)
    assert order.status is OrderStatus.PAID and len(vouchers) == 1
    # the webhook arrives after all, twice: nothing more happens
    for _ in range(2):
        deliver_event(buyer, localstripe, latest_intent(app, number), SUCCEEDED)
    assert len(order_state(app, number)[1]) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 1
    assert assert_money_matches(app, localstripe, number) == (3900, 0)


def test_a_failed_wechat_payment_says_so_and_alipay_pays_instead(app, buyer, shops, localstripe):
    number, qr_page = started_wechat(app, buyer, shops["listings"]["wash_a"])
    payer_decides(qr_page, authorize=False)
    deliver_event(buyer, localstripe, latest_intent(app, number), FAILED)
    assert status(buyer, number) == {
        "order": "pending_payment",
        "payment": "failed",
        "done": True,
        "next": f"/checkout/{number}",
    }
    page = buyer.get(f"/checkout/{number}").get_data(as_text=True)
    assert 'data-failed-method="wechat_pay"' in page and "微信支付" in page and "未扣款" in page
    assert assert_money_matches(app, localstripe, number) == (0, 0)

    alipay = to_alipay(buyer, pay_by_wallet(buyer, number, "alipay"))
    assert alipay.startswith(localstripe + "/_local/wallets/pi_")
    back = payer_decides(alipay)
    assert back.status_code == 303
    returned = urlsplit(back.headers["Location"])
    assert returned.path == f"/checkout/{number}/return"
    assert parse_qs(returned.query)["redirect_status"] == ["succeeded"]
    landed = buyer.get(f"{returned.path}?{returned.query}")
    assert landed.headers["Location"].endswith(f"/account/orders/{number}")
    order, vouchers, attempts = order_state(app, number)
    assert order.status is OrderStatus.PAID and len(vouchers) == 1
    assert [(a.method, a.status) for a in attempts] == [
        (PayMethod.WECHAT_PAY, AttemptStatus.FAILED),
        (PayMethod.ALIPAY, AttemptStatus.SUCCEEDED),
    ]
    # Alipay's webhook, late, changes nothing
    deliver_event(buyer, localstripe, attempts[1].intent_id, SUCCEEDED)
    assert len(order_state(app, number)[1]) == 1
    assert assert_money_matches(app, localstripe, number) == (3900, 0)


def test_a_failed_alipay_payment_comes_back_to_the_pay_page(app, buyer, shops, localstripe):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    back = payer_decides(to_alipay(buyer, pay_by_wallet(buyer, number, "alipay")), False)
    returned = urlsplit(back.headers["Location"])
    assert parse_qs(returned.query)["redirect_status"] == ["failed"]
    landed = buyer.get(f"{returned.path}?{returned.query}")
    assert landed.headers["Location"].endswith(f"/checkout/{number}")
    page = buyer.get(f"/checkout/{number}").get_data(as_text=True)
    assert 'data-failed-method="alipay"' in page and "支付宝" in page
    order, vouchers, (attempt,) = order_state(app, number)
    assert order.status is OrderStatus.PENDING_PAYMENT and not vouchers
    assert attempt.status is AttemptStatus.FAILED
    assert assert_money_matches(app, localstripe, number) == (0, 0)


def test_an_alipay_payment_left_unfinished_can_be_continued(app, buyer, shops, localstripe):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    alipay = to_alipay(buyer, pay_by_wallet(buyer, number, "alipay"))
    # the owner closes Alipay and comes back by the address bar
    assert (
        buyer.get(f"/checkout/{number}/return")
        .headers["Location"]
        .endswith(f"/account/orders/{number}")
    )
    page = buyer.get(f"/account/orders/{number}").get_data(as_text=True)
    assert 'data-waiting-method="alipay"' in page and f"/checkout/{number}/alipay" in page
    again = buyer.get(f"/checkout/{number}/alipay").get_data(as_text=True)
    assert f'content="0;url={alipay}' in html.unescape(again)
    payer_decides(alipay)
    buyer.get(f"/checkout/{number}/return")
    assert order_state(app, number)[0].status is OrderStatus.PAID
    assert assert_money_matches(app, localstripe, number) == (3900, 0)


def test_an_abandoned_qr_code_expires_with_the_order_and_can_no_longer_pay(
    app, buyer, shops, localstripe
):
    listing = shops["listings"]["wash_a"]
    before = stock(app, listing)
    number, qr_page = started_wechat(app, buyer, listing)
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        order.pay_by = utcnow() - timedelta(minutes=1)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["orders", "expire-unpaid"])
    assert "expired 1, found paid 0" in result.output
    order, vouchers, (attempt,) = order_state(app, number)
    assert order.status is OrderStatus.EXPIRED and not vouchers
    assert attempt.status is AttemptStatus.CANCELED
    assert stock(app, listing) == before
    intent = stripe_get(localstripe, f"/v1/payment_intents/{attempt.intent_id}")
    assert intent["status"] == "canceled"
    assert requests.get(qr_page, timeout=10).status_code == 409, "the QR code no longer pays"
    assert assert_money_matches(app, localstripe, number) == (0, 0)


def test_a_qr_code_paid_as_the_order_expires_pays_the_order(app, buyer, shops, localstripe):
    number, qr_page = started_wechat(app, buyer, shops["listings"]["wash_a"])
    payer_decides(qr_page)  # paid a moment before the window closed; no webhook yet
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        order.pay_by = utcnow() - timedelta(seconds=1)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["orders", "expire-unpaid"])
    assert "expired 0, found paid 1" in result.output
    order, vouchers, _ = order_state(app, number)
    assert order.status is OrderStatus.PAID and len(vouchers) == 1
    assert assert_money_matches(app, localstripe, number) == (3900, 0)


@pytest.mark.parametrize("method", ["wechat_pay", "alipay"])
def test_a_payment_landing_on_an_expired_order_is_refunded_automatically(
    app, buyer, shops, localstripe, method
):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    pay_by_wallet(buyer, number, method)
    payer_decides(wallet_page(localstripe, latest_intent(app, number)))
    with app.app_context():  # expired by hand, as if the job had closed it just before
        order = db.session.scalar(select(Order).where(Order.number == number))
        order.status = OrderStatus.EXPIRED
        db.session.commit()
    deliver_event(buyer, localstripe, latest_intent(app, number), SUCCEEDED)
    order, vouchers, _ = order_state(app, number)
    assert order.status is OrderStatus.EXPIRED and not vouchers
    with app.app_context():
        (refund,) = db.session.scalars(select(Refund)).all()
        assert refund.reason == "late_payment" and refund.amount_fen == 3900
        assert refund.attempt.method is PayMethod(method)
    refunds = stripe_get(localstripe, "/v1/refunds", payment_intent=latest_intent(app, number))
    assert [r["amount"] for r in refunds["data"]] == [3900]
    captured, refunded = assert_money_matches(app, localstripe, number)
    assert captured == refunded == 3900


def test_changing_to_alipay_cancels_the_waiting_qr_code(app, buyer, shops, localstripe):
    number, qr_page = started_wechat(app, buyer, shops["listings"]["wash_a"])
    page = buyer.get(f"/checkout/{number}").get_data(as_text=True)
    assert 'data-waiting-method="wechat_pay"' in page
    alipay = to_alipay(buyer, pay_by_wallet(buyer, number, "alipay"))
    assert requests.get(qr_page, timeout=10).status_code == 409
    payer_decides(alipay)
    buyer.get(f"/checkout/{number}/return")
    _, vouchers, attempts = order_state(app, number)
    assert [a.status for a in attempts] == [AttemptStatus.CANCELED, AttemptStatus.SUCCEEDED]
    assert len(vouchers) == 1
    assert assert_money_matches(app, localstripe, number) == (3900, 0)


def test_changing_method_after_the_qr_code_was_paid_takes_that_payment(
    app, buyer, shops, localstripe
):
    number, qr_page = started_wechat(app, buyer, shops["listings"]["wash_a"])
    payer_decides(qr_page)  # paid on the phone; the desktop still shows the pay page
    response = pay_by_wallet(buyer, number, "alipay")
    assert response.headers["Location"].endswith(f"/account/orders/{number}")
    order, vouchers, attempts = order_state(app, number)
    assert order.status is OrderStatus.PAID and len(vouchers) == 1
    assert [a.method for a in attempts] == [PayMethod.WECHAT_PAY], "no second payment"
    assert assert_money_matches(app, localstripe, number) == (3900, 0)


@pytest.mark.parametrize("method", ["wechat_pay", "alipay"])
def test_a_wallet_voucher_is_refunded_to_the_same_wallet(app, buyer, shops, localstripe, method):
    number = add_and_order(buyer, shops["listings"]["wash_a"], 2)
    pay_by_wallet(buyer, number, method)
    payer_decides(wallet_page(localstripe, latest_intent(app, number)))
    buyer.get(f"/checkout/{number}/return")
    _, vouchers, _ = order_state(app, number)
    first = min(vouchers, key=lambda v: v.id)
    assert buyer.post(f"/account/vouchers/{first.id}/refund", data=REFUND_FORM).status_code == 302
    order, vouchers, _ = order_state(app, number)
    assert order.status is OrderStatus.PARTIALLY_REFUNDED and order.refunded_fen == 3900
    assert {v.status for v in vouchers} == {VoucherStatus.REFUNDED, VoucherStatus.ISSUED}
    page = buyer.get(f"/account/orders/{number}").get_data(as_text=True)
    name = {"wechat_pay": "微信支付", "alipay": "支付宝"}[method]
    assert f'data-refund-method="{method}"' in page and f"退回{name}" in page
    refunds = stripe_get(localstripe, "/v1/refunds", payment_intent=latest_intent(app, number))
    assert [r["amount"] for r in refunds["data"]] == [3900]
    assert assert_money_matches(app, localstripe, number) == (7800, 3900)


def test_a_lost_answer_to_the_wechat_confirmation_still_reaches_the_qr_code(
    app, buyer, shops, localstripe, stripe_proxy
):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    stripe_proxy.drop_answer(charges)
    response = pay_by_wallet(buyer, number, "wechat_pay")
    assert response.headers["Location"].endswith(f"/account/orders/{number}")
    _, _, (attempt,) = order_state(app, number)
    assert attempt.status is AttemptStatus.UNKNOWN
    # the page asks Stripe (the owner came back a moment later): the QR code is waiting
    with app.app_context():
        row = db.session.get(PaymentAttempt, attempt.id)
        row.updated_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert status(buyer, number, check=True)["payment"] == "requires_action"
    page = buyer.get(f"/account/orders/{number}").get_data(as_text=True)
    assert 'data-waiting-method="wechat_pay"' in page
    qr = buyer.get(f"/checkout/{number}/wechat-pay").get_data(as_text=True)
    assert "data:image/png;base64," in qr
    payer_decides(wallet_page(localstripe, attempt.intent_id))
    deliver_event(buyer, localstripe, attempt.intent_id, SUCCEEDED)
    assert order_state(app, number)[0].status is OrderStatus.PAID
    assert assert_money_matches(app, localstripe, number) == (3900, 0)


def test_a_wallet_confirmation_that_never_reached_stripe_is_given_up(
    app, buyer, shops, localstripe, stripe_proxy
):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    stripe_proxy.refuse(charges, times=1)
    pay_by_wallet(buyer, number, "alipay")
    _, _, (attempt,) = order_state(app, number)
    assert attempt.status is AttemptStatus.UNKNOWN
    payer_decides(to_alipay(buyer, pay_by_wallet(buyer, number, "alipay")))
    buyer.get(f"/checkout/{number}/return")
    _, vouchers, attempts = order_state(app, number)
    assert [a.status for a in attempts] == [AttemptStatus.CANCELED, AttemptStatus.SUCCEEDED]
    assert len(vouchers) == 1
    assert assert_money_matches(app, localstripe, number) == (3900, 0)


def test_stripe_unreachable_when_starting_a_wallet_payment_takes_nothing(
    app, buyer, shops, localstripe, stripe_proxy
):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    stripe_proxy.refuse(request_to("/v1/payment_intents"), times=1)
    response = pay_by_wallet(buyer, number, "wechat_pay")
    assert response.headers["Location"].endswith(f"/checkout/{number}")
    page = buyer.get(f"/checkout/{number}").get_data(as_text=True)
    assert "没有响应" in page
    _, _, (attempt,) = order_state(app, number)
    assert attempt.status is AttemptStatus.FAILED and not attempt.declined
    assert assert_money_matches(app, localstripe, number) == (0, 0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请选择支付方式"),
        ({"method": "bitcoin"}, "请选择支付方式"),
        ({"method": "card"}, "请输入银行卡信息"),
    ],
)
def test_a_pay_form_without_a_valid_method_changes_nothing(
    app, buyer, shops, localstripe, data, message
):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    response = buyer.post(f"/checkout/{number}/pay", data=data, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    _, _, attempts = order_state(app, number)
    assert attempts == []


def test_the_pay_page_offers_wechat_pay_first(buyer, shops):
    number = add_and_order(buyer, shops["listings"]["wash_a"])
    page = buyer.get(f"/checkout/{number}").get_data(as_text=True)
    order = [page.index(f'value="{m}"') for m in ("wechat_pay", "alipay", "card")]
    assert order == sorted(order)
    assert re.search(r'<input checked[^>]*value="wechat_pay"', page), "WeChat Pay is chosen"


def test_another_owners_wallet_pages_are_404(app, buyer, shops, client, make_user):
    number, _ = started_wechat(app, buyer, shops["listings"]["wash_a"])
    make_user("other@example.com")
    other = app.test_client()
    other.login("other@example.com")
    for url in ("wechat-pay", "alipay", "status", "return"):
        assert other.get(f"/checkout/{number}/{url}").status_code == 404, url


def test_a_qr_code_paid_between_the_read_and_the_cancel_is_taken_not_charged_again(
    app, buyer, shops, localstripe, stripe_proxy
):
    """The owner switches to Alipay just as the phone pays the QR code: the app read the
    intent as waiting, Stripe then refuses the cancel (it succeeded), and the app takes it."""
    number, qr_page = started_wechat(app, buyer, shops["listings"]["wash_a"])
    reading = stripe_proxy.hold(request_to(r"/v1/payment_intents/pi_\w+", method="GET"))
    switching = threading.Thread(target=lambda: pay_by_wallet(buyer, number, "alipay"))
    switching.start()
    assert reading.reached.wait(10)
    payer_decides(qr_page)  # paid while the app's read ("waiting") is on its way back
    reading.released.set()
    switching.join(20)
    order, vouchers, attempts = order_state(app, number)
    assert order.status is OrderStatus.PAID and len(vouchers) == 1
    assert [(a.method, a.status) for a in attempts] == [
        (PayMethod.WECHAT_PAY, AttemptStatus.SUCCEEDED)
    ], "no Alipay payment was started"
    assert assert_money_matches(app, localstripe, number) == (3900, 0)


def test_the_wallet_pages_in_english(app, buyer, shops, localstripe):
    buyer.post("/language", data={"lang": "en"})
    number, _ = started_wechat(app, buyer, shops["listings"]["wash_a"])
    qr = buyer.get(f"/checkout/{number}/wechat-pay").get_data(as_text=True)
    assert '<html lang="en">' in qr and "Pay with WeChat Pay" in qr and "I have paid" in qr
    pay_page = buyer.get(f"/checkout/{number}").get_data(as_text=True)
    assert "You started paying with WeChat Pay." in pay_page and "Bank card" in pay_page
    assert to_alipay(buyer, pay_by_wallet(buyer, number, "alipay")).startswith(localstripe)
    page = buyer.get(f"/checkout/{number}/alipay").get_data(as_text=True)
    assert "Taking you to Alipay" in page and "Continue to Alipay" in page
