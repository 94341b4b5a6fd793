"""Offline redemption: shop staff look a voucher up by its code and redeem it exactly once.

Who may see a voucher: staff of the shop that sold it (and the chain's admin), or of any
outlet of the same chain when the listing allows it. Everyone else gets the same "not found"
as for a code that does not exist. A redemption is a conditional update of the voucher
(issued and unexpired → redeemed) whose row count is checked, recorded under the unique
request id of the confirming form; the shop may undo it within an hour, an admin at any time.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Chain,
    GarageVehicle,
    Listing,
    OdometerNote,
    OdometerReading,
    Order,
    OrderStatus,
    ReadingSource,
    Redemption,
    ServiceRecord,
    Shop,
    ShopStaff,
    ShopStatus,
    User,
    Voucher,
    VoucherStatus,
)
from ..models.vehicles import MAX_ODOMETER_KM
from . import audit, bookings, codes, garage, ledger, reviews
from .errors import DomainError, error_codes
from .orders import move, record_event
from .shops import staff_membership

UNDO_WINDOW = timedelta(hours=1)
REDEEMING_STATUSES = (ShopStatus.APPROVED, ShopStatus.SUSPENDED)


class RedemptionError(DomainError):
    """Why a code cannot be looked up or redeemed; `code` names the reason."""

    Code = error_codes(
        "RedemptionCode",
        "format check_digit not_found already_redeemed refunded expired stale_form "
        "odometer_range reason_required reason_too_long already_undone undo_window_passed",
    )

    def __init__(self, code: str, voucher: Voucher | None = None) -> None:
        super().__init__(code)
        self.voucher = voucher

    @property
    def is_wrong_code(self) -> bool:
        """A code that is malformed or not this shop's: counts against the rate limit."""
        return self.code in ("format", "check_digit", "not_found")


def redeeming_shops(user: User) -> list[Shop]:
    """The outlets a user may redeem at: their own shop, and all outlets of chains they run."""
    member = staff_membership(user)
    mine = Chain.admin_id == user.id
    if member is not None:
        mine = or_(mine, Shop.id == member.shop_id)
    return list(
        db.session.scalars(
            select(Shop)
            .join(Chain, Chain.id == Shop.chain_id)
            .where(Shop.status.in_(REDEEMING_STATUSES), mine)
            .order_by(Shop.id)
        )
    )


def may_act_for(user: User, shop: Shop) -> bool:
    return any(s.id == shop.id for s in redeeming_shops(user))


def clean_code(raw: str) -> str:
    """The code as typed, or a RedemptionError saying what is wrong with its shape."""
    code = codes.normalize(raw)
    if len(code) != codes.CODE_LENGTH or not code.isascii() or not code.isdigit():
        raise RedemptionError("format")
    if not codes.is_valid(code):
        raise RedemptionError("check_digit")
    return code


def _serves(shop: Shop, voucher: Voucher) -> bool:
    if voucher.shop_id == shop.id:
        return True
    return (
        voucher.line.chain_redeemable
        and db.session.scalar(select(Shop.chain_id).where(Shop.id == voucher.shop_id))
        == shop.chain_id
    )


def find(shop: Shop, raw_code: str) -> Voucher:
    """The voucher with this code, if `shop` may redeem it; "not found" otherwise."""
    code = clean_code(raw_code)
    voucher = db.session.scalar(
        select(Voucher)
        .options(joinedload(Voucher.line), joinedload(Voucher.owner), joinedload(Voucher.order))
        .where(Voucher.code == code)
    )
    if voucher is None or not _serves(shop, voucher):
        raise RedemptionError("not_found")
    return voucher


def blocker(voucher: Voucher, now: datetime) -> str | None:
    """Why the voucher cannot be redeemed now, or None."""
    if voucher.status is VoucherStatus.REDEEMED:
        return "already_redeemed"
    if voucher.status in (VoucherStatus.REFUNDED, VoucherStatus.REFUND_REQUESTED):
        return "refunded"
    if voucher.status is VoucherStatus.EXPIRED or voucher.expires_at <= now:
        return "expired"
    return None


@dataclass(frozen=True)
class Outcome:
    redemption: Redemption
    replayed: bool = False


def by_request(request_id: str) -> Redemption | None:
    return db.session.scalar(select(Redemption).where(Redemption.request_id == request_id))


def redeem(
    staff: User,
    shop: Shop,
    raw_code: str,
    *,
    request_id: str,
    odometer_km: int | None,
    now: datetime,
    today: date,
) -> Outcome:
    """Redeem the voucher exactly once. A request id already used by this staff member for
    this voucher answers with that redemption (a double submit or a retry)."""
    if not request_id or len(request_id) > 64:
        raise RedemptionError("stale_form")
    if odometer_km is not None and not 0 <= odometer_km <= MAX_ODOMETER_KM:
        raise RedemptionError("odometer_range")
    voucher = find(shop, raw_code)
    earlier = by_request(request_id)
    if earlier is not None:
        if earlier.voucher_id == voucher.id and earlier.staff_id == staff.id:
            return Outcome(earlier, replayed=True)
        raise RedemptionError("stale_form")
    reason = blocker(voucher, now)
    if reason:
        raise RedemptionError(reason, voucher)
    won = db.session.execute(
        update(Voucher)
        .where(
            Voucher.id == voucher.id,
            Voucher.status == VoucherStatus.ISSUED,
            Voucher.expires_at > now,
        )
        .values(status=VoucherStatus.REDEEMED, redeemed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(voucher)
    if won != 1:
        raise RedemptionError(blocker(voucher, now) or "already_redeemed", voucher)
    redemption = Redemption(
        voucher_id=voucher.id,
        shop_id=shop.id,
        staff_id=staff.id,
        request_id=request_id,
        odometer_km=odometer_km,
        redeemed_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(redemption)
    except IntegrityError:
        raise RedemptionError("already_redeemed", voucher) from None
    _note_odometer(redemption, voucher, today)
    _record_services(redemption, voucher, today)
    bookings.voucher_redeemed(voucher, now)
    ledger.record_service(redemption, voucher, shop, available_at=now + UNDO_WINDOW)
    record_event(
        voucher.order, "voucher_redeemed", staff, voucher=voucher, shop=shop.id, km=odometer_km
    )
    _complete_if_done(voucher)
    audit.record(
        staff, "voucher.redeem", voucher, shop_id=shop.id, request_id=request_id, km=odometer_km
    )
    db.session.flush()
    return Outcome(redemption)


def _owner_vehicle(voucher: Voucher) -> GarageVehicle | None:
    """The owner's car the service was bought for: the garage car of the order line, else
    one of the same model variant, the default first."""
    if voucher.line.vehicle_id is not None:
        vehicle = db.session.get(GarageVehicle, voucher.line.vehicle_id)
        if vehicle is not None and vehicle.owner_id == voucher.owner_id:
            return vehicle
    if voucher.line.variant_id is None:
        return None
    return db.session.scalar(
        select(GarageVehicle)
        .where(
            GarageVehicle.owner_id == voucher.owner_id,
            GarageVehicle.variant_id == voucher.line.variant_id,
        )
        .order_by(GarageVehicle.is_default.desc(), GarageVehicle.id)
        .limit(1)
    )


def last_known_km(voucher: Voucher) -> int | None:
    """The highest odometer reading of the owner's car the voucher was bought for."""
    vehicle = _owner_vehicle(voucher)
    return _max_km(vehicle) if vehicle is not None else None


def _max_km(vehicle: GarageVehicle) -> int | None:
    return db.session.scalar(
        select(func.max(OdometerReading.km)).where(OdometerReading.vehicle_id == vehicle.id)
    )


def _note_odometer(redemption: Redemption, voucher: Voucher, today: date) -> None:
    """Add the shop's reading to the car's history; one below the last reading is kept on
    the redemption and flagged to the owner instead."""
    if redemption.odometer_km is None:
        return
    vehicle = _owner_vehicle(voucher)
    if vehicle is None:
        redemption.odometer_note = OdometerNote.NO_VEHICLE
        return
    last = _max_km(vehicle)
    redemption.previous_km = last
    if last is not None and redemption.odometer_km < last:
        redemption.odometer_note = OdometerNote.LOWER
        return
    try:
        with db.session.begin_nested():
            garage.add_reading(
                vehicle,
                km=redemption.odometer_km,
                read_on=today,
                today=today,
                source=ReadingSource.SHOP,
            )
    except garage.GarageError:
        redemption.odometer_note = OdometerNote.LOWER
        return
    redemption.odometer_note = OdometerNote.RECORDED


def _record_services(redemption: Redemption, voucher: Voucher, today: date) -> None:
    """The maintenance items the voucher covered are done: the matcher and the reminders
    count from today (and from the shop's reading when it was recorded)."""
    items = [item for item in (voucher.line.items or "").split(",") if item]
    vehicle = _owner_vehicle(voucher) if items else None
    if vehicle is None:
        return
    km = redemption.odometer_km if redemption.odometer_note == OdometerNote.RECORDED else None
    for item in items:
        db.session.add(
            ServiceRecord(
                vehicle_id=vehicle.id,
                item=item,
                done_on=today,
                km=km,
                source=ReadingSource.SHOP,
                redemption_id=redemption.id,
            )
        )


def _lock_order(voucher: Voucher):
    """Serialize the order's state changes (PostgreSQL row lock; SQLite locks the file).

    FOR NO KEY UPDATE: rows that merely reference the order (ledger entries, transfers)
    can still be written meanwhile, so a payout run never waits on it."""
    db.session.execute(
        select(Order.id).where(Order.id == voucher.order_id).with_for_update(key_share=True)
    )
    db.session.refresh(voucher.order)
    return voucher.order


def _complete_if_done(voucher: Voucher) -> None:
    """An order whose vouchers are all used or settled, at least one used, is completed."""
    order = _lock_order(voucher)
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        return
    statuses = set(
        db.session.scalars(select(Voucher.status).where(Voucher.order_id == order.id)).all()
    )
    if VoucherStatus.REDEEMED in statuses and statuses <= {
        VoucherStatus.REDEEMED,
        VoucherStatus.REFUNDED,
        VoucherStatus.EXPIRED,
    }:
        move(order, OrderStatus.COMPLETED, "completed")


def can_undo(user: User, redemption: Redemption, now: datetime) -> bool:
    if redemption.undone_at is not None:
        return False
    if user.is_admin:
        return True
    return may_act_for(user, redemption.shop) and now < redemption.redeemed_at + UNDO_WINDOW


def undo(actor: User, redemption: Redemption, *, reason: str, now: datetime) -> str:
    """Take a redemption back (撤销核销): the voucher is usable again and the shop's earnings
    for it are cancelled, or reversed when already paid out. Returns what the ledger did."""
    reason = (reason or "").strip()
    if not reason:
        raise RedemptionError("reason_required")
    if len(reason) > 200:
        raise RedemptionError("reason_too_long")
    if redemption.undone_at is not None:
        raise RedemptionError("already_undone")
    if not can_undo(actor, redemption, now):
        raise RedemptionError("undo_window_passed")
    taken = db.session.execute(
        update(Redemption)
        .where(Redemption.id == redemption.id, Redemption.undone_at.is_(None))
        .values(undone_at=now, undone_by_id=actor.id, undo_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise RedemptionError("already_undone")
    db.session.execute(
        update(Voucher)
        .where(Voucher.id == redemption.voucher_id, Voucher.status == VoucherStatus.REDEEMED)
        .values(status=VoucherStatus.ISSUED, redeemed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(redemption)
    voucher = redemption.voucher
    db.session.refresh(voucher)
    order = _lock_order(voucher)
    effect = ledger.take_back(redemption, now)
    bookings.redemption_undone(voucher, now)
    reviews.withdraw_for_undone_redemption(actor, voucher)
    db.session.execute(delete(ServiceRecord).where(ServiceRecord.redemption_id == redemption.id))
    if order.status is OrderStatus.COMPLETED:
        move(order, OrderStatus.PAID, "reopened", actor)
    record_event(order, "redemption_undone", actor, voucher=voucher, reason=reason, ledger=effect)
    audit.record(
        actor,
        "voucher.redeem_undo",
        voucher,
        redemption_id=redemption.id,
        reason=reason,
        ledger=effect,
    )
    db.session.flush()
    return effect


def shop_redemption(user: User, redemption_id: int) -> Redemption | None:
    """A redemption the user may see: made at a shop they act for (admins see all)."""
    redemption = db.session.get(Redemption, redemption_id)
    if redemption is None:
        return None
    if user.is_admin or may_act_for(user, redemption.shop):
        return redemption
    return None


def shop_listings(shop: Shop) -> list[Listing]:
    """The shop's listings, for the redemption filter."""
    return list(
        db.session.scalars(
            select(Listing).where(Listing.shop_id == shop.id).order_by(Listing.title)
        )
    )


def shop_staff(shop: Shop) -> list[ShopStaff]:
    """The shop's staff with their accounts, for the redemption filter."""
    return list(
        db.session.scalars(
            select(ShopStaff)
            .options(joinedload(ShopStaff.user))
            .where(ShopStaff.shop_id == shop.id)
            .order_by(ShopStaff.id)
        )
    )


def list_redemptions(
    shop: Shop,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    listing_id: int | None = None,
    staff_id: int | None = None,
    limit: int | None = None,
) -> list[Redemption]:
    query = (
        select(Redemption)
        .join(Voucher, Voucher.id == Redemption.voucher_id)
        .options(
            joinedload(Redemption.voucher).joinedload(Voucher.line),
            joinedload(Redemption.staff),
        )
        .where(Redemption.shop_id == shop.id)
    )
    if start is not None:
        query = query.where(Redemption.redeemed_at >= start)
    if end is not None:
        query = query.where(Redemption.redeemed_at < end)
    if listing_id is not None:
        query = query.where(Voucher.listing_id == listing_id)
    if staff_id is not None:
        query = query.where(Redemption.staff_id == staff_id)
    query = query.order_by(Redemption.redeemed_at.desc(), Redemption.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query).unique())
