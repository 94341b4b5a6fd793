"""Bookings at the same moment, on PostgreSQL: a slot never holds more bookings than bays."""

import re

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Booking, BookingStatus
from marketplace.services import bookings

from ..parallel import in_parallel, on_postgresql
from .conftest import days_from_today, local, shop, signed_in, unused_voucher, user

pytestmark = on_postgresql


def _three_bays(app, shop_id):
    with app.app_context():
        bookings.save_rules(
            user("manager-a@example.com"),
            shop(app, shop_id),
            bays=3,
            days_ahead=14,
            change_hours=2,
            slot_minutes={},
        )
        db.session.commit()


def test_twenty_owners_at_once_for_a_three_bay_slot(app, people, make_user):
    _three_bays(app, people["a"])
    slot = local(days_from_today(app, 2), "10:30").isoformat()
    clients, vouchers = [], []
    for n in range(20):
        email = f"racer{n}@example.com"
        make_user(email)
        vouchers.append(unused_voucher(app, people["listings"]["oil_a"], email=email))
        clients.append(signed_in(app, email))
    calls = [
        lambda c=c, v=v: c.post(f"/account/vouchers/{v}/booking", data={"starts_at": slot})
        for c, v in zip(clients, vouchers, strict=True)
    ]
    responses = in_parallel(calls)
    booked = [r for r in responses if r.status_code == 302]
    refused = [r for r in responses if r.status_code == 409]
    assert len(booked) == 3 and len(refused) == 17
    for response in refused:
        html = response.get_data(as_text=True)
        assert re.search(r"data-booking-error>[^<]*约满", html), html[:3000]
    with app.app_context():
        rows = db.session.scalars(
            select(Booking).where(Booking.status == BookingStatus.BOOKED)
        ).all()
        assert len(rows) == 3
        assert sorted(r.bay for r in rows) == [1, 2, 3]
        assert {r.starts_at.isoformat() for r in rows} == {slot}
    print(f"\n20 owners for a 3-bay slot: {len(booked)} booked, {len(refused)} told it is full")


def test_one_voucher_booked_twice_at_once_holds_one_booking(app, owner, people):
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    day = days_from_today(app, 2)
    clients = [signed_in(app, "booking-owner@example.com") for _ in range(6)]
    calls = [
        lambda c=c, clock=clock: c.post(
            f"/account/vouchers/{voucher_id}/booking",
            data={"starts_at": local(day, clock).isoformat()},
        )
        for c, clock in zip(
            clients, ["09:30", "10:30", "11:30", "12:30", "13:30", "14:30"], strict=True
        )
    ]
    responses = in_parallel(calls)
    assert all(r.status_code == 302 for r in responses)  # later ones move the booking
    with app.app_context():
        open_rows = db.session.scalar(
            select(func.count(Booking.id)).where(
                Booking.voucher_id == voucher_id, Booking.status == BookingStatus.BOOKED
            )
        )
        assert open_rows == 1
        assert db.session.scalar(select(func.count(Booking.id))) == 1
