"""The whole journey as people do it, in Chromium against the live app and local Stripe:

an owner picks the car, runs the maintenance matcher, follows it to a package that covers
the due oil change, buys two units with a card in the Stripe.js form and sees the vouchers
with their QR codes; a technician redeems them at /merchant/redeem; the owner sees them used
and reviews them (the second review, with a phone number in it, is held); an admin hides the
held one with a reason, which the owner then sees. And the buying part again in English.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import GarageVehicle, OrderLine, OrderStatus, User, Voucher, VoucherStatus
from marketplace.models.reviews import Review, ReviewStatus

from ..payments.helpers import order_state
from .conftest import ADMIN, CAR, CHROMIUM, OWNER, OWNER_EN, TECH
from .steps import (
    add_to_cart_and_order,
    open_listing,
    pay_and_see_vouchers,
    pick_car,
    run_matcher,
    sign_in,
    spaced,
    switch_language,
)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} not found (Debian package chromium)"
)

# A 卡罗拉 at 8,000 km and 6 months old is due for its oil change (Toyota: 8,047 km / 6 mo).
KM, MONTHS = 8000, 6
PHONE_REVIEW = "师傅不错，有需要的可以打我电话 139 1234 5678 问问。"


def redeem(page, base: str, code: str, odometer: int, snap, step: str) -> None:
    """Shop staff: type the code with spaces, look it up, enter the odometer, confirm."""
    page.goto(f"{base}/merchant/redeem")
    page.fill("#code", spaced(code))
    snap(f"{step}a-redeem", page)
    page.locator("#code-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(spaced(code))
    expect(page.locator('.facts [data-status="issued"]')).to_be_visible()
    page.fill("#odometer", str(odometer))
    snap(f"{step}b-redeem-voucher", page)
    page.locator('form[action$="/merchant/redeem/confirm"] button[type=submit]').click()
    page.wait_for_url(re.compile(r"/merchant/redemptions/\d+$"))
    expect(page.locator('[data-in-force="yes"]')).to_be_visible()
    expect(page.locator('.facts [data-status="redeemed"]')).to_be_visible()
    expect(page.locator("[data-redemption-id]")).to_contain_text(f"{odometer:,}")
    snap(f"{step}c-receipt", page)


def review(page, voucher_id: int, text: str, stars: dict[str, int]) -> None:
    """From "My vouchers", open the voucher's review form, give stars and text, publish."""
    card = page.locator(f'article.voucher[data-voucher-id="{voucher_id}"]')
    card.locator('a[href*="/reviews/voucher/"]').click()
    page.wait_for_url(re.compile(rf"/reviews/voucher/{voucher_id}$"))
    for name, value in stars.items():
        page.locator(f'input[name="{name}"][value="{value}"]').check()
    page.fill("textarea[name=text]", text)


def test_owner_buys_the_due_service_staff_redeem_it_owner_reviews_admin_moderates(
    app, journey, live_server, browser_page, open_page, snap
):
    page, base = browser_page, live_server
    listing_id = journey["listing"]

    # 1. A guest picks the car, then signs in: the car moves into their garage.
    page.goto(f"{base}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    snap("00-home")
    pick_car(page, CAR, snap)
    sign_in(page, base, OWNER, via_header=True)
    expect(page.locator("form[action$='/maintenance/result'] input[name=vehicle]")).to_have_count(1)
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == OWNER))
        garage = db.session.scalars(
            select(GarageVehicle.variant_id).where(GarageVehicle.owner_id == owner.id)
        ).all()
    assert garage == [CAR["variant"]]

    # The matcher says the oil change is due and leads to packages that cover it.
    run_matcher(page, KM, MONTHS, "engine_oil", snap)
    expect(page.locator(".summary")).to_contain_text("卡罗拉")
    open_listing(page, listing_id, snap)
    number = add_to_cart_and_order(page, base, listing_id, 2, snap)
    codes = pay_and_see_vouchers(page, base, number, 2, snap)

    order, issued, _ = order_state(app, number)
    assert order.status is OrderStatus.PAID
    assert sorted(codes) == sorted(v.code for v in issued)
    with app.app_context():  # bought for the car picked
        bought_for = db.session.scalars(
            select(OrderLine.variant_id).where(OrderLine.order_id == order.id)
        ).all()
    assert bought_for == [CAR["variant"]]

    # 2. The technician redeems both vouchers, typing the codes with spaces.
    staff = open_page()
    sign_in(staff, base, TECH)
    redeem(staff, base, codes[0], 8123, snap, "11")
    redeem(staff, base, codes[1], 8124, snap, "12")
    staff.context.close()

    # The owner's vouchers now show as used, with the shop's odometer reading.
    page.goto(f"{base}/account/vouchers")
    ids = {}
    for code in codes:
        card = page.locator("article.voucher").filter(
            has=page.locator(f'[data-voucher-code="{code}"]')
        )
        expect(card).to_have_attribute("data-status", "redeemed")
        expect(card.locator(".status")).to_have_text("已使用")
        expect(card.locator(".redeemed")).to_be_visible()
        expect(card.locator("[data-review-due]")).to_be_visible()
        ids[code] = int(card.get_attribute("data-voucher-id"))
    snap("13-vouchers-used")

    # 3. The owner reviews the first voucher: published.
    review(
        page,
        ids[codes[0]],
        "换机油很快，师傅讲解清楚，没有推销。",
        dict.fromkeys(("overall", "quality", "price_honesty", "no_pressure", "on_time"), 5),
    )
    snap("14-review-form")
    page.locator("form button[type=submit].primary").click()
    page.wait_for_url(re.compile(r"/account/reviews$"))
    expect(page.locator(".flash-success")).to_be_visible()
    # ... and the second, with a phone number in it: held for a moderator.
    page.goto(f"{base}/account/vouchers")
    review(
        page,
        ids[codes[1]],
        PHONE_REVIEW,
        {"overall": 4, "quality": 4, "price_honesty": 5, "no_pressure": 4, "on_time": 3},
    )
    page.locator("form button[type=submit].primary").click()
    page.wait_for_url(re.compile(r"/account/reviews$"))
    expect(page.locator(".flash-warning")).to_be_visible()
    expect(page.locator('[data-review-status="held"]')).to_have_count(1)
    expect(page.locator('[data-review-status="published"]')).to_have_count(1)
    snap("15-my-reviews")

    with app.app_context():
        held = db.session.scalar(select(Review).where(Review.status == ReviewStatus.HELD))
        assert held.text == PHONE_REVIEW and held.hold_reason_codes == ["phone"]
        held_id = held.id

    # An admin hides the held review, with a reason.
    admin = open_page()
    sign_in(admin, base, ADMIN)
    admin.goto(f"{base}/admin/reviews")
    row = admin.locator(f'tr[data-review-id="{held_id}"]')
    expect(row).to_be_visible()
    snap("16-moderation-queue", admin)
    row.locator("a").click()
    admin.wait_for_url(re.compile(rf"/admin/reviews/{held_id}$"))
    expect(admin.locator('[data-review-status="held"]')).to_be_visible()
    admin.fill("textarea[name=reason]", "评价中含有电话号码，不予展示。")
    snap("17-moderate", admin)
    admin.locator('button[name=decision][value="hide"]').click()
    admin.wait_for_url(re.compile(r"/admin/reviews$"))
    expect(admin.locator(".flash-success")).to_be_visible()
    expect(admin.locator(f'tr[data-review-id="{held_id}"]')).to_have_count(0)
    admin.context.close()

    # The owner sees the decision and its reason.
    page.goto(f"{base}/account/reviews")
    expect(page.locator('[data-review-status="hidden"]')).to_contain_text("电话号码")
    snap("18-my-reviews-moderated")
    with app.app_context():
        statuses = db.session.scalars(select(Voucher.status).where(Voucher.code.in_(codes)))
        assert set(statuses) == {VoucherStatus.REDEEMED}
        assert db.session.get(Review, held_id).status is ReviewStatus.HIDDEN


def test_the_same_purchase_in_english(app, journey, live_server, browser_page, snap):
    page, base = browser_page, live_server
    listing_id = journey["listing"]

    sign_in(page, base, OWNER_EN)
    page.goto(f"{base}/")
    switch_language(page, "en")
    expect(page.locator("h1")).to_have_text("Service your car at trusted chain outlets")
    snap("00-home")

    pick_car(page, CAR, snap)
    expect(page.locator("h1")).to_have_text("What maintenance is due?")
    run_matcher(page, KM, MONTHS, "engine_oil", snap)
    open_listing(page, listing_id, snap)
    expect(page.locator(".fit-yes")).to_contain_text("Fits your")
    number = add_to_cart_and_order(page, base, listing_id, 1, snap)
    expect(page.locator("#pay-button")).to_contain_text("Pay")
    codes = pay_and_see_vouchers(page, base, number, 1, snap)
    expect(page.locator('[data-order-status="paid"]')).to_contain_text("Paid")
    expect(page.locator("article.voucher .status")).to_have_text("Ready to use")

    page.goto(f"{base}/account/vouchers")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("My vouchers")
    expect(page.locator(f'[data-voucher-code="{codes[0]}"]')).to_have_text(spaced(codes[0]))
    snap("11-my-vouchers")
    order, issued, _ = order_state(app, number)
    assert order.status is OrderStatus.PAID and [v.code for v in issued] == codes
