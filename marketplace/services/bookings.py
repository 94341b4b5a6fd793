"""Bookings (预约到店): when a shop is open, how many bays it has, and the times owners book.

A shop's day is cut into slots per category (a car wash is shorter than a major service),
starting at opening time and ending by closing time. A booking takes one bay for its slot;
slots of different lengths overlap, so what is free is worked out per bay over the time.
Every booking, change and cancellation first locks the shop's row, so two owners never get
the same bay at the same time: a slot never holds more bookings than the shop has bays.

An owner books a voucher (one open booking per voucher) or, on the pay page, a unit of an
unpaid order line (a hold that becomes the voucher's booking when the order is paid and is
released when it expires). The shop marks arrivals and no-shows, may cancel with a reason,
and the booking is served when the voucher is redeemed. Each change is an order event.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Booking,
    BookingSettings,
    BookingStatus,
    Category,
    ClosedDay,
    NotificationKind,
    OpeningHours,
    Order,
    OrderLine,
    OrderStatus,
    Shop,
    User,
    Voucher,
    VoucherStatus,
)
from ..models.bookings import (
    MAX_BAYS,
    MAX_CHANGE_HOURS,
    MAX_DAYS_AHEAD,
    MAX_SLOT_MINUTES,
    MIN_SLOT_MINUTES,
    OPEN_STATUSES,
    TAKES_A_BAY,
)
from ..timeutil import local_zone
from . import audit, notifications
from .errors import DomainError, error_codes
from .orders import record_event
from .rows import rows

DEFAULT_BAYS = 2
DEFAULT_DAYS_AHEAD = 14
DEFAULT_CHANGE_HOURS = 2
DEFAULT_SLOT_MINUTES = {
    Category.MAINTENANCE: 60,
    Category.REPAIR: 120,
    Category.CLEANING: 30,
    Category.TIRES: 60,
    Category.ACCESSORIES: 90,
}
SLOT_STEP_MINUTES = 15
MAX_REASON = 200
MAX_CLOSED_RANGE_DAYS = 31
MAX_NOTE = 60
DAILY_RE = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*[-~—–至到]\s*(\d{1,2})(?::(\d{2}))?\s*$")

MOVES = {
    BookingStatus.HELD: {BookingStatus.BOOKED, BookingStatus.CANCELLED},
    BookingStatus.BOOKED: {
        BookingStatus.ARRIVED,
        BookingStatus.NO_SHOW,
        BookingStatus.SERVED,
        BookingStatus.CANCELLED,
    },
    BookingStatus.ARRIVED: {BookingStatus.SERVED, BookingStatus.CANCELLED},
    BookingStatus.NO_SHOW: {BookingStatus.ARRIVED, BookingStatus.SERVED},
    BookingStatus.SERVED: {BookingStatus.ARRIVED},  # the redemption was undone
    BookingStatus.CANCELLED: set(),
}


class BookingError(DomainError):
    """A refused booking or booking setting; `code` says why, `field` which input."""

    Code = error_codes(
        "BookingCode",
        "not_found bad_time past closed_day not_a_slot too_far after_expiry full "
        "voucher_redeemed voucher_refunded voucher_expired too_late all_units_booked "
        "order_not_open illegal_move not_started reason_required reason_too_long "
        "bays_range days_range change_range slot_range hours_order closed_past "
        "closed_range closed_has_bookings note_too_long",
    )


# --- a shop's rules and calendar -----------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    bays: int
    days_ahead: int
    change_hours: int
    slot_minutes: dict[str, int]

    def minutes_for(self, category: str) -> int:
        return self.slot_minutes.get(str(category)) or DEFAULT_SLOT_MINUTES[Category(category)]


def settings_of(shop: Shop) -> BookingSettings | None:
    return db.session.scalar(select(BookingSettings).where(BookingSettings.shop_id == shop.id))


def rules_of(shop: Shop) -> Rules:
    """The shop's booking rules (the defaults where it set none)."""
    row = settings_of(shop)
    if row is None:
        return Rules(DEFAULT_BAYS, DEFAULT_DAYS_AHEAD, DEFAULT_CHANGE_HOURS, {})
    return Rules(row.bays, row.days_ahead, row.change_hours, dict(row.slot_minutes or {}))


# every shop and listing page reads these: built once per process
_WEEK = select(OpeningHours.weekday, OpeningHours.opens, OpeningHours.closes).where(
    OpeningHours.shop_id == bindparam("shop_id")
)
_CLOSED = (
    select(ClosedDay)
    .where(
        ClosedDay.shop_id == bindparam("shop_id"),
        ClosedDay.day >= bindparam("first"),
        ClosedDay.day <= bindparam("last"),
    )
    .order_by(ClosedDay.day)
)


def week_of(shop: Shop) -> dict[int, tuple[time, time]]:
    """Opening hours per weekday (0 = Monday); a missing weekday is closed."""
    week = rows(_WEEK, {"shop_id": shop.id})
    return {weekday: (opens, closes) for weekday, opens, closes in week}


def closed_days(shop: Shop, first: date, last: date) -> list[ClosedDay]:
    params = {"shop_id": shop.id, "first": first, "last": last}
    return list(db.session.scalars(_CLOSED, params))


def local_day(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


def at(day: date, clock: time) -> datetime:
    """The aware UTC moment of `clock` on `day` in the marketplace's time zone."""
    return datetime.combine(day, clock, tzinfo=local_zone()).astimezone(UTC)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    free_bays: tuple[int, ...]

    @property
    def free(self) -> int:
        return len(self.free_bays)


@dataclass(frozen=True)
class OpenState:
    open_now: bool
    closes_at: datetime | None  # today's closing, when open now
    opens_at: datetime | None  # the next opening, when closed now


class Calendar:
    """A shop's hours and closed days from `first` to `last`, and its rules and bay-taking
    bookings then, each read once and only when asked for."""

    def __init__(self, shop: Shop, first: date, last: date, ignoring: int | None = None):
        self.shop, self.first, self.last, self.ignoring = shop, first, last, ignoring

    @cached_property
    def rules(self) -> Rules:
        return rules_of(self.shop)

    @cached_property
    def week(self) -> dict[int, tuple[time, time]]:
        return week_of(self.shop)

    @cached_property
    def closed_days(self) -> list[ClosedDay]:
        return closed_days(self.shop, self.first, self.last)

    @cached_property
    def closed(self) -> set[date]:
        return {c.day for c in self.closed_days}

    @cached_property
    def bookings(self) -> list[Booking]:
        return list(
            db.session.scalars(
                select(Booking).where(
                    Booking.shop_id == self.shop.id,
                    Booking.status.in_(TAKES_A_BAY),
                    Booking.starts_at < at(self.last + timedelta(days=1), time(0)),
                    Booking.ends_at > at(self.first, time(0)),
                )
            )
        )

    def hours(self, day: date) -> tuple[time, time] | None:
        if day in self.closed:
            return None
        return self.week.get(day.weekday())

    def free_bays(self, starts_at: datetime, ends_at: datetime) -> tuple[int, ...]:
        taken = {
            b.bay
            for b in self.bookings
            if b.id != self.ignoring and b.starts_at < ends_at and b.ends_at > starts_at
        }
        return tuple(bay for bay in range(1, self.rules.bays + 1) if bay not in taken)

    def slots(
        self, day: date, minutes: int, now: datetime, until: datetime | None = None
    ) -> list[Slot]:
        """The day's slots of this length that start after `now` (and end by `until`), with
        their free bays."""
        hours = self.hours(day)
        if hours is None:
            return []
        opens, closes = at(day, hours[0]), at(day, hours[1])
        length = timedelta(minutes=minutes)
        found, start = [], opens
        while start + length <= closes and (until is None or start + length <= until):
            if start > now:
                found.append(Slot(start, start + length, self.free_bays(start, start + length)))
            start += length
        return found

    def days(self, last: date | None = None):
        day = self.first
        while day <= min(last or self.last, self.last):
            yield day
            day += timedelta(days=1)

    def first_free(
        self, minutes: int, now: datetime, *, until: datetime | None = None, last=None
    ) -> Slot | None:
        """The first slot with a free bay, up to the day `last` (else the calendar's last)."""
        for day in self.days(last):
            slot = next((s for s in self.slots(day, minutes, now, until) if s.free), None)
            if slot is not None:
                return slot
        return None

    def open_state(self, now: datetime) -> OpenState:
        """Whether the shop is open at `now`, until when, or when it opens next (within the
        calendar's days)."""
        for day in self.days():
            hours = self.hours(day)
            if hours is None:
                continue
            opens, closes = at(day, hours[0]), at(day, hours[1])
            if opens <= now < closes:
                return OpenState(True, closes, None)
            if now < opens:
                return OpenState(False, None, opens)
        return OpenState(False, None, None)


def window(shop: Shop, now: datetime, until: datetime | None = None) -> tuple[date, date]:
    """The days one may book now: today to the shop's limit (and the voucher's expiry)."""
    today = local_day(now)
    last = today + timedelta(days=rules_of(shop).days_ahead)
    if until is not None:
        last = min(last, local_day(until))
    return today, last


@dataclass(frozen=True)
class Choice:
    """What the booking page shows: the open days, the chosen day's slots, the first free."""

    days: list[date]
    day: date | None
    slots: list[Slot]
    next_free: Slot | None
    minutes: int


def choices(
    shop: Shop,
    category: str,
    now: datetime,
    *,
    day: date | None = None,
    until: datetime | None = None,
    ignoring: Booking | None = None,
) -> Choice:
    """The bookable days, the slots of `day` (else of the first day with a free slot) and
    the next free slot, for a booking of `category` that must end by `until`."""
    first, last = window(shop, now, until)
    cal = Calendar(shop, first, max(first, last), ignoring=ignoring.id if ignoring else None)
    minutes = cal.rules.minutes_for(category)
    days = [d for d in cal.days(last) if cal.slots(d, minutes, now, until)]
    next_free = cal.first_free(minutes, now, until=until, last=last)
    if day is None or day not in days:
        day = local_day(next_free.starts_at) if next_free else (days[0] if days else None)
    slots = cal.slots(day, minutes, now, until) if day else []
    return Choice(days, day, slots, next_free, minutes)


def next_free_slot(shop: Shop, category: str, now: datetime) -> Slot | None:
    return choices(shop, category, now).next_free


def open_state(shop: Shop, now: datetime, look_ahead_days: int = 14) -> OpenState:
    """Whether the shop is open at `now`, until when, or when it opens next."""
    today = local_day(now)
    return Calendar(shop, today, today + timedelta(days=look_ahead_days)).open_state(now)


# --- placing a booking ---------------------------------------------------------------------


def _lock_shop(shop: Shop) -> None:
    """Serialize the shop's bookings (PostgreSQL row lock; SQLite locks the file)."""
    db.session.execute(select(Shop.id).where(Shop.id == shop.id).with_for_update(key_share=True))


def _place(
    shop: Shop,
    category: str,
    starts_at: datetime,
    now: datetime,
    *,
    until: datetime | None,
    ignoring: Booking | None = None,
) -> tuple[Slot, int]:
    """The slot starting at `starts_at` and the bay it gets; the shop must be locked."""
    if starts_at.tzinfo is None:
        raise BookingError("bad_time", "starts_at")
    if starts_at <= now:
        raise BookingError("past", "starts_at")
    day = local_day(starts_at)
    first, last = window(shop, now)
    if day > last:
        raise BookingError("too_far", "starts_at", days=rules_of(shop).days_ahead)
    cal = Calendar(shop, day, day, ignoring=ignoring.id if ignoring else None)
    if cal.hours(day) is None:
        raise BookingError("closed_day", "starts_at")
    slot = next(
        (
            s
            for s in cal.slots(day, cal.rules.minutes_for(category), now)
            if s.starts_at == starts_at
        ),
        None,
    )
    if slot is None:
        raise BookingError("not_a_slot", "starts_at")
    if until is not None and slot.ends_at > until:
        raise BookingError("after_expiry", "starts_at")
    if not slot.free:
        raise BookingError("full", "starts_at")
    return slot, slot.free_bays[0]


def voucher_blocker(voucher: Voucher, now: datetime) -> str | None:
    if voucher.status is VoucherStatus.REDEEMED:
        return "voucher_redeemed"
    if voucher.status in (VoucherStatus.REFUNDED, VoucherStatus.REFUND_REQUESTED):
        return "voucher_refunded"
    if voucher.status is VoucherStatus.EXPIRED or voucher.expires_at <= now:
        return "voucher_expired"
    return None


def open_booking(voucher: Voucher) -> Booking | None:
    """The voucher's booking in force (held, booked or arrived), if any."""
    return db.session.scalar(
        select(Booking).where(Booking.voucher_id == voucher.id, Booking.status.in_(OPEN_STATUSES))
    )


def latest_booking(voucher: Voucher) -> Booking | None:
    """The voucher's most recent booking, whatever became of it."""
    return db.session.scalar(
        select(Booking).where(Booking.voucher_id == voucher.id).order_by(Booking.id.desc()).limit(1)
    )


def bookings_for_vouchers(voucher_ids: list[int]) -> dict[int, Booking]:
    """The latest booking of each voucher (one query), for pages listing vouchers."""
    found: dict[int, Booking] = {}
    if not voucher_ids:
        return found
    for b in db.session.scalars(
        select(Booking).where(Booking.voucher_id.in_(voucher_ids)).order_by(Booking.id)
    ):
        found[b.voucher_id] = b
    return found


def change_deadline(booking: Booking) -> datetime:
    """Until when the owner may change or cancel the booking."""
    return booking.starts_at - timedelta(hours=rules_of(booking.shop).change_hours)


def changeable(booking: Booking, now: datetime) -> bool:
    if booking.status is BookingStatus.HELD:
        return True
    return booking.status is BookingStatus.BOOKED and now < change_deadline(booking)


def category_of(line: OrderLine) -> str:
    return str(line.listing.category)


def book_voucher(owner: User, voucher: Voucher, starts_at: datetime, now: datetime) -> Booking:
    """Book (or move) the voucher's time at its shop."""
    if voucher.owner_id != owner.id:
        raise BookingError("not_found")
    shop = db.session.get(Shop, voucher.shop_id)
    _lock_shop(shop)
    db.session.refresh(voucher)
    blocker = voucher_blocker(voucher, now)
    if blocker:
        raise BookingError(blocker)
    current = open_booking(voucher)
    if current is not None and not changeable(current, now):
        raise BookingError("too_late")
    slot, bay = _place(
        shop, category_of(voucher.line), starts_at, now, until=voucher.expires_at, ignoring=current
    )
    if current is not None:
        before = current.starts_at
        current.starts_at, current.ends_at, current.bay = slot.starts_at, slot.ends_at, bay
        current.updated_at = now
        db.session.flush()
        record_event(
            voucher.order,
            "booking_moved",
            owner,
            voucher=voucher,
            shop=shop.id,
            starts_at=slot.starts_at.isoformat(),
            before=before.isoformat(),
        )
        _tell_owner(current, "moved", now)
        return current
    booking = _new_booking(voucher.line, owner, slot, bay, BookingStatus.BOOKED, now, voucher)
    record_event(
        voucher.order,
        "booking_made",
        owner,
        voucher=voucher,
        shop=shop.id,
        starts_at=slot.starts_at.isoformat(),
    )
    _tell_owner(booking, "made", now)
    return booking


def _new_booking(line, owner, slot, bay, status, now, voucher=None) -> Booking:
    booking = Booking(
        shop_id=line.shop_id,
        order_id=line.order_id,
        order_line_id=line.id,
        voucher_id=voucher.id if voucher is not None else None,
        owner_id=owner.id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        bay=bay,
        status=status,
        created_at=now,
        updated_at=now,
    )
    db.session.add(booking)
    db.session.flush()
    return booking


def holds(order: Order) -> list[Booking]:
    """The times held for an unpaid order's lines."""
    return list(
        db.session.scalars(
            select(Booking)
            .where(Booking.order_id == order.id, Booking.status == BookingStatus.HELD)
            .order_by(Booking.starts_at, Booking.id)
        )
    )


def hold(owner: User, order: Order, line: OrderLine, starts_at: datetime, now: datetime) -> Booking:
    """Hold a time for one unit of an unpaid order's line (it becomes a voucher's booking
    when the order is paid)."""
    if order.user_id != owner.id or line.order_id != order.id:
        raise BookingError("not_found")
    shop = db.session.get(Shop, line.shop_id)
    _lock_shop(shop)
    db.session.refresh(order)
    if order.status is not OrderStatus.PENDING_PAYMENT:
        raise BookingError("order_not_open")
    held = [b for b in holds(order) if b.order_line_id == line.id]
    if len(held) >= line.quantity:
        raise BookingError("all_units_booked")
    slot, bay = _place(
        shop,
        category_of(line),
        starts_at,
        now,
        until=now + timedelta(days=line.validity_days),
    )
    booking = _new_booking(line, owner, slot, bay, BookingStatus.HELD, now)
    record_event(order, "booking_held", owner, shop=shop.id, starts_at=slot.starts_at.isoformat())
    return booking


def _set(booking: Booking, target: BookingStatus, now: datetime, **values) -> None:
    """Move the booking to `target` if it is still where it was read; else BookingError."""
    if target not in MOVES[booking.status]:
        raise BookingError("illegal_move")
    moved = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == booking.status)
        .values(status=target, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(booking)
    if moved != 1:
        raise BookingError("illegal_move")


def cancel(owner: User, booking: Booking, now: datetime) -> None:
    """The owner cancels their booking (until the shop's limit) or a held time."""
    if booking.owner_id != owner.id:
        raise BookingError("not_found")
    _lock_shop(booking.shop)
    db.session.refresh(booking)
    if not booking.is_open:
        raise BookingError("illegal_move")
    if not changeable(booking, now):
        raise BookingError("too_late")
    _set(booking, BookingStatus.CANCELLED, now, cancel_reason="")
    record_event(
        booking.order,
        "booking_cancelled",
        owner,
        voucher=booking.voucher,
        starts_at=booking.starts_at.isoformat(),
    )


def shop_cancel(actor: User, booking: Booking, reason: str, now: datetime) -> None:
    """The shop cancels a booking, saying why; the owner is told and may book again."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise BookingError("reason_required", "reason")
    if len(reason) > MAX_REASON:
        raise BookingError("reason_too_long", "reason")
    _lock_shop(booking.shop)
    db.session.refresh(booking)
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.ARRIVED):
        raise BookingError("illegal_move")
    _set(booking, BookingStatus.CANCELLED, now, cancel_reason=reason, cancelled_by_shop=True)
    record_event(
        booking.order,
        "booking_cancelled_by_shop",
        actor,
        voucher=booking.voucher,
        starts_at=booking.starts_at.isoformat(),
        reason=reason,
    )
    _tell_owner(booking, "cancelled_by_shop", now)


def mark_arrived(actor: User, booking: Booking, now: datetime) -> None:
    """The owner has come in (from the booking's day on)."""
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.NO_SHOW):
        raise BookingError("illegal_move")
    if local_day(now) < local_day(booking.starts_at):
        raise BookingError("not_started")
    bay = booking.bay
    if booking.status is BookingStatus.NO_SHOW:  # its bay was freed: it needs one again
        _lock_shop(booking.shop)
        day = local_day(booking.starts_at)
        cal = Calendar(booking.shop, day, day, ignoring=booking.id)
        free = cal.free_bays(booking.starts_at, booking.ends_at)
        if not free:
            raise BookingError("full")
        bay = bay if bay in free else free[0]
    _set(booking, BookingStatus.ARRIVED, now, bay=bay)
    record_event(booking.order, "booking_arrived", actor, voucher=booking.voucher)


def mark_no_show(actor: User, booking: Booking, now: datetime) -> None:
    """The owner did not come (once the booked time has begun); the bay is free again."""
    if now < booking.starts_at:
        raise BookingError("not_started")
    _set(booking, BookingStatus.NO_SHOW, now)
    record_event(booking.order, "booking_no_show", actor, voucher=booking.voucher)


# --- what happens to bookings when orders and vouchers change ------------------------------


def attach_holds(order: Order, vouchers: list[Voucher], now: datetime) -> None:
    """The order is paid: each held time becomes the booking of one of its line's vouchers
    (a time that passed while the order was being paid is let go)."""
    held = holds(order)
    if not held:
        return
    free = {}
    for v in vouchers:
        free.setdefault(v.order_line_id, []).append(v)
    for booking in held:
        queue = free.get(booking.order_line_id) or []
        if booking.starts_at <= now or not queue:
            _set(booking, BookingStatus.CANCELLED, now, cancel_reason="passed")
            continue
        voucher = queue.pop(0)
        _set(booking, BookingStatus.BOOKED, now, voucher_id=voucher.id)
        record_event(
            order,
            "booking_made",
            voucher=voucher,
            shop=booking.shop_id,
            starts_at=booking.starts_at.isoformat(),
        )
        _tell_owner(booking, "made", now)


def release_holds(order: Order, now: datetime) -> None:
    """The order closed unpaid: its held times are free again."""
    for booking in holds(order):
        _set(booking, BookingStatus.CANCELLED, now, cancel_reason="order_closed")


def voucher_ended(voucher: Voucher, why: str, now: datetime) -> None:
    """The voucher was refunded or expired: its booking is cancelled."""
    booking = open_booking(voucher)
    if booking is not None:
        _set(booking, BookingStatus.CANCELLED, now, cancel_reason=why)
        record_event(voucher.order, "booking_released", voucher=voucher, reason=why)


def voucher_redeemed(voucher: Voucher, now: datetime) -> Booking | None:
    """The voucher was redeemed: its booking (booked, arrived or marked no-show) is served."""
    booking = db.session.scalar(
        select(Booking).where(
            Booking.voucher_id == voucher.id,
            Booking.status.in_((*OPEN_STATUSES, BookingStatus.NO_SHOW)),
        )
    )
    if booking is not None and booking.status is not BookingStatus.HELD:
        _set(booking, BookingStatus.SERVED, now)
    return booking


def redemption_undone(voucher: Voucher, now: datetime) -> None:
    """The redemption was taken back: the owner was there, the service is not done."""
    booking = db.session.scalar(
        select(Booking).where(
            Booking.voucher_id == voucher.id, Booking.status == BookingStatus.SERVED
        )
    )
    if booking is not None:
        _set(booking, BookingStatus.ARRIVED, now)


def _tell_owner(booking: Booking, what: str, now: datetime) -> None:
    voucher = booking.voucher or (
        db.session.get(Voucher, booking.voucher_id) if booking.voucher_id else None
    )
    notifications.notify(
        booking.owner,
        NotificationKind.BOOKING,
        data={
            "what": what,
            "booking_id": booking.id,
            "title": booking.line.title,
            "shop": booking.line.shop_name,
            "starts_at": booking.starts_at.isoformat(),
            "reason": booking.cancel_reason if what == "cancelled_by_shop" else "",
        },
        link=f"/account/vouchers/{voucher.id}/booking" if voucher else "/account/vouchers",
        now=now,
    )


# --- the shop's side -----------------------------------------------------------------------


def shop_booking(user: User, booking_id: int, need) -> Booking | None:
    """A booking at a shop `user` has `need` for; None for anyone else's."""
    from . import shops as shop_service

    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.status is BookingStatus.HELD:
        return None
    if not shop_service.access(user, booking.shop).allows(need):
        return None
    return booking


def owner_booking(owner: User, booking_id: int) -> Booking | None:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.owner_id != owner.id:
        return None
    return booking


@dataclass(frozen=True)
class Day:
    """A shop's bookings of one day, per bay, and those cancelled."""

    day: date
    hours: tuple[time, time] | None
    bays: list[tuple[int, list[Booking]]]
    cancelled: list[Booking]

    @property
    def count(self) -> int:
        return sum(len(taken) for _, taken in self.bays)


def day_view(shop: Shop, day: date) -> Day:
    """What the counter sees: the day's bookings per bay with the car and the service
    (times held for orders being paid too: they take their bay)."""
    cal = Calendar(shop, day, day)
    booked = list(
        db.session.scalars(
            select(Booking)
            .options(
                joinedload(Booking.line),
                joinedload(Booking.voucher),
                joinedload(Booking.owner),
            )
            .where(
                Booking.shop_id == shop.id,
                Booking.starts_at >= at(day, time(0)),
                Booking.starts_at < at(day + timedelta(days=1), time(0)),
            )
            .order_by(Booking.starts_at, Booking.bay, Booking.id)
        )
    )
    live = [b for b in booked if b.status is not BookingStatus.CANCELLED]
    bays = sorted({*range(1, cal.rules.bays + 1), *(b.bay for b in live)})
    return Day(
        day,
        cal.hours(day),
        [(bay, [b for b in live if b.bay == bay]) for bay in bays],
        # a time let go before its order was paid was never the shop's booking
        [b for b in booked if b.status is BookingStatus.CANCELLED and b.voucher_id is not None],
    )


def booking_of_voucher_for_desk(voucher: Voucher) -> Booking | None:
    """The booking the redeem desk shows: the open one, else the latest."""
    return open_booking(voucher) or latest_booking(voucher)


# --- the shop's settings -------------------------------------------------------------------


def save_rules(
    actor: User,
    shop: Shop,
    *,
    bays: int,
    days_ahead: int,
    change_hours: int,
    slot_minutes: dict[str, int],
) -> BookingSettings:
    """Set how the shop takes bookings; raises BookingError naming the field at fault."""
    if not 1 <= bays <= MAX_BAYS:
        raise BookingError("bays_range", "bays", max=MAX_BAYS)
    if not 1 <= days_ahead <= MAX_DAYS_AHEAD:
        raise BookingError("days_range", "days_ahead", max=MAX_DAYS_AHEAD)
    if not 0 <= change_hours <= MAX_CHANGE_HOURS:
        raise BookingError("change_range", "change_hours", max=MAX_CHANGE_HOURS)
    lengths = {}
    for category in Category:
        minutes = slot_minutes.get(str(category))
        if minutes is None:
            continue
        if not MIN_SLOT_MINUTES <= minutes <= MAX_SLOT_MINUTES or minutes % SLOT_STEP_MINUTES:
            raise BookingError(
                "slot_range",
                f"slot_{category}",
                min=MIN_SLOT_MINUTES,
                max=MAX_SLOT_MINUTES,
                step=SLOT_STEP_MINUTES,
            )
        lengths[str(category)] = minutes
    row = settings_of(shop)
    if row is None:
        row = BookingSettings(shop_id=shop.id)
        db.session.add(row)
    row.bays, row.days_ahead, row.change_hours = bays, days_ahead, change_hours
    row.slot_minutes = lengths
    db.session.flush()
    audit.record(actor, "shop.booking_rules", shop, bays=bays, days_ahead=days_ahead)
    return row


def save_week(actor: User, shop: Shop, week: dict[int, tuple[time, time] | None]) -> None:
    """Set the opening hours of each weekday (None: closed that weekday)."""
    for weekday, hours in week.items():
        if hours is not None and not hours[0] < hours[1]:
            raise BookingError("hours_order", f"day{weekday}")
    current = {
        h.weekday: h
        for h in db.session.scalars(select(OpeningHours).where(OpeningHours.shop_id == shop.id))
    }
    for weekday in range(7):
        hours = week.get(weekday)
        row = current.get(weekday)
        if hours is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(
                OpeningHours(shop_id=shop.id, weekday=weekday, opens=hours[0], closes=hours[1])
            )
        else:
            row.opens, row.closes = hours
    db.session.flush()
    audit.record(
        actor,
        "shop.opening_hours",
        shop,
        week={d: f"{h[0]:%H:%M}-{h[1]:%H:%M}" for d, h in week.items() if h},
    )


def add_closed_days(
    actor: User, shop: Shop, first: date, last: date | None, note: str, today: date
) -> list[ClosedDay]:
    """Close the shop from `first` to `last` (one day when None). Days with live bookings
    are refused: the shop cancels those first, telling the owners why."""
    last = last or first
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        raise BookingError("note_too_long", "note", max=MAX_NOTE)
    if first < today:
        raise BookingError("closed_past", "first")
    if last < first or (last - first).days >= MAX_CLOSED_RANGE_DAYS:
        raise BookingError("closed_range", "last", max=MAX_CLOSED_RANGE_DAYS)
    _lock_shop(shop)
    booked = db.session.scalar(
        select(db.func.count(Booking.id)).where(
            Booking.shop_id == shop.id,
            Booking.status.in_(OPEN_STATUSES),
            Booking.starts_at >= at(first, time(0)),
            Booking.starts_at < at(last + timedelta(days=1), time(0)),
        )
    )
    if booked:
        raise BookingError("closed_has_bookings", "first", count=booked)
    known = {c.day for c in closed_days(shop, first, last)}
    made = []
    day = first
    while day <= last:
        if day not in known:
            row = ClosedDay(shop_id=shop.id, day=day, note=note)
            db.session.add(row)
            made.append(row)
        day += timedelta(days=1)
    db.session.flush()
    return made


def remove_closed_day(actor: User, shop: Shop, closed_day_id: int) -> None:
    row = db.session.get(ClosedDay, closed_day_id)
    if row is None or row.shop_id != shop.id:
        raise BookingError("not_found")
    db.session.delete(row)
    db.session.flush()


def set_daily_hours(shop: Shop, opens: time, closes: time) -> None:
    """Open every day from `opens` to `closes` (a new shop's hours, from its application)."""
    for weekday in range(7):
        db.session.add(OpeningHours(shop_id=shop.id, weekday=weekday, opens=opens, closes=closes))


def parse_daily_hours(text: str) -> tuple[time, time] | None:
    """Daily hours as written, "08:30-20:00" or "9-18" (also with ～, 至 or full-width
    digits), as two clock times; None when the text does not read as one range."""
    match = DAILY_RE.match(unicodedata.normalize("NFKC", text or ""))
    if not match:
        return None
    h1, m1, h2, m2 = (int(g or 0) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
        return None
    opens = time(h1, m1)
    closes = time(23, 59) if h2 == 24 else time(h2, m2)
    return (opens, closes) if opens < closes else None
