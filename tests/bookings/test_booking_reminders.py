"""The day-before booking reminder: in the notification centre and by email, once per
booked time, not for cancelled bookings; a booking moved to another day is reminded again."""

import email
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Booking, Notification, NotificationKind, Voucher
from marketplace.services import bookings

from .conftest import OWNER, days_from_today, local, unused_voucher, user


def send(app) -> str:
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def reminders(app):
    with app.app_context():
        rows = db.session.scalars(
            select(Notification)
            .where(Notification.kind == NotificationKind.BOOKING_REMINDER)
            .order_by(Notification.id)
        ).all()
        db.session.expunge_all()
        return rows


def outbox(app):
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]


def _book(app, voucher_id, day, clock):
    with app.app_context():
        voucher = db.session.get(Voucher, voucher_id)
        now = local(day - timedelta(days=2), "09:00")
        booking = bookings.book_voucher(user(OWNER), voucher, local(day, clock), now)
        db.session.commit()
        return booking.id


def test_tomorrows_booking_is_reminded_once_with_email(app, owner, people):
    tomorrow = days_from_today(app, 1)
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    cancelled = unused_voucher(app, people["listings"]["oil_a"])
    later = unused_voucher(app, people["listings"]["wash_a"])
    booking_id = _book(app, voucher_id, tomorrow, "10:30")
    gone = _book(app, cancelled, tomorrow, "14:30")
    _book(app, later, tomorrow + timedelta(days=1), "10:00")
    with app.app_context():
        bookings.cancel(user(OWNER), db.session.get(Booking, gone), local(tomorrow, "08:00"))
        db.session.commit()
    assert "bookings 1" in send(app)
    (note,) = reminders(app)
    assert note.data["booking_id"] == booking_id
    assert note.link == f"/account/vouchers/{voucher_id}/booking"
    mails = [m for m in outbox(app) if "明天到店" in m["Subject"]]
    assert len(mails) == 1 and "10:30" in mails[0].get_content()
    assert "建国路88号" in mails[0].get_content() and "13800138000" in mails[0].get_content()
    assert "bookings 0" in send(app)
    assert len(reminders(app)) == 1
    centre = owner.get("/account/notifications").get_data(as_text=True)
    assert "明天到店" in centre


def test_a_booking_moved_to_another_tomorrow_is_reminded_again(app, owner, people):
    tomorrow = days_from_today(app, 1)
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    _book(app, voucher_id, tomorrow, "10:30")
    send(app)
    _book(app, voucher_id, tomorrow, "15:30")
    assert "bookings 1" in send(app)
    assert [n.data["starts_at"] for n in reminders(app)] == [
        local(tomorrow, "10:30").isoformat(),
        local(tomorrow, "15:30").isoformat(),
    ]
