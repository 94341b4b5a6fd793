"""Accessibility of the main pages, checked in Chromium (see a11y.py for what is checked).

The pages are visited in the state a person sees them: signed in, the car picked, a package
in the cart, an order waiting for payment, vouchers issued and used, a review held.
"""

import re

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db
from marketplace.models import Voucher, VoucherStatus

from ..reviews.helpers import make_voucher, write
from .a11y import audit
from .conftest import ADMIN, CAR, CHROMIUM, OWNER, TECH
from .steps import fill_card, sign_in, spaced

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} not found (Debian package chromium)"
)

# The card inputs on the pay page belong to the payment provider's script (Stripe.js puts
# them in its own iframe; the local stand-in mounts bare inputs): not our markup. The group
# that holds them is labelled by the page (aria-labelledby="card-label") and is checked.
CARD_FORM = "#card-element > *"


@pytest.fixture
def state(app, journey, client):
    """For OWNER: an issued voucher, a redeemed one to review, and a redeemed one whose
    review (with a phone number) waits for a moderator."""
    listing = journey["listing"]
    issued = make_voucher(app, OWNER, listing, status=VoucherStatus.ISSUED, redeemed_ago=None)
    to_review = make_voucher(app, OWNER, listing)
    reviewed = make_voucher(app, OWNER, listing)
    client.login(OWNER)
    assert write(client, reviewed, text="有事打我电话 13912345678").status_code == 302
    with app.app_context():
        voucher = db.session.get(Voucher, issued)
        return {"code": voucher.code, "order": voucher.order.number, "to_review": to_review}


def test_main_pages_pass_the_accessibility_checks(
    app, journey, state, live_server, browser_page, open_page, snap
):
    base, page = live_server, browser_page
    found: dict[str, list[str]] = {}

    def check(name: str, on=None, exclude: str | None = None) -> None:
        on = on or page
        expect(on.locator("h1")).to_have_count(1)
        found[f"{name} ({on.url.removeprefix(base)})"] = audit(on, exclude)
        snap(name, on)

    # The owner.
    page.goto(f"{base}/")
    check("01-home-guest")
    sign_in(page, base, OWNER)
    page.goto(f"{base}/vehicles/")
    check("02-vehicles-brands")
    page.goto(f"{base}/vehicles/brands/{CAR['brand']}")
    check("03-vehicles-series")
    page.goto(f"{base}/vehicles/series/{CAR['series']}?year={CAR['year']}")
    check("04-vehicles-variant")
    page.locator(f'li[data-variant-id="{CAR["variant"]}"] button').click()
    page.wait_for_url(re.compile(r"/maintenance/$"))
    check("05-matcher-form")
    page.fill("#km", "8000")
    page.fill("#registered", "")
    page.fill("#months", "6")
    page.locator("form[action$='/maintenance/result'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/maintenance/result\?"))
    check("06-matcher-result")
    page.goto(f"{base}/")
    check("07-home-with-car")
    page.goto(f"{base}/listings/?item=engine_oil&variant={CAR['variant']}")
    check("08-listing-search")
    page.goto(f"{base}/listings/{journey['listing']}")
    check("09-listing")
    page.click("form.buy-form button[type=submit]")
    page.wait_for_url(f"{base}/cart/")
    check("10-cart")
    page.click('form[action$="/cart/checkout"] button')
    page.wait_for_url(re.compile(r"/checkout/\d+$"))
    fill_card(page)
    check("11-pay", exclude=CARD_FORM)
    page.goto(f"{base}/account/orders/{state['order']}")
    expect(page.locator(".qr svg")).to_have_count(1)
    check("12-order-voucher")
    page.goto(f"{base}/account/vouchers")
    check("13-my-vouchers")
    page.goto(f"{base}/reviews/voucher/{state['to_review']}")
    check("14-review-form")
    page.goto(f"{base}/account/reviews")
    check("15-my-reviews")

    # Shop staff.
    staff = open_page()
    sign_in(staff, base, TECH)
    staff.goto(f"{base}/merchant/redeem")
    check("16-redeem", staff)
    staff.fill("#code", spaced(state["code"]))
    staff.locator("#code-form button[type=submit]").click()
    expect(staff.locator("#odometer")).to_be_visible()
    check("17-redeem-voucher", staff)
    staff.fill("#odometer", "8123")
    staff.locator('form[action$="/merchant/redeem/confirm"] button[type=submit]').click()
    staff.wait_for_url(re.compile(r"/merchant/redemptions/\d+$"))
    check("18-redeem-receipt", staff)

    # An admin.
    admin = open_page()
    sign_in(admin, base, ADMIN)
    admin.goto(f"{base}/admin/reviews")
    check("19-admin-reviews", admin)
    admin.locator("tr[data-review-id] a").first.click()
    admin.wait_for_url(re.compile(r"/admin/reviews/\d+$"))
    check("20-admin-moderate", admin)

    failures = {name: problems for name, problems in found.items() if problems}
    report = "\n".join(
        f"{name}:\n" + "\n".join(f"  - {p}" for p in problems)
        for name, problems in failures.items()
    )
    assert not failures, f"{len(failures)} of {len(found)} pages fail:\n{report}"


BAD_PAGE = """<!doctype html><html lang="en"><body style="background:#fff">
<h2 id="early">Before the title</h2>
<h1>Title</h1><h1>Second title</h1>
<h4 id="deep">Skipped a level</h4>
<form>
  <input id="unlabelled" name="unlabelled">
  <label>Wrapped <input id="wrapped" name="wrapped"></label>
  <label for="by-for">By for</label><input id="by-for">
  <input id="by-aria" aria-label="By aria">
  <span id="ref">By ref</span><input id="by-ref" aria-labelledby="ref">
  <input id="by-missing-ref" aria-labelledby="nothing-here">
  <select id="bad-select"><option>x</option></select>
  <textarea id="bad-area"></textarea>
  <input type="hidden" name="ok-hidden"><input type="submit" value="Send">
  <input id="pale-placeholder" aria-label="Pale" placeholder="pale" style="color:#000">
</form>
<img src="data:," id="no-alt"><img src="data:," alt="" id="decorative">
<svg id="bare-svg" width="10" height="10"></svg>
<svg aria-hidden="true" width="10" height="10"></svg>
<div role="img" aria-label="A chart"><svg width="10" height="10"></svg></div>
<svg role="img" width="10" height="10"><title>Titled</title></svg>
<div role="img" id="nameless-img"><svg width="10" height="10"></svg></div>
<p id="grey" style="color:#999">Grey on white</p>
<p id="fine" style="color:#595959">Dark grey on white: 7:1</p>
<p id="large" style="color:#888;font-size:24px">Large grey: 3.5:1 is enough</p>
<div style="background:#000"><p id="on-translucent"
  style="background:rgba(255,255,255,.5);color:#fff">White on grey</p></div>
<p id="faint" style="color:rgba(0,0,0,.3)">Translucent text</p>
<p id="offscreen" style="position:absolute;left:-999px;color:#eee">Skip link</p>
<style>#pale-placeholder::placeholder { color: #ccc; }</style>
</body></html>"""


def test_the_checks_find_what_they_should(page):
    """The checker itself, on a page with one of each problem (and correct look-alikes)."""
    page.set_content(BAD_PAGE)
    problems = "\n".join(audit(page))
    for expected in (
        "2 h1 elements",
        'h2#early "Before the title" is h2 after h(none)',
        "h4#deep",
        "input#unlabelled has no label",
        "input#by-missing-ref has no label",
        'select#bad-select "x" has no label',
        "textarea#bad-area has no label",
        "img#no-alt has no alt",
        "svg#bare-svg is neither",
        "div#nameless-img (role=img) has no accessible name",
        'p#grey "Grey on white" is 2.85:1',
        'p#on-translucent "White on grey" is',
        'p#faint "Translucent text" is',
        "input#pale-placeholder (placeholder) is",
    ):
        assert expected in problems, f"{expected!r} not in:\n{problems}"
    for fine in (
        "wrapped",
        "by-for",
        "by-aria",
        "#by-ref",
        "decorative",
        "A chart",
        "Titled",
        "p#fine",
        "p#large",
        "offscreen",
        "ok-hidden",
        "Send",
    ):
        assert fine not in problems, f"{fine!r} wrongly reported:\n{problems}"
    assert len(problems.splitlines()) == 14, problems
