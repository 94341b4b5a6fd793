"""Booking a time, in Chromium: the owner books a voucher's time from "My vouchers" (a phone or
a desktop), the shop's technician sees it on the day view, redeems the code at the counter,
and the booking shows as served to both."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Booking, BookingStatus, Voucher

from ..reviews.helpers import make_voucher
from .conftest import CHROMIUM, OWNER, TECH
from .steps import add_to_cart_and_order, pay_and_see_vouchers, sign_in, spaced

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} not found (Debian package chromium)"
)


def fits(page) -> None:
    """The page does not scroll sideways (the day tabs scroll inside themselves)."""
    # clientWidth, not innerWidth: a phone's browser zooms out to show a too-wide page whole
    scroll, width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= width, (page.url, scroll, width)


def test_owner_books_shop_sees_it_redeems_it_and_it_is_served(
    app, journey, open_page, live_server, snap
):
    from marketplace.models import VoucherStatus

    base = live_server
    voucher_id = make_voucher(
        app, OWNER, journey["listing"], status=VoucherStatus.ISSUED, redeemed_ago=None
    )
    with app.app_context():
        code = db.session.get(Voucher, voucher_id).code

    owner = open_page()
    sign_in(owner, base, OWNER)
    owner.goto(f"{base}/account/vouchers")
    card = owner.locator(f'article.voucher[data-voucher-id="{voucher_id}"]')
    expect(card.locator('[data-booking-status="none"]')).to_be_visible()
    card.locator("[data-booking-link]").click()
    owner.wait_for_url(re.compile(rf"/account/vouchers/{voucher_id}/booking"))
    snap("01-booking-page", owner)
    fits(owner)
    # choose the second day offered and its first free time
    days = owner.locator(".day-tabs a")
    expect(days.first).to_be_visible()
    days.nth(1).click()
    owner.wait_for_url(re.compile(r"day=\d{4}-\d{2}-\d{2}"))
    day = re.search(r"day=(\d{4}-\d{2}-\d{2})", owner.url).group(1)
    free = owner.locator("[data-slot-form] label.slot:not(.full)").first
    start = free.get_attribute("data-slot")
    free.click()
    snap("02-time-chosen", owner)
    owner.locator("[data-slot-form] button[type=submit]").click()
    owner.wait_for_url(re.compile(rf"/account/vouchers/{voucher_id}/booking$"))
    booked = owner.locator('section.booking[data-booking-status="booked"]')
    expect(booked).to_have_attribute("data-booking-start", start)
    expect(owner.locator(".flash-success")).to_contain_text("预约成功")
    snap("03-booked", owner)
    fits(owner)

    staff = open_page()
    sign_in(staff, base, TECH)
    staff.goto(f"{base}/merchant/bookings/shops/{journey['shop']}?day={day}")
    row = staff.locator('[data-booking-status="booked"]').first
    expect(row).to_be_visible()
    expect(row).to_contain_text("卡罗拉专享 小保养")
    snap("04-day-view", staff)
    fits(staff)

    staff.goto(f"{base}/merchant/redeem")
    staff.fill("#code", spaced(code))
    staff.locator("#code-form button[type=submit]").click()
    expect(staff.locator("h1")).to_contain_text(spaced(code))
    expect(staff.locator('.facts [data-booking="booked"]')).to_be_visible()
    snap("05-desk-shows-booking", staff)
    fits(staff)
    staff.locator('form[action$="/merchant/redeem/confirm"] button[type=submit]').click()
    staff.wait_for_url(re.compile(r"/merchant/redemptions/\d+$"))

    staff.goto(f"{base}/merchant/bookings/shops/{journey['shop']}?day={day}")
    expect(staff.locator('[data-booking-status="served"]')).to_have_count(1)
    snap("06-day-view-served", staff)
    fits(staff)
    owner.goto(f"{base}/account/vouchers")
    expect(card.locator('[data-booking-status="served"]')).to_be_visible()
    with app.app_context():
        (row,) = db.session.scalars(select(Booking)).all()
        assert row.status is BookingStatus.SERVED and row.starts_at.isoformat() == start


def test_owner_chooses_times_while_paying_and_they_are_booked_once_paid(
    app, journey, open_page, live_server, snap
):
    base = live_server
    owner = open_page()
    sign_in(owner, base, OWNER)
    owner.goto(f"{base}/listings/{journey['listings']['wash_a']}")
    first_free = owner.locator("[data-next-free]").get_attribute("data-next-free")
    assert first_free
    number = add_to_cart_and_order(owner, base, journey["listings"]["wash_a"], 2, snap)
    for unit in range(2):
        owner.locator("[data-hold-link]").click()
        owner.wait_for_url(re.compile(rf"/checkout/{number}/lines/\d+/booking"))
        if unit == 0:
            expect(owner.locator("form.next-free")).to_have_attribute("data-next-free", first_free)
            snap("11-choose-while-paying", owner)
            owner.locator("form.next-free button[type=submit]").click()
        else:
            owner.locator("[data-slot-form] label.slot:not(.full)").nth(2).click()
            owner.locator("[data-slot-form] button[type=submit]").click()
        owner.wait_for_url(f"{base}/checkout/{number}")
    held = owner.locator("[data-held]")
    expect(held).to_have_count(2)
    expect(held.first).to_have_attribute("data-held", first_free)
    expect(owner.locator("[data-hold-link]")).to_have_count(0)
    snap("12-pay-with-times", owner)
    fits(owner)
    pay_and_see_vouchers(owner, base, number, 2, snap)
    expect(owner.locator('article.voucher [data-booking-status="booked"]')).to_have_count(2)
    with app.app_context():
        rows = db.session.scalars(select(Booking).order_by(Booking.starts_at)).all()
        assert [r.status for r in rows] == [BookingStatus.BOOKED] * 2
        assert rows[0].starts_at.isoformat() == first_free
        assert len({r.voucher_id for r in rows}) == 2
