"""Orders: placed from the cart with a snapshot of each line, and their state machine.

Every change of state is a conditional UPDATE (so two requests cannot both make it) and
an append-only OrderEvent row.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import contains_eager, selectinload

from ..extensions import db
from ..models import (
    CartLine,
    GarageVehicle,
    Listing,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    User,
    Variant,
)
from ..models.orders import ORDER_TRANSITIONS
from ..models.vehicles import Car
from . import fitment
from .cart import CartError, check_quantity
from .errors import DomainError, error_codes

NUMBER_DIGITS = 16


class OrderError(DomainError):
    """A refused order or payment step; `code` says why."""

    Code = error_codes(
        "OrderCode",
        "empty not_found price_changed payment_under_way payment_window_closed "
        "illegal_transition status_pending_payment status_paid status_partially_refunded "
        "status_refunded status_completed status_expired status_cancelled",
    )

    def __init__(self, code: str, **details) -> None:
        super().__init__(code, **details)


class IllegalTransition(OrderError):
    def __init__(self, current: OrderStatus, target: OrderStatus) -> None:
        super().__init__("illegal_transition", current=current, target=target)
        self.current = current
        self.target = target


@dataclass(frozen=True)
class PriceChange:
    title: str
    seen_fen: int
    now_fen: int


def new_number() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(NUMBER_DIGITS))


def record_event(
    order: Order, kind: str, actor: User | None = None, *, voucher=None, **data
) -> OrderEvent:
    event = OrderEvent(
        order_id=order.id,
        voucher_id=voucher.id if voucher is not None else None,
        kind=kind,
        actor_id=actor.id if actor is not None else None,
        data=data,
    )
    db.session.add(event)
    return event


def move(
    order: Order,
    target: OrderStatus,
    kind: str,
    actor: User | None = None,
    *,
    values: dict | None = None,
    **data,
) -> None:
    """Move the order to `target` if the state it is in (re-checked in the UPDATE) allows it;
    otherwise raise IllegalTransition. Appends the event."""
    if target not in ORDER_TRANSITIONS[order.status]:
        raise IllegalTransition(order.status, target)
    sources = [s for s, targets in ORDER_TRANSITIONS.items() if target in targets]
    result = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status.in_(sources))
        .values(status=target, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    previous = order.status
    db.session.refresh(order)
    if result.rowcount != 1:
        raise IllegalTransition(order.status, target)
    event = record_event(order, kind, actor, **data)
    event.status_from, event.status_to = previous.value, target.value


def price_changes(lines: list[CartLine]) -> list[PriceChange]:
    return [
        PriceChange(line.listing.title, line.price_seen_fen, line.listing.price_fen)
        for line in lines
        if line.price_seen_fen != line.listing.price_fen
    ]


def acknowledge_prices(lines: list[CartLine]) -> None:
    for line in lines:
        line.price_seen_fen = line.listing.price_fen
    db.session.flush()


def _reserve_stock(listing: Listing, quantity: int) -> bool:
    result = db.session.execute(
        update(Listing)
        .where(Listing.id == listing.id, Listing.stock >= quantity)
        .values(stock=Listing.stock - quantity)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release_stock(order: Order) -> None:
    for line in order.lines:
        if line.stock_reserved:
            db.session.execute(
                update(Listing)
                .where(Listing.id == line.listing_id)
                .values(stock=Listing.stock + line.quantity)
                .execution_options(synchronize_session=False)
            )
            line.stock_reserved = False


def car_of(line: CartLine) -> tuple[Car | None, fitment.Spec]:
    """The car a cart line is for and what its owner knows of it: the line's garage car
    (listed or not), else the catalog variant (a guest's pick), else none."""
    if line.vehicle_id is not None:
        vehicle = db.session.get(GarageVehicle, line.vehicle_id)
        if vehicle is not None and (line.user_id is None or vehicle.owner_id == line.user_id):
            return vehicle.car, fitment.Spec.of(vehicle)
    car = db.session.get(Variant, line.variant_id) if line.variant_id else None
    return car, fitment.NO_SPEC


def order_line(
    listing: Listing,
    quantity: int,
    car: Car | None = None,
    *,
    vehicle_id: int | None = None,
    stock_reserved=False,
) -> OrderLine:
    """The order's copy of what was bought: later edits of the listing change nothing in it."""
    return OrderLine(
        listing_id=listing.id,
        shop_id=listing.shop_id,
        title=listing.title,
        shop_name=listing.shop.display_name,
        unit_price_fen=listing.price_fen,
        quantity=quantity,
        items=",".join(sorted(row.item for row in listing.items)),
        validity_days=listing.validity_days,
        refund_any_time=listing.refund_any_time,
        refund_on_expiry=listing.refund_on_expiry,
        chain_redeemable=listing.chain_redeemable,
        stock_reserved=stock_reserved,
        variant_id=car.variant_id if car else None,
        vehicle_id=vehicle_id,
        vehicle_label=car.label if car else "",
    )


def place_order(
    owner: User, lines: list[CartLine], *, currency: str, pay_minutes: int, now: datetime
) -> Order:
    """Turn cart lines into a pending order: snapshot each line and reserve limited stock.

    Raises OrderError("price_changed") when a price moved since the owner saw it, and
    CartError when a listing is no longer on sale or its stock ran out.
    """
    if not lines:
        raise OrderError("empty")
    changed = price_changes(lines)
    if changed:
        raise OrderError("price_changed", changes=changed)
    order = Order(
        number=new_number(),
        user_id=owner.id,
        currency=currency,
        total_fen=sum(line.listing.price_fen * line.quantity for line in lines),
        pay_by=now + timedelta(minutes=pay_minutes),
        created_at=now,
    )
    db.session.add(order)
    for line in lines:
        listing = line.listing
        if not listing.is_public:
            raise CartError("unavailable")
        check_quantity(listing, line.quantity)
        reserved = listing.stock is not None
        if reserved and not _reserve_stock(listing, line.quantity):
            raise CartError("sold_out", 0)
        car, spec = car_of(line)
        fitment.check(listing, car, spec)  # the order is for that car
        order.lines.append(
            order_line(
                listing,
                line.quantity,
                car,
                vehicle_id=line.vehicle_id,
                stock_reserved=reserved,
            )
        )
    db.session.flush()
    event = record_event(order, "placed", owner, total_fen=order.total_fen)
    event.status_to = OrderStatus.PENDING_PAYMENT.value
    for line in lines:
        if line.id is not None and line in db.session:
            db.session.delete(line)
    db.session.flush()
    return order


def owner_order(owner: User, number: str) -> Order | None:
    """The owner's order with this number; someone else's is None, like a wrong number."""
    return db.session.scalar(
        select(Order)
        .options(selectinload(Order.lines), selectinload(Order.events))
        .where(Order.number == number, Order.user_id == owner.id)
    )


def owner_orders(owner: User, limit: int = 50) -> list[Order]:
    return list(
        db.session.scalars(
            select(Order)
            .options(selectinload(Order.lines))
            .where(Order.user_id == owner.id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(limit)
        )
    )


def find_orders(text: str, limit: int = 50) -> list[Order]:
    """Admin look-up by order number (spaces ignored) or by the buyer's email."""
    text = text.strip()
    if not text:
        return []
    number = "".join(text.split())
    return list(
        db.session.scalars(
            select(Order)
            .join(User, User.id == Order.user_id)
            .options(contains_eager(Order.user))
            .where(or_(Order.number == number, User.email == text.lower()))
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(limit)
        )
    )


RECENT_PAGE_SIZE = 50


def recent_orders(page: int = 1, page_size: int = RECENT_PAGE_SIZE) -> tuple[list[Order], bool]:
    """The admin's list before any search: the newest orders first, a page at a time, with
    their buyers (one query); and whether there are older ones."""
    rows = list(
        db.session.scalars(
            select(Order)
            .join(User, User.id == Order.user_id)
            .options(contains_eager(Order.user))
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(page_size + 1)
            .offset((page - 1) * page_size)
        )
    )
    return rows[:page_size], len(rows) > page_size


def by_number(number: str) -> Order | None:
    return db.session.scalar(
        select(Order)
        .options(selectinload(Order.lines), selectinload(Order.events))
        .where(Order.number == number)
    )
