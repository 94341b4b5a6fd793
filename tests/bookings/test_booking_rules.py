"""The booking rules: what can be booked when, and what is refused with which reason."""

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.error_messages import message
from marketplace.extensions import db
from marketplace.models import (
    Booking,
    BookingStatus,
    OrderEvent,
    User,
    Voucher,
    VoucherStatus,
)
from marketplace.services import bookings
from marketplace.services.bookings import BookingError

from .conftest import OWNER, days_from_today, local, shop, unused_voucher


def _user(email=OWNER):
    return db.session.scalar(select(User).where(User.email == email))


def _book(voucher_id, starts_at, now):
    voucher = db.session.get(Voucher, voucher_id)
    return bookings.book_voucher(_user(), voucher, starts_at, now)


def _refusal(call) -> str:
    with pytest.raises(BookingError) as caught:
        call()
    return caught.value.code


@pytest.fixture
def day(app, people):
    """A day three days ahead; 'now' is 09:00 today in Shanghai."""
    return days_from_today(app, 3)


def test_a_booking_takes_a_bay_for_the_category_length(app, people, day):
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    with app.app_context():
        now = local(day - timedelta(days=3), "09:00")
        booking = _book(voucher_id, local(day, "10:30"), now)
        db.session.commit()
        assert booking.status is BookingStatus.BOOKED
        assert booking.ends_at - booking.starts_at == timedelta(minutes=60)
        assert booking.bay == 1
        kinds = db.session.scalars(
            select(OrderEvent.kind).where(OrderEvent.order_id == booking.order_id)
        )
        assert "booking_made" in list(kinds)


def test_slots_follow_opening_hours_and_category(app, people, day):
    with app.app_context():
        a = shop(app, people["a"])
        now = local(day - timedelta(days=3), "09:00")
        wash = bookings.choices(a, "cleaning", now, day=day)
        service = bookings.choices(a, "maintenance", now, day=day)
        assert wash.minutes == 30 and service.minutes == 60
        assert wash.slots[0].starts_at == local(day, "08:30")
        assert wash.slots[-1].ends_at <= local(day, "20:00")
        assert service.slots[-1].starts_at == local(day, "18:30")
        assert len(wash.slots) == 23 and len(service.slots) == 11
        assert all(s.free == 2 for s in service.slots)


@pytest.mark.parametrize(
    ("clock", "code"),
    [("10:15", "not_a_slot"), ("07:30", "not_a_slot"), ("19:30", "not_a_slot")],
)
def test_a_time_off_the_grid_is_refused(app, people, day, clock, code):
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    with app.app_context():
        now = local(day - timedelta(days=3), "09:00")
        assert _refusal(lambda: _book(voucher_id, local(day, clock), now)) == code
        assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_the_past_a_closed_day_and_too_far_ahead_are_refused(app, people, day):
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    with app.app_context():
        a = shop(app, people["a"])
        now = local(day, "12:00")
        assert _refusal(lambda: _book(voucher_id, local(day, "10:30"), now)) == "past"
        bookings.add_closed_days(
            _user("manager-a@example.com"), a, day + timedelta(days=1), None, "盘点", day
        )
        closed = local(day + timedelta(days=1), "10:30")
        assert _refusal(lambda: _book(voucher_id, closed, now)) == "closed_day"
        bookings.save_week(
            _user("manager-a@example.com"),
            a,
            {d: (time(9), time(18)) for d in range(7) if d != (day + timedelta(days=2)).weekday()},
        )
        weekday_off = local(day + timedelta(days=2), "10:00")
        assert _refusal(lambda: _book(voucher_id, weekday_off, now)) == "closed_day"
        far = local(day + timedelta(days=15), "10:00")
        with pytest.raises(BookingError) as caught:
            _book(voucher_id, far, now)
        assert caught.value.code == "too_far"
        with app.test_request_context():
            assert "14" in message(caught.value)
        assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_a_voucher_that_is_used_refunded_or_about_to_expire_cannot_be_booked(app, people, day):
    listing = people["listings"]["oil_a"]
    used, refunded, soon = (unused_voucher(app, listing) for _ in range(3))
    with app.app_context():
        db.session.get(Voucher, used).status = VoucherStatus.REDEEMED
        db.session.get(Voucher, refunded).status = VoucherStatus.REFUNDED
        db.session.get(Voucher, soon).expires_at = local(day, "11:00")
        db.session.commit()
        now = local(day - timedelta(days=3), "09:00")
        slot = local(day, "10:30")
        assert _refusal(lambda: _book(used, slot, now)) == "voucher_redeemed"
        assert _refusal(lambda: _book(refunded, slot, now)) == "voucher_refunded"
        assert _refusal(lambda: _book(soon, slot, now)) == "after_expiry"
        assert _book(soon, local(day, "09:30"), now).status is BookingStatus.BOOKED


def test_a_full_slot_is_refused_and_overlapping_lengths_count(app, people, day):
    oil = people["listings"]["oil_a"]
    wash = people["listings"]["wash_a"]
    first, second, third, washer = (
        unused_voucher(app, listing) for listing in (oil, oil, oil, wash)
    )
    with app.app_context():
        now = local(day - timedelta(days=3), "09:00")
        assert _book(first, local(day, "10:30"), now).bay == 1
        assert _book(second, local(day, "10:30"), now).bay == 2
        assert _refusal(lambda: _book(third, local(day, "10:30"), now)) == "full"
        # a 30-minute wash at 11:00 overlaps the two services of 10:30–11:30
        assert _refusal(lambda: _book(washer, local(day, "11:00"), now)) == "full"
        assert _book(washer, local(day, "11:30"), now).bay == 1
        a = shop(app, people["a"])
        slots = {s.starts_at: s.free for s in bookings.choices(a, "cleaning", now, day=day).slots}
        assert slots[local(day, "10:30")] == 0 and slots[local(day, "11:30")] == 1


def test_moving_a_booking_keeps_one_booking_and_frees_the_old_time(app, people, day):
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    with app.app_context():
        now = local(day - timedelta(days=3), "09:00")
        first = _book(voucher_id, local(day, "10:30"), now)
        moved = _book(voucher_id, local(day, "14:30"), now)
        assert moved.id == first.id and moved.starts_at == local(day, "14:30")
        assert db.session.scalar(select(func.count(Booking.id))) == 1
        a = shop(app, people["a"])
        free = {s.starts_at: s.free for s in bookings.choices(a, "maintenance", now, day=day).slots}
        assert free[local(day, "10:30")] == 2 and free[local(day, "14:30")] == 1


def test_changes_stop_at_the_shops_limit(app, people, day):
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    with app.app_context():
        booking = _book(voucher_id, local(day, "10:30"), local(day - timedelta(days=1), "09:00"))
        late = local(day, "09:00")  # 90 minutes before; the default limit is 2 hours
        assert _refusal(lambda: _book(voucher_id, local(day, "14:30"), late)) == "too_late"
        assert _refusal(lambda: bookings.cancel(_user(), booking, late)) == "too_late"
        assert booking.starts_at == local(day, "10:30") and booking.status is BookingStatus.BOOKED
        bookings.cancel(_user(), booking, local(day, "08:00"))
        assert booking.status is BookingStatus.CANCELLED


def test_a_multi_unit_order_books_each_voucher_separately(app, people, day):
    listing = people["listings"]["oil_a"]
    one, two = unused_voucher(app, listing), unused_voucher(app, listing)
    with app.app_context():
        now = local(day - timedelta(days=3), "09:00")
        _book(one, local(day, "10:30"), now)
        _book(two, local(day + timedelta(days=1), "15:30"), now)
        rows = db.session.scalars(select(Booking).order_by(Booking.id)).all()
        assert [r.voucher_id for r in rows] == [one, two]


def test_refunding_or_redeeming_a_voucher_settles_its_booking(app, people, day):
    listing = people["listings"]["oil_a"]
    refunded, served = unused_voucher(app, listing), unused_voucher(app, listing)
    with app.app_context():
        now = local(day - timedelta(days=3), "09:00")
        a = _book(refunded, local(day, "10:30"), now)
        b = _book(served, local(day, "10:30"), now)
        bookings.voucher_ended(db.session.get(Voucher, refunded), "refunded", now)
        assert a.status is BookingStatus.CANCELLED and a.cancel_reason == "refunded"
        bookings.voucher_redeemed(db.session.get(Voucher, served), now)
        assert b.status is BookingStatus.SERVED
        bookings.redemption_undone(db.session.get(Voucher, served), now)
        assert b.status is BookingStatus.ARRIVED


def test_illegal_moves_raise(app, people, day):
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    with app.app_context():
        now = local(day - timedelta(days=3), "09:00")
        booking = _book(voucher_id, local(day, "10:30"), now)
        bookings.cancel(_user(), booking, now)
        manager = _user("manager-a@example.com")
        assert (
            _refusal(lambda: bookings.mark_arrived(manager, booking, local(day, "10:00")))
            == "illegal_move"
        )
        assert (
            _refusal(lambda: bookings.shop_cancel(manager, booking, "设备故障", now))
            == "illegal_move"
        )


def test_no_show_only_once_the_time_has_begun(app, people, day):
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    with app.app_context():
        booking = _book(voucher_id, local(day, "10:30"), local(day - timedelta(days=1), "09:00"))
        manager = _user("manager-a@example.com")
        assert (
            _refusal(lambda: bookings.mark_no_show(manager, booking, local(day, "10:00")))
            == "not_started"
        )
        bookings.mark_no_show(manager, booking, local(day, "10:45"))
        assert booking.status is BookingStatus.NO_SHOW
        # the bay is free again for the rest of the slot's time
        free = bookings.Calendar(shop(app, people["a"]), day, day).free_bays(
            local(day, "10:30"), local(day, "11:30")
        )
        assert free == (1, 2)


def test_open_state(app, people, day):
    with app.app_context():
        a = shop(app, people["a"])
        state = bookings.open_state(a, local(day, "09:00"))
        assert state.open_now and state.closes_at == local(day, "20:00")
        state = bookings.open_state(a, local(day, "21:00"))
        assert not state.open_now and state.opens_at == local(day + timedelta(days=1), "08:30")


def test_settings_are_checked(app, people):
    with app.app_context():
        a, manager = shop(app, people["a"]), _user("manager-a@example.com")
        for values, code in [
            ({"bays": 0}, "bays_range"),
            ({"days_ahead": 61}, "days_range"),
            ({"change_hours": -1}, "change_range"),
            ({"slot_minutes": {"cleaning": 10}}, "slot_range"),
            ({"slot_minutes": {"cleaning": 50}}, "slot_range"),
        ]:
            args = {"bays": 2, "days_ahead": 14, "change_hours": 2, "slot_minutes": {}} | values
            assert _refusal(lambda args=args: bookings.save_rules(manager, a, **args)) == code
        assert bookings.settings_of(a) is None
        assert (
            _refusal(lambda: bookings.save_week(manager, a, {0: (time(18), time(9))}))
            == "hours_order"
        )
        assert len(bookings.week_of(a)) == 7


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("08:30-20:00", (time(8, 30), time(20))),
        ("9-18", (time(9), time(18))),
        ("０９：００～２１：００", (time(9), time(21))),
        ("8:00至24:00", (time(8), time(23, 59))),
        ("全天", None),
        ("20:00-08:00", None),
    ],
)
def test_daily_hours_from_an_application(text, hours):
    assert bookings.parse_daily_hours(text) == hours


def test_a_late_arrival_after_a_no_show_needs_a_free_bay(app, people, day):
    oil = people["listings"]["oil_a"]
    late, other, walk_in = (unused_voucher(app, oil) for _ in range(3))
    with app.app_context():
        manager = _user("manager-a@example.com")
        before = local(day - timedelta(days=1), "09:00")
        missed = _book(late, local(day, "10:30"), before)
        _book(other, local(day, "10:30"), before)
        bookings.mark_no_show(manager, missed, local(day, "10:40"))
        taken = _book(walk_in, local(day, "10:30"), before)  # into the freed bay
        assert taken.bay == missed.bay == 1
        late_at = local(day, "10:50")
        assert _refusal(lambda: bookings.mark_arrived(manager, missed, late_at)) == "full"
        assert missed.status is BookingStatus.NO_SHOW
        bookings.cancel(_user(), taken, before)
        bookings.mark_arrived(manager, missed, late_at)
        assert missed.status is BookingStatus.ARRIVED and missed.bay == 1
