"""Carts and orders: what an owner chose, and what they agreed to pay for it."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .listings import Listing
from .types import UTCDateTime, enum_type, utcnow
from .users import User

MAX_UNITS_PER_LINE = 10


class OrderStatus(enum.StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING_PAYMENT: frozenset(
        {OrderStatus.PAID, OrderStatus.EXPIRED, OrderStatus.CANCELLED}
    ),
    OrderStatus.PAID: frozenset(
        {OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED, OrderStatus.COMPLETED}
    ),
    OrderStatus.PARTIALLY_REFUNDED: frozenset(
        {OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED, OrderStatus.COMPLETED}
    ),
    OrderStatus.COMPLETED: frozenset({OrderStatus.PARTIALLY_REFUNDED, OrderStatus.PAID}),
    OrderStatus.REFUNDED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


class CartLine(db.Model):
    """A signed-in owner's cart line; guests keep the same lines in their session."""

    __tablename__ = "cart_lines"
    __table_args__ = (
        UniqueConstraint("user_id", "listing_id"),
        CheckConstraint(f"quantity >= 1 AND quantity <= {MAX_UNITS_PER_LINE}", name="quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    quantity: Mapped[int]
    price_seen_fen: Mapped[int]
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id"))
    vehicle_id: Mapped[int | None] = mapped_column(
        ForeignKey("garage_vehicles.id", ondelete="SET NULL")
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    listing: Mapped[Listing] = relationship()


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("total_fen >= 0", name="total_not_negative"),
        CheckConstraint(
            "refunded_fen >= 0 AND refunded_fen <= total_fen", name="refund_within_total"
        ),
        Index("ix_orders_status_deadline", "status", "pay_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[OrderStatus] = mapped_column(
        enum_type(OrderStatus), default=OrderStatus.PENDING_PAYMENT
    )
    currency: Mapped[str] = mapped_column(String(3))
    total_fen: Mapped[int]
    refunded_fen: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    pay_by: Mapped[datetime] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    events: Mapped[list["OrderEvent"]] = relationship(
        back_populates="order", order_by="OrderEvent.id"
    )

    @property
    def transfer_group(self) -> str:
        """Ties the order's charge to the transfers that pay its shops."""
        return f"order-{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status is OrderStatus.PENDING_PAYMENT


class OrderLine(db.Model):
    """One listing in an order, with a snapshot of what was promised when it was bought."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint(f"quantity >= 1 AND quantity <= {MAX_UNITS_PER_LINE}", name="quantity"),
        CheckConstraint("unit_price_fen >= 0", name="unit_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    shop_name: Mapped[str] = mapped_column(String(120))
    unit_price_fen: Mapped[int]
    quantity: Mapped[int]
    items: Mapped[str] = mapped_column(String(200), default="")
    validity_days: Mapped[int]
    refund_any_time: Mapped[bool]
    refund_on_expiry: Mapped[bool]
    chain_redeemable: Mapped[bool]
    stock_reserved: Mapped[bool] = mapped_column(default=False)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id"))
    vehicle_id: Mapped[int | None] = mapped_column(
        ForeignKey("garage_vehicles.id", ondelete="SET NULL")
    )
    vehicle_label: Mapped[str] = mapped_column(String(200), default="")

    order: Mapped[Order] = relationship(back_populates="lines")
    listing: Mapped[Listing] = relationship()

    @property
    def amount_fen(self) -> int:
        return self.unit_price_fen * self.quantity


class OrderEvent(db.Model):
    """An append-only record of each change to an order and its vouchers."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    voucher_id: Mapped[int | None] = mapped_column(ForeignKey("vouchers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    status_from: Mapped[str | None] = mapped_column(String(20))
    status_to: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class EventsAreAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an order event."""


@event.listens_for(OrderEvent, "before_update")
@event.listens_for(OrderEvent, "before_delete")
def _refuse_change(mapper, connection, target):
    raise EventsAreAppendOnly(f"order event {target.id} cannot be changed")
