"""Vouchers: one per unit bought, redeemed offline with a 12-digit code."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .orders import Order, OrderLine
from .types import UTCDateTime, enum_type, utcnow
from .users import User


class VoucherStatus(enum.StrEnum):
    ISSUED = "issued"
    REDEEMED = "redeemed"
    REFUND_REQUESTED = "refund_requested"
    REFUNDED = "refunded"
    EXPIRED = "expired"


class Voucher(db.Model):
    __tablename__ = "vouchers"
    __table_args__ = (
        CheckConstraint("price_fen >= 0", name="price_not_negative"),
        CheckConstraint("length(code) = 12", name="code_length"),
        Index("ix_vouchers_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    price_fen: Mapped[int]
    status: Mapped[VoucherStatus] = mapped_column(
        enum_type(VoucherStatus), default=VoucherStatus.ISSUED
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    order: Mapped[Order] = relationship()
    line: Mapped[OrderLine] = relationship()
    owner: Mapped[User] = relationship()
    redemptions: Mapped[list["Redemption"]] = relationship(  # noqa: F821
        back_populates="voucher", order_by="Redemption.id"
    )

    @property
    def redemption(self) -> "Redemption | None":  # noqa: F821
        """The redemption in force, if any."""
        return next((r for r in self.redemptions if r.undone_at is None), None)

    @property
    def display_code(self) -> str:
        return " ".join(self.code[i : i + 4] for i in range(0, 12, 4))
