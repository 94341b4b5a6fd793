"""Invoice requests (发票): an owner asks each shop of a paid order for an invoice of what it
was paid; the shop issues it outside the platform and records its number here."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .orders import Order
from .shops import Shop
from .types import UTCDateTime, enum_type, utcnow
from .users import User

MAX_TITLE = 100
MAX_EMAIL = 254
TAX_ID_LENGTH = 18
NUMBER_MIN_DIGITS = 8
NUMBER_MAX_DIGITS = 20  # a fully digital invoice (全电发票) number has 20 digits


class InvoiceTitleKind(enum.StrEnum):
    PERSONAL = "personal"  # 个人
    COMPANY = "company"  # 单位


class InvoiceStatus(enum.StrEnum):
    REQUESTED = "requested"
    ISSUED = "issued"


class InvoiceRequest(db.Model):
    """One shop's invoice of its lines in one order.

    `amount_fen` is what the shop was paid for its lines (less the vouchers refunded), taken
    when the owner asks and again when the shop issues. A company title carries its tax id
    (the unified social credit code); a personal title has none."""

    __tablename__ = "invoice_requests"
    __table_args__ = (
        UniqueConstraint("order_id", "shop_id"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint(
            f"length(title) >= 1 AND length(title) <= {MAX_TITLE}", name="title_length"
        ),
        CheckConstraint(
            "(title_kind = 'company' AND tax_id IS NOT NULL) "
            "OR (title_kind = 'personal' AND tax_id IS NULL)",
            name="tax_id_for_company",
        ),
        CheckConstraint(
            f"tax_id IS NULL OR length(tax_id) = {TAX_ID_LENGTH}", name="tax_id_length"
        ),
        CheckConstraint(
            f"invoice_number IS NULL OR (length(invoice_number) >= {NUMBER_MIN_DIGITS} "
            f"AND length(invoice_number) <= {NUMBER_MAX_DIGITS})",
            name="number_length",
        ),
        CheckConstraint(
            "(status = 'issued' AND invoice_number IS NOT NULL AND issued_at IS NOT NULL) "
            "OR (status = 'requested' AND invoice_number IS NULL AND issued_at IS NULL)",
            name="issued_has_number",
        ),
        Index("ix_invoice_requests_shop_status_created", "shop_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    title_kind: Mapped[InvoiceTitleKind] = mapped_column(enum_type(InvoiceTitleKind))
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    tax_id: Mapped[str | None] = mapped_column(String(TAX_ID_LENGTH))
    email: Mapped[str | None] = mapped_column(String(MAX_EMAIL))
    amount_fen: Mapped[int]
    status: Mapped[InvoiceStatus] = mapped_column(
        enum_type(InvoiceStatus), default=InvoiceStatus.REQUESTED
    )
    invoice_number: Mapped[str | None] = mapped_column(String(NUMBER_MAX_DIGITS))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship()
    shop: Mapped[Shop] = relationship()
    issued_by: Mapped[User | None] = relationship()

    @property
    def is_issued(self) -> bool:
        return self.status is InvoiceStatus.ISSUED
