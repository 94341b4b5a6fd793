"""The card form in a real browser: listing → cart → order → Stripe.js card form → vouchers."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AttemptStatus, OrderStatus, StripeEvent
from marketplace.services import codes

from ..payments.helpers import DECLINED_ON_CHARGE, GOOD_CARD, order_state
from .conftest import CHROMIUM
from .steps import PAID_TIMEOUT_MS, add_to_cart_and_order, fill_card, sign_in

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} not found (Debian package chromium)"
)

OWNER = "browser-owner@example.com"


def place_order(page, base: str, listing_id: int, quantity: int, snap) -> str:
    """Listing page → add to cart → place the order; returns the order number."""
    page.goto(f"{base}/listings/{listing_id}")
    return add_to_cart_and_order(page, base, listing_id, quantity, snap)


def test_a_card_pays_and_the_order_shows_one_voucher_per_unit(
    app, shops, make_user, live_server, browser_page, snap
):
    page, base = browser_page, live_server
    make_user(OWNER)
    sign_in(page, base, OWNER)
    number = place_order(page, base, shops["listings"]["oil_a"], 2, snap)

    fill_card(page, GOOD_CARD)
    snap("09-card-form")
    page.click("#pay-button")
    page.wait_for_url(f"{base}/account/orders/{number}")
    snap("10-processing")
    # The webhook (sent by the local Stripe server ~1 s after the event) marks it paid;
    # until then the page says so and refreshes itself. One read of the DOM, as a
    # refresh may come between two.
    status, notice, refresh = page.evaluate(
        """() => [
            document.querySelector("[data-order-status]").dataset.orderStatus,
            !!document.querySelector('[data-processing="1"]'),
            !!document.querySelector('meta[http-equiv="refresh"]'),
        ]"""
    )
    assert status == "paid" or (status, notice, refresh) == ("pending_payment", True, True)
    paid = page.locator('[data-order-status="paid"]')
    expect(paid).to_be_visible(timeout=PAID_TIMEOUT_MS)
    expect(page.locator("[data-processing]")).to_have_count(0)
    snap("11-paid")

    vouchers = page.locator("article.voucher")
    expect(vouchers).to_have_count(2)
    shown = []
    for i in range(2):
        voucher = vouchers.nth(i)
        code = voucher.locator("[data-voucher-code]").get_attribute("data-voucher-code")
        assert re.fullmatch(r"\d{12}", code) and codes.is_valid(code), code
        expect(voucher.locator(".qr svg")).to_have_count(1)
        shown.append(code)

    order, issued, attempts = order_state(app, number)
    assert order.status is OrderStatus.PAID
    assert sorted(shown) == sorted(v.code for v in issued)
    assert [a.status for a in attempts] == [AttemptStatus.SUCCEEDED]
    with app.app_context():  # it was the webhook that reached the live app
        kinds = db.session.scalars(select(StripeEvent.type)).all()
    assert "payment_intent.succeeded" in kinds


def test_a_declined_card_shows_the_error_and_the_order_stays_unpaid(
    app, shops, make_user, live_server, browser_page, snap
):
    page, base = browser_page, live_server
    make_user(OWNER)
    sign_in(page, base, OWNER)
    number = place_order(page, base, shops["listings"]["wash_a"], 1, snap)

    fill_card(page, DECLINED_ON_CHARGE)
    snap("09-card-form")
    with page.expect_navigation():  # back to the same URL, with the error
        page.click("#pay-button")
    assert page.url == f"{base}/checkout/{number}"
    # the one message for a declined card (the interface is in Chinese by default)
    expect(page.locator(".flash-error").first).to_contain_text(re.compile("被拒绝|declined"))
    expect(page.locator("#card-element input")).to_have_count(5)  # the form is back
    expect(page.locator("#pay-button")).to_be_enabled()
    snap("10-declined")

    order, issued, attempts = order_state(app, number)
    assert order.status is OrderStatus.PENDING_PAYMENT and not issued
    assert [a.status for a in attempts] == [AttemptStatus.FAILED]
    page.goto(f"{base}/account/orders/{number}")
    expect(page.locator('[data-order-status="pending_payment"]')).to_be_visible()


def test_the_card_number_may_be_typed_with_spaces(
    app, shops, make_user, live_server, browser_page, snap
):
    """As printed on the card: "4242 4242 4242 4242" pays like the bare number."""
    page, base = browser_page, live_server
    make_user(OWNER)
    sign_in(page, base, OWNER)
    number = place_order(page, base, shops["listings"]["oil_a"], 1, snap)
    fill_card(page, " ".join(GOOD_CARD[i : i + 4] for i in range(0, 16, 4)))
    page.click("#pay-button")
    page.wait_for_url(f"{base}/account/orders/{number}")
    expect(page.locator('[data-order-status="paid"]')).to_be_visible(timeout=PAID_TIMEOUT_MS)
    order, issued, _attempts = order_state(app, number)
    assert order.status is OrderStatus.PAID and len(issued) == 1
    # the code to show at the counter: a QR at least 200 px wide with the code beneath it,
    # and the refund a link on its own line below, not a button beside it
    qr = page.locator("article.voucher .qr svg").bounding_box()
    assert qr["width"] >= 200, qr
    code = page.locator("article.voucher .qr-block .voucher-code").bounding_box()
    assert code["y"] > qr["y"] + qr["height"] - 1
    refund = page.locator("article.voucher [data-refund-link]").bounding_box()
    assert refund["y"] > code["y"] + code["height"]
    expect(page.locator('article.voucher form[action$="/refund"]')).to_have_count(0)
    page.locator("article.voucher [data-fullscreen]").click()
    page.wait_for_url(re.compile(r"/account/vouchers/\d+/code$"))
    assert page.locator(".qr-large svg").bounding_box()["width"] >= 300

    # the refund asks why and for a confirmation, on a page that fits the screen
    page.go_back()
    page.locator("article.voucher [data-refund-link]").click()
    page.wait_for_url(re.compile(r"/account/vouchers/\d+/refund$"))
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    page.locator('form[data-refund-form] input[name="reason"]').first.check()
    page.click("form[data-refund-form] button[type=submit]")
    expect(page.locator("form[data-refund-form] .errors")).to_be_visible()  # not confirmed
    assert order_state(app, number)[0].refunded_fen == 0
    page.locator('form[data-refund-form] input[name="confirm"]').check()
    page.click("form[data-refund-form] button[type=submit]")
    page.wait_for_url(f"{base}/account/orders/{number}")
    expect(page.locator('[data-refund-status="succeeded"]')).to_be_visible()
    order, _issued, _attempts = order_state(app, number)
    assert order.refunded_fen == order.total_fen
