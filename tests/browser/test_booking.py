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
from .steps import sign_in, spaced

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} not found (Debian package chromium)"
)


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

    staff = open_page()
    sign_in(staff, base, TECH)
    staff.goto(f"{base}/merchant/bookings/shops/{journey['shop']}?day={day}")
    row = staff.locator('[data-booking-status="booked"]').first
    expect(row).to_be_visible()
    expect(row).to_contain_text("卡罗拉专享 小保养")
    snap("04-day-view", staff)

    staff.goto(f"{base}/merchant/redeem")
    staff.fill("#code", spaced(code))
    staff.locator("#code-form button[type=submit]").click()
    expect(staff.locator("h1")).to_contain_text(spaced(code))
    expect(staff.locator('.facts [data-booking="booked"]')).to_be_visible()
    snap("05-desk-shows-booking", staff)
    staff.locator('form[action$="/merchant/redeem/confirm"] button[type=submit]').click()
    staff.wait_for_url(re.compile(r"/merchant/redemptions/\d+$"))

    staff.goto(f"{base}/merchant/bookings/shops/{journey['shop']}?day={day}")
    expect(staff.locator('[data-booking-status="served"]')).to_have_count(1)
    snap("06-day-view-served", staff)
    owner.goto(f"{base}/account/vouchers")
    expect(card.locator('[data-booking-status="served"]')).to_be_visible()
    with app.app_context():
        (row,) = db.session.scalars(select(Booking)).all()
        assert row.status is BookingStatus.SERVED and row.starts_at.isoformat() == start
