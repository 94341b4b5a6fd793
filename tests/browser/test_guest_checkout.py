"""A guest picks a car, buys what fits it, signs in at checkout and lands back in the cart
(not on a 405), then orders and reaches the payment page."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Order

from ..conftest import PASSWORD
from .conftest import CAR, CHROMIUM
from .steps import pick_car

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} not found (Debian package chromium)"
)

GUEST = "guest-buyer@example.com"


def test_a_guest_buys_for_the_selected_car_through_sign_in(
    app, shops, make_user, live_server, browser_page, snap
):
    page, base = browser_page, live_server
    make_user(GUEST)
    page.goto(base)
    pick_car(page, CAR, snap)

    page.goto(f"{base}/listings/?fits=0")
    ev_only = page.locator(f'li.listing-card[data-listing-id="{shops["listings"]["ev_b"]}"]')
    expect(ev_only.locator('[data-fit="no"]')).to_be_visible()
    page.goto(f"{base}/listings/{shops['listings']['ev_b']}")
    page.click("form.buy-form button[type=submit]")
    expect(page.locator(".flash-error")).to_be_visible()  # refused: it does not fit
    snap("01-refused", page)

    listing = shops["listings"]["oil_a"]
    page.goto(f"{base}/listings/{listing}")
    expect(page.locator('[data-fit="yes"]')).to_be_visible()
    page.click("form.buy-form button[type=submit]")
    page.wait_for_url(f"{base}/cart/")
    expect(page.locator(f'tr[data-listing-id="{listing}"] [data-fit="yes"]')).to_be_visible()
    page.click('form[action$="/cart/checkout"] button')
    page.wait_for_url(re.compile(r"/auth/login\?next="))
    snap("02-sign-in", page)
    page.fill('input[name="email"]', GUEST)
    page.fill('input[name="password"]', PASSWORD)
    page.click('form[action*="/auth/login"] button[type="submit"]')
    page.wait_for_url(f"{base}/cart/")
    expect(page.locator(f'tr[data-listing-id="{listing}"]')).to_be_visible()
    snap("03-back-in-the-cart", page)
    page.click('form[action$="/cart/checkout"] button')
    page.wait_for_url(re.compile(r"/checkout/\d+$"))
    number = page.url.rsplit("/", 1)[1]
    snap("04-pay", page)
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        assert [line.listing_id for line in order.lines] == [listing]
        assert "卡罗拉" in order.lines[0].vehicle_label
