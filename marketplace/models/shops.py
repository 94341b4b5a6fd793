"""Chains, their outlets (shops), and the people who work there."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, enum_type, utcnow
from .users import User

DEFAULT_COMMISSION_BPS = 800


class ShopStatus(enum.StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class StaffRole(enum.StrEnum):
    MANAGER = "manager"
    TECHNICIAN = "technician"


class Chain(db.Model):
    """A chain brand; its admin (the merchant who registered it) sees all its outlets."""

    __tablename__ = "chains"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    admin: Mapped[User] = relationship()
    shops: Mapped[list["Shop"]] = relationship(back_populates="chain", order_by="Shop.id")


class Shop(db.Model):
    """An outlet: where owners redeem their vouchers."""

    __tablename__ = "shops"
    __table_args__ = (
        CheckConstraint("commission_bps >= 0 AND commission_bps <= 10000", name="commission_range"),
        CheckConstraint("latitude >= -90 AND latitude <= 90", name="latitude_range"),
        CheckConstraint("longitude >= -180 AND longitude <= 180", name="longitude_range"),
        Index("ix_shops_status_created", "status", "created_at"),
        CheckConstraint("lost_after_months >= 3 AND lost_after_months <= 12", name="lost_window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(ForeignKey("chains.id"), index=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(20), index=True)
    district: Mapped[str] = mapped_column(String(20))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    opening_hours: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))
    licence_number: Mapped[str] = mapped_column(String(18))
    status: Mapped[ShopStatus] = mapped_column(enum_type(ShopStatus), default=ShopStatus.APPLIED)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    commission_bps: Mapped[int] = mapped_column(default=DEFAULT_COMMISSION_BPS)
    stripe_account_id: Mapped[str | None] = mapped_column(String(255))
    lost_after_months: Mapped[int] = mapped_column(default=6, server_default="6")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    chain: Mapped[Chain] = relationship(back_populates="shops")
    staff: Mapped[list["ShopStaff"]] = relationship(back_populates="shop", order_by="ShopStaff.id")

    @property
    def is_public(self) -> bool:
        return self.status is ShopStatus.APPROVED

    @property
    def display_name(self) -> str:
        return f"{self.chain.name}（{self.name}）"


class ShopStaff(db.Model):
    """A person working at one shop."""

    __tablename__ = "shop_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    role: Mapped[StaffRole] = mapped_column(enum_type(StaffRole))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    shop: Mapped[Shop] = relationship(back_populates="staff")
    user: Mapped[User] = relationship()


class StaffInvitation(db.Model):
    """An invitation to join a shop's staff, accepted by the account with that email."""

    __tablename__ = "staff_invitations"
    __table_args__ = (UniqueConstraint("shop_id", "email", name="uq_staff_invitations_shop_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[StaffRole] = mapped_column(enum_type(StaffRole))
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    shop: Mapped[Shop] = relationship()
