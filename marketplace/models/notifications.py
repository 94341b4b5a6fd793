"""The notification centre: what the platform tells a user, and how they want to hear it."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow
from .users import User
from .vehicles import GarageVehicle


class NotificationKind:
    """The kinds of notification; the first four are the owners' reminders."""

    MAINTENANCE_DUE = "maintenance_due"
    INSURANCE_RENEWAL = "insurance_renewal"
    INSPECTION_DUE = "inspection_due"
    VOUCHER_EXPIRING = "voucher_expiring"
    SHOP_MESSAGE = "shop_message"
    INVOICE_ISSUED = "invoice_issued"
    BOOKING = "booking"
    BOOKING_REMINDER = "booking_reminder"

    REMINDERS = (MAINTENANCE_DUE, INSURANCE_RENEWAL, INSPECTION_DUE, VOUCHER_EXPIRING)
    ALL = (*REMINDERS, SHOP_MESSAGE, INVOICE_ISSUED, BOOKING, BOOKING_REMINDER)


class Notification(db.Model):
    """One message in a user's notification centre (and maybe their inbox).

    `data` holds what the message says as values, so it is worded in the reader's language
    when shown; `dedupe_key` is unique, so a reminder job run twice adds nothing."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(300), default="")
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_pending: Mapped[bool] = mapped_column(default=False)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class NotificationPreference(db.Model):
    """A user's choice for one kind of notification; no row means both channels on."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    in_app: Mapped[bool] = mapped_column(default=True)
    email: Mapped[bool] = mapped_column(default=True)


class UnsubscribeToken(db.Model):
    """The one-click unsubscribe link of one email: usable once."""

    __tablename__ = "unsubscribe_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReminderMark(db.Model):
    """One thing a reminder was sent about (e.g. engine oil of car 7 due at 40,000 km): a
    reminder job skips what is marked, so nothing is said twice."""

    __tablename__ = "reminder_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InsurancePolicy(db.Model):
    """The owner's car insurance: who insures the car and when the policy ends."""

    __tablename__ = "insurance_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(
        ForeignKey("garage_vehicles.id", ondelete="CASCADE"), unique=True
    )
    insurer: Mapped[str] = mapped_column(String(60))
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    vehicle: Mapped[GarageVehicle] = relationship()
