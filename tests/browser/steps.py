"""What a person does in the browser, one step per function (shared by the browser tests)."""

import re

from playwright.sync_api import Page, expect

from ..conftest import PASSWORD
from ..payments.helpers import GOOD_CARD

PAID_TIMEOUT_MS = 20_000


def sign_in(page: Page, base: str, email: str, *, via_header: bool = False) -> None:
    """Sign in; `via_header` follows the header's link (which brings the person back)."""
    if via_header:
        back = page.url
        page.locator('.site-nav a[href*="/auth/login"]').click()
        page.wait_for_url(re.compile(r"/auth/login"))
    else:
        back = None
        page.goto(f"{base}/auth/login")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.click('form[action*="/auth/login"] button[type="submit"]')
    page.wait_for_url(lambda url: "/auth/login" not in url)
    if back is not None:
        assert page.url.rstrip("?") == back.rstrip("?"), (page.url, back)
    expect(page.locator('.site-nav form[action$="/auth/logout"]')).to_have_count(1)


def switch_language(page: Page, code: str) -> None:
    """The header's language switch; the page comes back in that language."""
    with page.expect_navigation():
        page.locator(f'.lang-switch button[value="{code}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", code.replace("_", "-"))


def pick_car(page: Page, car: dict, snap) -> None:
    """Header → brand → series → model year → variant; lands on the maintenance matcher."""
    page.locator("[data-current-vehicle] a").click()
    page.wait_for_url(re.compile(r"/vehicles/$"))
    snap("01-brands", page)
    page.locator(f'a[data-brand-id="{car["brand"]}"]').first.click()
    page.wait_for_url(re.compile(rf"/vehicles/brands/{car['brand']}$"))
    page.locator(f'a[data-series-id="{car["series"]}"]').click()
    page.wait_for_url(re.compile(rf"/vehicles/series/{car['series']}"))
    snap("02-series", page)
    page.locator(f'a[href$="year={car["year"]}"]').click()
    page.wait_for_url(re.compile(rf"year={car['year']}$"))
    variant = page.locator(f'li[data-variant-id="{car["variant"]}"]')
    snap("03-variant", page)
    variant.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/maintenance/$"))
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("[data-current-vehicle] .vehicle-name")).not_to_be_empty()


def run_matcher(page: Page, km: int, months: int, item: str, snap) -> None:
    """Fill the matcher (mileage and age), see `item` due, follow its link to the offers."""
    page.fill("#km", str(km))
    page.fill("#registered", "")
    page.fill("#months", str(months))
    snap("04-matcher", page)
    page.locator("form[action$='/maintenance/result'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/maintenance/result\?"))
    row = page.locator(f'li.match-row[data-item="{item}"]')
    expect(row).to_have_attribute("data-status", re.compile("due|overdue"))
    snap("05-matcher-result", page)
    row.locator('a[href*="/listings/"]').click()
    page.wait_for_url(re.compile(rf"/listings/\?.*item={item}"))


def open_listing(page: Page, listing_id: int, snap) -> None:
    """From the search results, open the listing; it says it fits the selected car."""
    card = page.locator(f'li.listing-card[data-listing-id="{listing_id}"]')
    expect(card).to_be_visible()
    snap("06-listings", page)
    card.locator("a.listing-title").click()
    page.wait_for_url(re.compile(rf"/listings/{listing_id}$"))
    expect(page.locator(".fit-yes")).to_be_visible()


def add_to_cart_and_order(page: Page, base: str, listing_id: int, quantity: int, snap) -> str:
    """Listing page → add to cart → place the order; returns the order number."""
    page.fill("form.buy-form input[name='quantity']", str(quantity))
    snap("07-listing", page)
    page.click("form.buy-form button[type=submit]")
    page.wait_for_url(f"{base}/cart/")
    expect(page.locator(f'tr[data-listing-id="{listing_id}"]')).to_be_visible()
    snap("08-cart", page)
    page.click('form[action$="/cart/checkout"] button')
    page.wait_for_url(re.compile(r"/checkout/\d+$"))
    return page.url.rsplit("/", 1)[1]


def fill_card(page: Page, number: str = GOOD_CARD) -> None:
    """Choose the bank card; localstripe's Stripe.js mounts plain inputs named by their
    placeholders."""
    page.check("input[name=method][value=card]")
    card = page.locator("#card-element")
    expect(card.locator("input")).to_have_count(5)  # Stripe.js loaded, CSP ok
    for placeholder, value in (
        ("number", number),
        ("exp_month", "12"),
        ("exp_year", "30"),
        ("cvc", "123"),
        ("postal_code", "10001"),
    ):
        card.locator(f'input[placeholder="{placeholder}"]').fill(value)


def pay_and_see_vouchers(page: Page, base: str, number: str, count: int, snap) -> list[str]:
    """Pay with the good card; wait for the webhook to mark the order paid; returns the
    voucher codes shown (each with its QR code drawn as an <svg>)."""
    fill_card(page)
    snap("09-pay", page)
    page.click("#pay-button")
    page.wait_for_url(f"{base}/account/orders/{number}")
    expect(page.locator('[data-order-status="paid"]')).to_be_visible(timeout=PAID_TIMEOUT_MS)
    expect(page.locator("[data-processing]")).to_have_count(0)
    vouchers = page.locator("article.voucher")
    expect(vouchers).to_have_count(count)
    codes = []
    for i in range(count):
        voucher = vouchers.nth(i)
        expect(voucher).to_have_attribute("data-status", "issued")
        expect(voucher.locator(".qr[role=img] svg")).to_have_count(1)
        codes.append(voucher.locator("[data-voucher-code]").get_attribute("data-voucher-code"))
    snap("10-paid-vouchers", page)
    return codes


def spaced(code: str) -> str:
    """The code as a person reads it off the voucher: 1234 5678 9012."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))
