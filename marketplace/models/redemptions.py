"""Redemptions: a shop serving a voucher offline, and the undo of it."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .shops import Shop
from .types import UTCDateTime, utcnow
from .users import User
from .vouchers import Voucher


class OdometerNote:
    """What became of the odometer reading the shop typed."""

    NONE = ""
    RECORDED = "recorded"
    LOWER = "lower"
    NO_VEHICLE = "no_vehicle"


class Redemption(db.Model):
    """One redemption of a voucher at a shop; an undone one stays, marked undone.

    At most one redemption of a voucher is in force (a partial unique index), and the
    request id of the confirming form is unique, so a double submit is not a second one."""

    __tablename__ = "redemptions"
    __table_args__ = (
        CheckConstraint("odometer_km IS NULL OR odometer_km >= 0", name="odometer_not_negative"),
        Index(
            "uq_redemptions_voucher_in_force",
            "voucher_id",
            unique=True,
            sqlite_where=text("undone_at IS NULL"),
            postgresql_where=text("undone_at IS NULL"),
        ),
        Index("ix_redemptions_shop_redeemed", "shop_id", "redeemed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    request_id: Mapped[str] = mapped_column(String(64), unique=True)
    odometer_km: Mapped[int | None]
    odometer_note: Mapped[str] = mapped_column(String(20), default=OdometerNote.NONE)
    previous_km: Mapped[int | None]
    redeemed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undo_reason: Mapped[str] = mapped_column(Text, default="")

    voucher: Mapped[Voucher] = relationship(back_populates="redemptions")
    shop: Mapped[Shop] = relationship()
    staff: Mapped[User] = relationship(foreign_keys=[staff_id])
    undone_by: Mapped[User | None] = relationship(foreign_keys=[undone_by_id])

    @property
    def in_force(self) -> bool:
        return self.undone_at is None
