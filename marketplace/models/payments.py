"""Payments: attempts to pay an order, refunds, and the Stripe events already handled."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .orders import Order
from .types import UTCDateTime, enum_type, utcnow
from .users import User
from .vouchers import Voucher


class AttemptStatus(enum.StrEnum):
    STARTED = "started"
    UNKNOWN = "unknown"  # Stripe was asked to charge, its answer never came back
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class PayMethod(enum.StrEnum):
    """How the owner pays: Stripe's payment method type."""

    WECHAT_PAY = "wechat_pay"
    ALIPAY = "alipay"
    CARD = "card"


class PaymentAttempt(db.Model):
    """One try at paying an order: a PaymentIntent. A failed try is followed by a new one.

    `fulfilled` marks the one attempt whose money paid the order; any other attempt that
    succeeds is a duplicate payment and is refunded."""

    __tablename__ = "payment_attempts"
    __table_args__ = (
        UniqueConstraint("order_id", "number"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        Index(
            "uq_payment_attempts_fulfilled_order",
            "order_id",
            unique=True,
            sqlite_where=text("fulfilled"),
            postgresql_where=text("fulfilled"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    number: Mapped[int]
    amount_fen: Mapped[int]
    method: Mapped[PayMethod] = mapped_column(
        enum_type(PayMethod), default=PayMethod.CARD, server_default=PayMethod.CARD.value
    )
    status: Mapped[AttemptStatus] = mapped_column(
        enum_type(AttemptStatus), default=AttemptStatus.STARTED
    )
    intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    failure_message: Mapped[str | None] = mapped_column(String(500))
    declined: Mapped[bool] = mapped_column(default=False, server_default=false())
    fulfilled: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship()

    @property
    def idempotency_key(self) -> str:
        return f"order-{self.order.number}-attempt-{self.number}"


class RefundStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Refund(db.Model):
    """Money returned to the owner: one voucher's price, or a whole late or duplicate payment.

    Its Stripe call may be made more than once (retries after an unknown outcome), its
    effect on the order is counted once: only the move to `succeeded` counts it."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        Index(  # one refund of a whole payment per attempt
            "uq_refunds_whole_attempt",
            "attempt_id",
            unique=True,
            sqlite_where=text("voucher_id IS NULL"),
            postgresql_where=text("voucher_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    voucher_id: Mapped[int | None] = mapped_column(ForeignKey("vouchers.id"), unique=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("payment_attempts.id"))
    amount_fen: Mapped[int]
    status: Mapped[RefundStatus] = mapped_column(
        enum_type(RefundStatus), default=RefundStatus.PENDING
    )
    reason: Mapped[str] = mapped_column(String(40))
    owner_reason: Mapped[str | None] = mapped_column(String(20))  # OWNER_REFUND_REASONS
    note: Mapped[str] = mapped_column(String(500), default="")
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    failure_message: Mapped[str | None] = mapped_column(String(500))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who may ask Stripe now: a request or job sets claimed_at (conditionally) before it
    # asks and clears it when it has the answer; a claim older than the lease is taken over.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    tries: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship()
    voucher: Mapped[Voucher | None] = relationship()
    attempt: Mapped[PaymentAttempt] = relationship()
    actor: Mapped[User | None] = relationship()

    @property
    def idempotency_key(self) -> str:
        if self.voucher_id is not None:
            return f"refund-voucher-{self.voucher_id}"
        return f"refund-order-{self.order_id}-attempt-{self.attempt_id}"


class StripeEvent(db.Model):
    """A webhook event handled once: stored in the same transaction as its effect."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
