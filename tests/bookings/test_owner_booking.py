"""The owner's booking pages: choose a free time for a voucher, change it, cancel it."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Booking, BookingStatus, Notification, Voucher, VoucherStatus
from marketplace.services import bookings

from .conftest import days_from_today, local, shop, unused_voucher

SLOT_RE = re.compile(r'data-slot="([^"]+)" data-free="(\d+)"')


def page(client, voucher_id, **params):
    response = client.get(f"/account/vouchers/{voucher_id}/booking", query_string=params)
    return response, response.get_data(as_text=True)


def free_slots(html):
    return [start for start, free in SLOT_RE.findall(html) if int(free) > 0]


def book(client, voucher_id, starts_at):
    return client.post(f"/account/vouchers/{voucher_id}/booking", data={"starts_at": starts_at})


def booking_rows(app):
    with app.app_context():
        rows = db.session.scalars(select(Booking).order_by(Booking.id)).all()
        db.session.expunge_all()
        return rows


def test_the_page_offers_the_first_free_time_and_books_it(app, owner, people):
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    response, html = page(owner, voucher_id)
    assert response.status_code == 200
    first = re.search(r'data-next-free="([^"]+)"', html).group(1)
    assert first in free_slots(html)
    response = book(owner, voucher_id, first)
    assert response.status_code == 302
    (row,) = booking_rows(app)
    assert row.status is BookingStatus.BOOKED and row.starts_at.isoformat() == first
    _, html = page(owner, voucher_id)
    assert f'data-booking-start="{first}"' in html
    vouchers = owner.get("/account/vouchers").get_data(as_text=True)
    assert (
        'data-booking-status="booked"' in vouchers and f'data-booking-start="{first}"' in vouchers
    )
    with app.app_context():
        (note,) = db.session.scalars(select(Notification).where(Notification.kind == "booking"))
        assert note.data["what"] == "made" and note.link.endswith(f"/{voucher_id}/booking")
    centre = owner.get("/account/notifications").get_data(as_text=True)
    assert "精致洗车" not in centre and "小保养套餐" in centre


def test_another_day_change_and_cancel(app, owner, people):
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    day = days_from_today(app, 2)
    _, html = page(owner, voucher_id, day=day.isoformat())
    slots = free_slots(html)
    assert slots and all(
        s.startswith(day.isoformat()) or s.startswith((day - timedelta(days=1)).isoformat())
        for s in slots
    )
    assert book(owner, voucher_id, slots[0]).status_code == 302
    assert book(owner, voucher_id, slots[3]).status_code == 302
    (row,) = booking_rows(app)
    assert row.starts_at.isoformat() == slots[3]
    response = owner.post(f"/account/vouchers/{voucher_id}/booking/cancel")
    assert response.status_code == 302
    (row,) = booking_rows(app)
    assert row.status is BookingStatus.CANCELLED
    _, html = page(owner, voucher_id)
    assert free_slots(html)  # can book again


def test_a_full_time_is_refused_with_a_message(app, owner, other_owner, people):
    listing = people["listings"]["oil_a"]
    with app.app_context():
        bookings.save_rules(
            db.session.get(
                Voucher, unused_voucher(app, listing)
            ).owner,  # any user: not checked here
            shop(app, people["a"]),
            bays=1,
            days_ahead=14,
            change_hours=2,
            slot_minutes={},
        )
        db.session.commit()
    mine = unused_voucher(app, listing)
    theirs = unused_voucher(app, listing, email="other-booking-owner@example.com")
    _, html = page(owner, mine)
    first = re.search(r'data-next-free="([^"]+)"', html).group(1)
    assert book(other_owner, theirs, first).status_code == 302
    response = book(owner, mine, first)
    assert response.status_code == 409
    assert "该时间刚刚约满" in response.get_data(
        as_text=True
    ) or "fully booked" in response.get_data(as_text=True)
    assert [r.voucher_id for r in booking_rows(app)] == [theirs]


def test_bad_times_are_refused_and_change_nothing(app, owner, people):
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    day = days_from_today(app, 2)
    for value, status in [
        ("", 400),
        ("tomorrow", 400),
        (day.isoformat() + "T10:00:00", 400),  # no offset
        (local(day, "10:15").isoformat(), 400),  # off the grid
        (local(day - timedelta(days=10), "10:30").isoformat(), 400),  # past
    ]:
        assert book(owner, voucher_id, value).status_code == status, value
    assert booking_rows(app) == []


def test_a_used_voucher_offers_no_times(app, owner, people):
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    with app.app_context():
        db.session.get(Voucher, voucher_id).status = VoucherStatus.REDEEMED
        db.session.commit()
    _, html = page(owner, voucher_id)
    assert "data-booking-blocked" in html and not free_slots(html)
    response = book(owner, voucher_id, local(days_from_today(app, 2), "10:30").isoformat())
    assert response.status_code == 400
    assert booking_rows(app) == []


def test_another_owners_voucher_is_not_found(app, owner, other_owner, people):
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    assert page(other_owner, voucher_id)[0].status_code == 404
    slot = local(days_from_today(app, 2), "10:30").isoformat()
    assert book(other_owner, voucher_id, slot).status_code == 404
    assert other_owner.post(f"/account/vouchers/{voucher_id}/booking/cancel").status_code == 404
    assert booking_rows(app) == []


def test_without_csrf_nothing_is_booked(app, owner, people):
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    slot = local(days_from_today(app, 2), "10:30").isoformat()
    response = owner.post(
        f"/account/vouchers/{voucher_id}/booking", data={"starts_at": slot}, csrf=False
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 0
