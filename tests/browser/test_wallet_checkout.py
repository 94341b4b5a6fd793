"""WeChat Pay and Alipay in a real browser, against the local Stripe server's test pages.

WeChat Pay: the pay page shows the QR code; the payer's phone (another browser page) opens
what it encodes and authorizes or fails; the waiting page hears of it (the webhook reaches
the live app) and moves on. Alipay: the pay page goes to Alipay's (test) page and comes back
to the order. Each paid order is then refunded, one voucher, to the same wallet."""

import re
import time

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db
from marketplace.models import AttemptStatus, OrderStatus, PayMethod, StripeEvent

from ..payments.helpers import latest_intent, order_state, stripe_get
from .conftest import CHROMIUM
from .steps import PAID_TIMEOUT_MS, add_to_cart_and_order, sign_in

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} not found (Debian package chromium)"
)

OWNER = "wallet-owner@example.com"


def order_something(page, base, listing_id: int, snap) -> str:
    page.goto(f"{base}/listings/{listing_id}")
    return add_to_cart_and_order(page, base, listing_id, 1, snap)


def fits_the_screen(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width


def qr_code_text(app, number: str) -> str:
    intent = stripe_get(
        app.config["STRIPE_API_BASE"], f"/v1/payment_intents/{latest_intent(app, number)}"
    )
    return intent["next_action"]["wechat_pay_display_qr_code"]["data"]


def webhook_handled(app, kind: str, seconds: float = 10) -> None:
    """Wait until the local Stripe server's `kind` webhook has reached the live app. Alipay's
    return already settled the order; its webhook comes a moment later, and on SQLite a
    write at the same moment (the refund) would find the database locked."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            if db.session.scalar(db.select(StripeEvent.id).where(StripeEvent.type == kind)):
                return
        time.sleep(0.05)
    raise AssertionError(f"no {kind} webhook reached the app in {seconds} s")


def refund_one(page, base: str, number: str, method_name: str) -> None:
    page.locator("article.voucher [data-refund-link]").first.click()
    page.wait_for_url(re.compile(r"/account/vouchers/\d+/refund$"))
    page.locator('form[data-refund-form] input[name="reason"]').first.check()
    page.locator('form[data-refund-form] input[name="confirm"]').check()
    page.click("form[data-refund-form] button[type=submit]")
    page.wait_for_url(f"{base}/account/orders/{number}")
    refund = page.locator('[data-refund-status="succeeded"]')
    expect(refund).to_be_visible()
    expect(refund).to_contain_text(method_name)


def test_wechat_pay_by_scanning_then_a_refund_to_wechat(
    app, shops, make_user, live_server, browser_page, open_page, snap
):
    page, base = browser_page, live_server
    make_user(OWNER)
    sign_in(page, base, OWNER)
    number = order_something(page, base, shops["listings"]["oil_a"], snap)
    expect(page.locator("input[name=method][value=wechat_pay]")).to_be_checked()
    expect(page.locator("#card-element")).to_be_hidden()
    fits_the_screen(page)
    snap("09-pay-methods")
    page.click("#pay-button")
    page.wait_for_url(f"{base}/checkout/{number}/wechat-pay")
    qr = page.locator("img.qr-wallet")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 200, box
    assert page.evaluate("document.querySelector('img.qr-wallet').naturalWidth") > 0
    fits_the_screen(page)
    on_phone = page.viewport_size["width"] < 600
    expect(page.locator('a[href*="/instructions?secret="]')).to_have_count(1 if on_phone else 0)
    snap("10-qr-code")

    phone = open_page()  # the payer's phone, having scanned the code
    phone.goto(qr_code_text(app, number))
    phone.click("#authorize")
    expect(phone.locator("#state")).to_have_attribute("data-status", "succeeded")

    page.wait_for_url(f"{base}/account/orders/{number}", timeout=PAID_TIMEOUT_MS)
    expect(page.locator('[data-order-status="paid"]')).to_be_visible()
    expect(page.locator("article.voucher")).to_have_count(1)
    expect(page.locator('.timeline [data-event="payment_started"]')).to_contain_text("微信支付")
    snap("11-paid")
    refund_one(page, base, number, "微信支付")
    snap("12-refunded")
    order, _, (attempt,) = order_state(app, number)
    assert attempt.method is PayMethod.WECHAT_PAY and attempt.status is AttemptStatus.SUCCEEDED
    assert order.refunded_fen == order.total_fen


def test_a_failed_wechat_payment_goes_back_to_the_pay_page(
    app, shops, make_user, live_server, browser_page, open_page, snap
):
    page, base = browser_page, live_server
    make_user(OWNER)
    sign_in(page, base, OWNER)
    number = order_something(page, base, shops["listings"]["wash_a"], snap)
    page.click("#pay-button")
    page.wait_for_url(f"{base}/checkout/{number}/wechat-pay")
    phone = open_page()
    phone.goto(qr_code_text(app, number))
    phone.click("#fail")
    page.wait_for_url(f"{base}/checkout/{number}", timeout=PAID_TIMEOUT_MS)
    expect(page.locator('[data-failed-method="wechat_pay"]')).to_contain_text("微信支付")
    expect(page.locator("#pay-button")).to_be_enabled()
    snap("10-failed")
    order, vouchers, (attempt,) = order_state(app, number)
    assert order.status is OrderStatus.PENDING_PAYMENT and not vouchers
    assert attempt.status is AttemptStatus.FAILED


def test_alipay_redirects_and_comes_back_paid_then_a_refund_to_alipay(
    app, shops, make_user, live_server, browser_page, snap
):
    page, base = browser_page, live_server
    make_user(OWNER)
    sign_in(page, base, OWNER)
    number = order_something(page, base, shops["listings"]["oil_a"], snap)
    page.check("input[name=method][value=alipay]")
    expect(page.locator("#pay-button")).to_contain_text("支付宝")
    page.click("#pay-button")
    page.wait_for_url(re.compile(r"/_local/wallets/pi_\w+\?secret="))
    snap("10-alipay")
    page.click("#authorize")
    page.wait_for_url(f"{base}/account/orders/{number}")
    expect(page.locator('[data-order-status="paid"]')).to_be_visible()
    snap("11-paid")
    webhook_handled(app, "payment_intent.succeeded")
    refund_one(page, base, number, "支付宝")
    order, _, (attempt,) = order_state(app, number)
    assert attempt.method is PayMethod.ALIPAY and order.refunded_fen == order.total_fen


def test_a_failed_alipay_payment_comes_back_to_try_again(
    app, shops, make_user, live_server, browser_page, snap
):
    page, base = browser_page, live_server
    make_user(OWNER)
    sign_in(page, base, OWNER)
    number = order_something(page, base, shops["listings"]["wash_a"], snap)
    page.check("input[name=method][value=alipay]")
    page.click("#pay-button")
    page.wait_for_url(re.compile(r"/_local/wallets/pi_\w+\?secret="))
    page.click("#fail")
    page.wait_for_url(f"{base}/checkout/{number}")
    expect(page.locator('[data-failed-method="alipay"]')).to_contain_text("支付宝")
    expect(page.locator("input[name=method][value=alipay]")).to_be_checked()
    snap("11-failed")
    webhook_handled(app, "payment_intent.payment_failed")
    order, vouchers, (attempt,) = order_state(app, number)
    assert order.status is OrderStatus.PENDING_PAYMENT and not vouchers
    assert attempt.status is AttemptStatus.FAILED
