"""Owners' reminders: maintenance due, insurance renewal, annual inspection, vouchers expiring.

`send_reminders` walks the garage in batches (never all rows at once) and notifies through
`services.notifications`, so each reminder respects the owner's channels and is said once:
a maintenance item is marked per car, item and due point; an insurance reminder per policy
expiry and threshold; an inspection reminder per due date and threshold; a voucher once.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Booking,
    BookingStatus,
    GarageVehicle,
    InsurancePolicy,
    ListingItem,
    Notification,
    NotificationKind,
    OdometerReading,
    OrderLine,
    ReminderMark,
    Series,
    ServiceRecord,
    User,
    Variant,
    Voucher,
    VoucherStatus,
)
from ..models.vehicles import Car
from ..timeutil import local_midnight
from . import maintenance as matcher
from . import maintenance_rules, notifications
from .errors import DomainError, error_codes

DEFAULT_KM_PER_DAY = 40
INSURANCE_DAYS = (1, 7, 30, 60)
INSPECTION_DAYS = (7, 30)
VOUCHER_DAYS = 7
MAX_INSURANCE_DAYS_AHEAD = 400


# --- odometer estimate ---------------------------------------------------------------------


@dataclass(frozen=True)
class OdometerEstimate:
    km: int
    km_per_day: float
    basis: str  # "average" over the readings, or "default" with one reading
    last_km: int
    last_on: date
    readings: int


def estimate_odometer(readings: list[tuple[date, int]], today: date) -> OdometerEstimate | None:
    """Today's odometer from the readings: the last one plus the average km per day between
    the first and the last (40 km/day when there is one reading, or one day's worth)."""
    if not readings:
        return None
    readings = sorted(readings)
    (first_on, first_km), (last_on, last_km) = readings[0], readings[-1]
    days = (last_on - first_on).days
    if len(readings) >= 2 and days > 0:
        rate, basis = max(last_km - first_km, 0) / days, "average"
    else:
        rate, basis = float(DEFAULT_KM_PER_DAY), "default"
    elapsed = max((today - last_on).days, 0)
    return OdometerEstimate(
        km=last_km + round(rate * elapsed),
        km_per_day=round(rate, 1),
        basis=basis,
        last_km=last_km,
        last_on=last_on,
        readings=len(readings),
    )


# --- annual inspection ---------------------------------------------------------------------


def inspection_due_dates(registered_on: date, until: date) -> list[date]:
    """When a private small passenger car (非营运小微型载客汽车, not a van) must be inspected.

    Basis: the Ministry of Public Security's reform in force since 2022-10-01 (公安部
    "深化公安交管'放管服'改革" measures): such cars are exempt from on-site inspection for
    10 years except in the 6th and the 10th year; the Road Traffic Safety Law's implementing
    regulations (道路交通安全法实施条例 第十六条) then require one inspection a year, and
    every 6 months once the car is older than 15 years. The due date is the registration
    anniversary (the inspection may be done in the 3 months before it). Cars registered before
    the reform follow the older 2-yearly scheme in their first 6 years; this rule set does not
    model that, nor vans or commercial vehicles.
    """
    dues: list[date] = []
    for years in (6, 10, 11, 12, 13, 14, 15):
        dues.append(matcher.add_months(registered_on, 12 * years))
    months = 15 * 12 + 6
    while True:
        due = matcher.add_months(registered_on, months)
        dues.append(due)
        if due > until:
            break
        months += 6
    return [d for d in dues if d <= until] + [d for d in dues if d > until][:1]


def next_inspection(registered_on: date, today: date) -> date:
    """The first inspection due date on or after today."""
    return next(d for d in inspection_due_dates(registered_on, today) if d >= today)


def _threshold(days_left: int, thresholds: tuple[int, ...]) -> int | None:
    """The tightest threshold reached (days_left ≤ it), or None when none is, or it passed."""
    if days_left < 0:
        return None
    reached = [t for t in thresholds if days_left <= t]
    return min(reached) if reached else None


# --- insurance -----------------------------------------------------------------------------


class InsuranceError(DomainError):
    """A refused insurance record; `code` says why, `field` which input."""

    Code = error_codes(
        "InsuranceCode", "not_found insurer_required insurer_too_long expiry_past expiry_too_far"
    )


def save_policy(
    owner: User, vehicle: GarageVehicle, *, insurer: str, expires_on: date, today: date
) -> InsurancePolicy:
    """Record the car's insurer and policy expiry (a new expiry is a renewal)."""
    if vehicle.owner_id != owner.id:
        raise InsuranceError("not_found", "insurer")
    insurer = (insurer or "").strip()
    if not insurer:
        raise InsuranceError("insurer_required", "insurer")
    if len(insurer) > 60:
        raise InsuranceError("insurer_too_long", "insurer")
    if expires_on < today:
        raise InsuranceError("expiry_past", "expires_on")
    if expires_on > today + timedelta(days=MAX_INSURANCE_DAYS_AHEAD):
        raise InsuranceError("expiry_too_far", "expires_on")
    policy = policy_of(vehicle)
    if policy is None:
        policy = InsurancePolicy(vehicle_id=vehicle.id, insurer=insurer, expires_on=expires_on)
        try:
            with db.session.begin_nested():
                db.session.add(policy)
            return policy
        except IntegrityError:  # the same form, saved at the same moment, made the row first
            policy = policy_of(vehicle)
    policy.insurer, policy.expires_on = insurer, expires_on
    db.session.flush()
    return policy


def policy_of(vehicle: GarageVehicle) -> InsurancePolicy | None:
    return db.session.scalar(
        select(InsurancePolicy).where(InsurancePolicy.vehicle_id == vehicle.id)
    )


# --- the run -------------------------------------------------------------------------------


@dataclass
class Counts:
    vehicles: int = 0
    maintenance_due: int = 0
    insurance_renewal: int = 0
    inspection_due: int = 0
    voucher_expiring: int = 0
    booking_reminder: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def _mark(keys: list[str], now: datetime) -> list[str]:
    """Mark what is about to be said; returns the keys that were not marked before."""
    if not keys:
        return []
    known: set[str] = set()
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        known.update(
            db.session.scalars(select(ReminderMark.key).where(ReminderMark.key.in_(chunk)))
        )
    fresh = [k for k in keys if k not in known]
    for key in fresh:
        db.session.add(ReminderMark(key=key, created_at=now))
    return fresh


class _Rules:
    """The stored rules, read once per run, and the selection per kind of car cached."""

    def __init__(self) -> None:
        self.rules = maintenance_rules.stored_rules()
        self.cache: dict[tuple, dict] = {}

    def for_car(self, car: Car) -> dict:
        key = (car.fuel_type, car.transmission, car.brand_name, car.series_name)
        if key not in self.cache:
            self.cache[key] = matcher.select_rules(
                self.rules,
                fuel_type=car.fuel_type,
                transmission=car.transmission,
                brand=key[2],
                series=key[3],
                market=current_app.config.get("MARKETPLACE_MARKET"),
            )
        return self.cache[key]


def send_reminders(today: date, now: datetime, batch: int = 1000) -> Counts:
    """Make today's reminders for every owner; safe to run again the same day."""
    counts = Counts()
    rules = _Rules()
    last_id = 0
    while True:
        vehicles = list(
            db.session.scalars(
                select(GarageVehicle)
                .options(
                    joinedload(GarageVehicle.owner),
                    joinedload(GarageVehicle.variant)
                    .joinedload(Variant.series)
                    .joinedload(Series.brand),
                    joinedload(GarageVehicle.unlisted_car),
                )
                .where(GarageVehicle.id > last_id)
                .order_by(GarageVehicle.id)
                .limit(batch)
            )
        )
        if not vehicles:
            break
        last_id = vehicles[-1].id
        counts.vehicles += len(vehicles)
        _remind_batch(vehicles, rules, today, now, counts)
        db.session.commit()
        db.session.expunge_all()
    _remind_vouchers(now, counts)
    _remind_bookings(today, now, counts)
    db.session.commit()
    return counts


def _remind_batch(vehicles, rules: _Rules, today: date, now: datetime, counts: Counts) -> None:
    ids = [v.id for v in vehicles]
    readings: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for vid, on, km in db.session.execute(
        select(OdometerReading.vehicle_id, OdometerReading.read_on, OdometerReading.km).where(
            OdometerReading.vehicle_id.in_(ids)
        )
    ):
        readings[vid].append((on, km))
    history: dict[int, list] = defaultdict(list)
    for vid, item, km, on in db.session.execute(
        select(
            ServiceRecord.vehicle_id, ServiceRecord.item, ServiceRecord.km, ServiceRecord.done_on
        ).where(ServiceRecord.vehicle_id.in_(ids))
    ):
        history[vid].append(matcher.ServiceRecord(item=item, km=km, on=on))
    policies = {
        p.vehicle_id: p
        for p in db.session.scalars(
            select(InsurancePolicy).where(InsurancePolicy.vehicle_id.in_(ids))
        )
    }
    owners = {v.owner_id for v in vehicles}
    bought = _items_bought(owners)
    channels = notifications.preferences_for(owners)
    plans = {}
    for vehicle in vehicles:
        if vehicle.owner.is_active:
            plans[vehicle.id] = _maintenance_due(
                vehicle,
                readings.get(vehicle.id, []),
                history.get(vehicle.id, []),
                _bought_for(bought, vehicle),
                rules,
                today,
            )
    keys = [key for _, due in plans.values() for key in due]
    fresh = set(_mark(keys, now))
    made = []
    for vehicle in vehicles:
        if not vehicle.owner.is_active:
            continue
        prefs = channels[vehicle.owner_id]
        estimate, due = plans[vehicle.id]
        items = [result for key, result in due.items() if key in fresh]
        if items:
            made.append(_maintenance_note(vehicle, estimate, items, now, prefs))
        policy = policies.get(vehicle.id)
        if policy is not None:
            made.append(_insurance_note(vehicle, policy, today, now, prefs))
        if vehicle.registered_on is not None:
            made.append(_inspection_note(vehicle, today, now, prefs))
    _add(made, counts)


def _add(made: list, counts: Counts) -> None:
    """Add the built notifications whose dedupe key is new, and count them by kind."""
    made = [n for n in made if n is not None]
    known = notifications.known_keys([n.dedupe_key for n in made if n.dedupe_key])
    for notification in made:
        if notification.dedupe_key in known:
            continue
        db.session.add(notification)
        setattr(counts, notification.kind, getattr(counts, notification.kind) + 1)
    db.session.flush()


def _items_bought(owner_ids: set[int]) -> dict[tuple[int, int], set[str]]:
    """Items the owners hold unused vouchers for, per garage car the order was for and per
    (owner, model) for orders that named only the model: already acted on."""
    found: dict[tuple, set[str]] = defaultdict(set)
    rows = db.session.execute(
        select(Voucher.owner_id, OrderLine.variant_id, OrderLine.vehicle_id, ListingItem.item)
        .join(OrderLine, OrderLine.id == Voucher.order_line_id)
        .join(ListingItem, ListingItem.listing_id == Voucher.listing_id)
        .where(Voucher.owner_id.in_(owner_ids), Voucher.status == VoucherStatus.ISSUED)
    )
    for owner_id, variant_id, vehicle_id, item in rows:
        if vehicle_id is not None:
            found[("car", vehicle_id)].add(item)
        elif variant_id is not None:
            found[("model", owner_id, variant_id)].add(item)
    return found


def _bought_for(bought: dict, vehicle: GarageVehicle) -> set[str]:
    """What the owner already bought for this car (a car the catalog lacks has no model)."""
    items = set(bought.get(("car", vehicle.id), ()))
    if vehicle.variant_id is not None:
        items |= bought.get(("model", vehicle.owner_id, vehicle.variant_id), set())
    return items


def _maintenance_due(vehicle, readings, history, bought, rules, today):
    """The odometer estimate and the due items not already bought for, keyed by due point."""
    estimate = estimate_odometer(readings, today)
    if estimate is None:
        return None, {}
    results = matcher.match_maintenance(
        rules.for_car(vehicle.car),
        odometer_km=estimate.km,
        registered_on=vehicle.registered_on,
        today=today,
        history=history,
    )
    return estimate, {
        f"maintenance:{vehicle.id}:{r.item}:{r.next_due_km or ''}:{r.next_due_on or ''}": r
        for r in results
        if r.status in ("overdue", "due") and r.item not in bought
    }


def _maintenance_note(vehicle, estimate, items, now, prefs):
    return notifications.build(
        vehicle.owner,
        NotificationKind.MAINTENANCE_DUE,
        data={
            "vehicle_id": vehicle.id,
            "vehicle": vehicle.label,
            "items": [r.item for r in items],
            "statuses": {r.item: r.status for r in items},
            "estimated_km": estimate.km,
            "km_per_day": estimate.km_per_day,
            "basis": estimate.basis,
            "last_km": estimate.last_km,
            "last_on": estimate.last_on.isoformat(),
            "readings": estimate.readings,
        },
        link=maintenance_link(vehicle.id, estimate.km),
        now=now,
        channels=prefs[NotificationKind.MAINTENANCE_DUE],
    )


def maintenance_link(vehicle_id: int, km: int) -> str:
    """The matcher's result for the garage car at the odometer the reminder estimated; the
    result page reads the car, its registration and its service history from the garage."""
    return "/maintenance/result?" + urlencode({"vehicle": vehicle_id, "km": km})


OLD_MAINTENANCE_LINK = re.compile(r"/maintenance/\?vehicle=(\d+)")
"""What maintenance reminders linked to before they opened the result: the matcher's form."""


def link_of(notification: Notification) -> str:
    """Where a notification leads. Maintenance reminders stored with the old link to the
    form lead to the result for their car and estimate instead."""
    old = OLD_MAINTENANCE_LINK.fullmatch(notification.link or "")
    if (
        old is not None
        and notification.kind == NotificationKind.MAINTENANCE_DUE
        and isinstance((notification.data or {}).get("estimated_km"), int)
    ):
        return maintenance_link(int(old.group(1)), notification.data["estimated_km"])
    return notification.link


def _insurance_note(vehicle, policy, today, now, prefs):
    days_left = (policy.expires_on - today).days
    threshold = _threshold(days_left, INSURANCE_DAYS)
    if threshold is None:
        return None
    return notifications.build(
        vehicle.owner,
        NotificationKind.INSURANCE_RENEWAL,
        data={
            "vehicle_id": vehicle.id,
            "vehicle": vehicle.label,
            "plate": vehicle.plate or "",
            "insurer": policy.insurer,
            "expires_on": policy.expires_on.isoformat(),
            "days_left": days_left,
            "threshold": threshold,
        },
        link=f"/garage/{vehicle.id}",
        dedupe_key=f"insurance:{vehicle.id}:{policy.expires_on.isoformat()}:{threshold}",
        now=now,
        channels=prefs[NotificationKind.INSURANCE_RENEWAL],
    )


def _inspection_note(vehicle, today, now, prefs):
    due_on = next_inspection(vehicle.registered_on, today)
    days_left = (due_on - today).days
    threshold = _threshold(days_left, INSPECTION_DAYS)
    if threshold is None:
        return None
    return notifications.build(
        vehicle.owner,
        NotificationKind.INSPECTION_DUE,
        data={
            "vehicle_id": vehicle.id,
            "vehicle": vehicle.label,
            "plate": vehicle.plate or "",
            "due_on": due_on.isoformat(),
            "days_left": days_left,
        },
        link=f"/garage/{vehicle.id}",
        dedupe_key=f"inspection:{vehicle.id}:{due_on.isoformat()}:{threshold}",
        now=now,
        channels=prefs[NotificationKind.INSPECTION_DUE],
    )


def _remind_vouchers(now: datetime, counts: Counts, batch: int = 1000) -> None:
    """Unused vouchers that expire within 7 days, once each."""
    last_id = 0
    while True:
        due = list(
            db.session.scalars(
                select(Voucher)
                .options(joinedload(Voucher.owner), joinedload(Voucher.line))
                .where(
                    Voucher.status == VoucherStatus.ISSUED,
                    Voucher.expires_at > now,
                    Voucher.expires_at <= now + timedelta(days=VOUCHER_DAYS),
                    Voucher.id > last_id,
                )
                .order_by(Voucher.id)
                .limit(batch)
            )
        )
        if not due:
            return
        last_id = due[-1].id
        channels = notifications.preferences_for({v.owner_id for v in due})
        _add(
            [
                notifications.build(
                    voucher.owner,
                    NotificationKind.VOUCHER_EXPIRING,
                    data={
                        "voucher_id": voucher.id,
                        "title": voucher.line.title,
                        "shop": voucher.line.shop_name,
                        "expires_at": voucher.expires_at.isoformat(),
                    },
                    link="/account/vouchers",
                    dedupe_key=f"voucher_expiring:{voucher.id}",
                    now=now,
                    channels=channels[voucher.owner_id][NotificationKind.VOUCHER_EXPIRING],
                )
                for voucher in due
                if voucher.owner.is_active
            ],
            counts,
        )
        db.session.commit()


def _remind_bookings(today: date, now: datetime, counts: Counts) -> None:
    """Bookings of tomorrow (in the marketplace's time zone), once per booked time: a booking
    moved to another day is reminded again."""
    tomorrow = today + timedelta(days=1)
    due = list(
        db.session.scalars(
            select(Booking)
            .options(joinedload(Booking.owner), joinedload(Booking.line), joinedload(Booking.shop))
            .where(
                Booking.status == BookingStatus.BOOKED,
                Booking.starts_at >= local_midnight(tomorrow),
                Booking.starts_at < local_midnight(tomorrow + timedelta(days=1)),
            )
            .order_by(Booking.id)
        )
    )
    if not due:
        return
    channels = notifications.preferences_for({b.owner_id for b in due})
    _add(
        [
            notifications.build(
                booking.owner,
                NotificationKind.BOOKING_REMINDER,
                data={
                    "booking_id": booking.id,
                    "title": booking.line.title,
                    "shop": booking.line.shop_name,
                    "address": booking.shop.address,
                    "phone": booking.shop.phone,
                    "starts_at": booking.starts_at.isoformat(),
                },
                link=f"/account/vouchers/{booking.voucher_id}/booking",
                dedupe_key=f"booking:{booking.id}:{booking.starts_at.isoformat()}",
                now=now,
                channels=channels[booking.owner_id][NotificationKind.BOOKING_REMINDER],
            )
            for booking in due
            if booking.owner.is_active
        ],
        counts,
    )
