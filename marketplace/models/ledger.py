"""What the marketplace owes each shop: ledger entries, and the payouts that settle them."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .orders import Order
from .shops import Shop
from .types import UTCDateTime, enum_type, utcnow
from .vouchers import Voucher


class EntryKind(enum.StrEnum):
    SERVICE = "service"  # a redemption: the unit price less commission
    REVERSAL = "reversal"  # a service taken back after it was paid out: negative


class EntryStatus(enum.StrEnum):
    OPEN = "open"  # pending until available_at, payable after
    PAID = "paid"
    CANCELLED = "cancelled"  # undone before it was paid out


class PayoutStatus(enum.StrEnum):
    PROCESSING = "processing"  # entries claimed; transfers being made
    PAID = "paid"


class LedgerEntry(db.Model):
    """One amount owed to (or, negative, taken back from) a shop."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_fen = gross_fen - commission_fen", name="amount_is_net"),
        CheckConstraint("commission_bps >= 0 AND commission_bps <= 10000", name="bps_range"),
        CheckConstraint(
            "(kind = 'service' AND gross_fen >= 0 AND commission_fen >= 0)"
            " OR (kind = 'reversal' AND gross_fen <= 0 AND commission_fen <= 0)",
            name="sign_by_kind",
        ),
        Index("ix_ledger_entries_shop_status_available", "shop_id", "status", "available_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    redemption_id: Mapped[int | None] = mapped_column(ForeignKey("redemptions.id"), index=True)
    kind: Mapped[EntryKind] = mapped_column(enum_type(EntryKind))
    status: Mapped[EntryStatus] = mapped_column(enum_type(EntryStatus), default=EntryStatus.OPEN)
    gross_fen: Mapped[int]
    commission_bps: Mapped[int]
    commission_fen: Mapped[int]
    amount_fen: Mapped[int]
    available_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payouts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    shop: Mapped[Shop] = relationship()
    voucher: Mapped[Voucher] = relationship()
    order: Mapped[Order] = relationship()


class Payout(db.Model):
    """A shop's payable balance at one run, paid as Stripe transfers (one per order)."""

    __tablename__ = "payouts"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    amount_fen: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    destination: Mapped[str] = mapped_column(String(255))
    status: Mapped[PayoutStatus] = mapped_column(
        enum_type(PayoutStatus), default=PayoutStatus.PROCESSING
    )
    failure_message: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    shop: Mapped[Shop] = relationship()
    transfers: Mapped[list["PayoutTransfer"]] = relationship(
        back_populates="payout", order_by="PayoutTransfer.id"
    )

    @property
    def reference(self) -> str:
        return f"PO{self.id:08d}"


class PayoutTransfer(db.Model):
    """The part of a payout that settles one order's services: one Stripe transfer."""

    __tablename__ = "payout_transfers"
    __table_args__ = (
        UniqueConstraint("payout_id", "order_id"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payout_id: Mapped[int] = mapped_column(ForeignKey("payouts.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    amount_fen: Mapped[int]
    transfer_group: Mapped[str] = mapped_column(String(64))
    stripe_transfer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # First time Stripe was asked for it: a retry looks for the transfer at Stripe before
    # asking again, since Stripe forgets idempotency keys after a day.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    payout: Mapped[Payout] = relationship(back_populates="transfers")
    order: Mapped[Order] = relationship()

    @property
    def idempotency_key(self) -> str:
        return f"payout-{self.payout_id}-order-{self.order.number}"
