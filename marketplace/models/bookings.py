"""Bookings (预约到店): a shop's opening hours, closed days and bays, and the times owners
book to have a voucher served.

Each change to a booking is an order event (`booking_*`), so it shows in the order's
timeline with who did it."""

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .orders import Order, OrderLine
from .shops import Shop
from .types import UTCDateTime, enum_type, utcnow
from .users import User
from .vouchers import Voucher

MAX_BAYS = 20
MAX_DAYS_AHEAD = 60
MAX_CHANGE_HOURS = 72
MIN_SLOT_MINUTES = 15
MAX_SLOT_MINUTES = 8 * 60


class BookingStatus(enum.StrEnum):
    HELD = "held"  # chosen at checkout, the order not paid yet
    BOOKED = "booked"
    ARRIVED = "arrived"
    SERVED = "served"  # the voucher was redeemed
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


TAKES_A_BAY = (
    BookingStatus.HELD,
    BookingStatus.BOOKED,
    BookingStatus.ARRIVED,
    BookingStatus.SERVED,
)
"""The bookings that occupy their bay for their time."""

OPEN_STATUSES = (BookingStatus.HELD, BookingStatus.BOOKED, BookingStatus.ARRIVED)
"""A voucher (or an unpaid order line's unit) holds at most as many of these as it has."""


class BookingSettings(db.Model):
    """How a shop takes bookings; a shop without a row uses the defaults."""

    __tablename__ = "booking_settings"
    __table_args__ = (
        CheckConstraint(f"bays >= 1 AND bays <= {MAX_BAYS}", name="bays_range"),
        CheckConstraint(f"days_ahead >= 1 AND days_ahead <= {MAX_DAYS_AHEAD}", name="days_range"),
        CheckConstraint(
            f"change_hours >= 0 AND change_hours <= {MAX_CHANGE_HOURS}", name="change_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), unique=True)
    bays: Mapped[int] = mapped_column(default=2)
    days_ahead: Mapped[int] = mapped_column(default=14)
    change_hours: Mapped[int] = mapped_column(default=2)
    slot_minutes: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class OpeningHours(db.Model):
    """When a shop is open on one weekday (0 = Monday), in the marketplace's time zone; a
    weekday without a row is a closed day."""

    __tablename__ = "opening_hours"
    __table_args__ = (
        UniqueConstraint("shop_id", "weekday"),
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    weekday: Mapped[int]
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)


class ClosedDay(db.Model):
    """A day a shop is closed although its weekday is open (a holiday, a stocktake)."""

    __tablename__ = "closed_days"
    __table_args__ = (UniqueConstraint("shop_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(60), default="")


class Booking(db.Model):
    """A time at a shop, in one bay, for one voucher (or, before the order is paid, for one
    unit of an order line)."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        CheckConstraint(f"bay >= 1 AND bay <= {MAX_BAYS}", name="bay_range"),
        Index("ix_bookings_shop_starts", "shop_id", "starts_at"),
        Index(
            "uq_bookings_open_voucher",
            "voucher_id",
            unique=True,
            sqlite_where=text("status IN ('held', 'booked', 'arrived')"),
            postgresql_where=text("status IN ('held', 'booked', 'arrived')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    voucher_id: Mapped[int | None] = mapped_column(ForeignKey("vouchers.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    bay: Mapped[int]
    status: Mapped[BookingStatus] = mapped_column(enum_type(BookingStatus))
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    cancelled_by_shop: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    shop: Mapped[Shop] = relationship()
    order: Mapped[Order] = relationship()
    line: Mapped[OrderLine] = relationship()
    voucher: Mapped[Voucher | None] = relationship()
    owner: Mapped[User] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
