"""The vehicle catalog (brand → maker → series → variant) and owners' garages."""

import enum
from dataclasses import make_dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, enum_type, utcnow
from .users import User

MAX_ODOMETER_KM = 2_000_000


class Car(Protocol):
    """What the matcher, fitment and reminders know of a car: a catalog variant, or a
    garage car that is not in the catalog (UnlistedCar). Unknown facts are None."""

    brand_id: int | None
    brand_name: str
    series_id: int | None
    series_name: str
    model_year: int | None
    fuel_type: str | None
    transmission: str | None
    displacement_cc: int | None
    variant_id: int | None
    label: str


def variant_label(brand_name: str, series_name: str, name: str) -> str:
    return f"{brand_name} {series_name} {name}"


def unlisted_label(brand_name: str, series_name: str, model_year: int) -> str:
    return f"{brand_name} {series_name} {model_year}款"


# a car's facts as plain values (the Car protocol's own fields), read as columns with the
# signed-in user (selection.user_with_car): what a page shows of the car and fits listings by
CarFacts = make_dataclass(
    "CarFacts",
    Car.__annotations__.items(),
    frozen=True,
    slots=True,
    namespace={"__module__": __name__},
)


class Brand(db.Model):
    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(60))
    initial: Mapped[str] = mapped_column(String(1), index=True)
    pinyin: Mapped[str] = mapped_column(String(120), index=True)
    pinyin_initials: Mapped[str] = mapped_column(String(30), index=True)

    series: Mapped[list["Series"]] = relationship(back_populates="brand", order_by="Series.name")


class Maker(db.Model):
    __tablename__ = "makers"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))


class Series(db.Model):
    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    maker_id: Mapped[int] = mapped_column(ForeignKey("makers.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    pinyin: Mapped[str] = mapped_column(String(160), index=True)
    pinyin_initials: Mapped[str] = mapped_column(String(40), index=True)

    brand: Mapped[Brand] = relationship(back_populates="series")
    maker: Mapped[Maker] = relationship()
    variants: Mapped[list["Variant"]] = relationship(back_populates="series")


class Variant(db.Model):
    """A model-year variant, with the specs parsed from its name (None where unknown)."""

    __tablename__ = "variants"
    __table_args__ = (Index("ix_variants_series_year", "series_id", "model_year"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"))
    name: Mapped[str] = mapped_column(String(120))
    model_year: Mapped[int | None] = mapped_column(Integer)
    displacement_cc: Mapped[int | None] = mapped_column(Integer)
    aspiration: Mapped[str | None] = mapped_column(String(12))
    fuel_type: Mapped[str | None] = mapped_column(String(8))
    transmission: Mapped[str | None] = mapped_column(String(12))

    series: Mapped[Series] = relationship(back_populates="variants")

    @property
    def label(self) -> str:
        return variant_label(self.series.brand.name, self.series.name, self.name)

    @property
    def variant_id(self) -> int:
        return self.id

    @property
    def brand_id(self) -> int:
        return self.series.brand_id

    @property
    def brand_name(self) -> str:
        return self.series.brand.name

    @property
    def series_name(self) -> str:
        return self.series.name


class UnlistedCar(db.Model):
    """A garage car the catalog does not list, as its owner described it."""

    __tablename__ = "unlisted_cars"
    __table_args__ = (
        CheckConstraint("brand_id IS NOT NULL OR brand_name <> ''", name="brand_known"),
        CheckConstraint(
            "displacement_cc IS NULL OR (displacement_cc >= 600 AND displacement_cc <= 8400)",
            name="displacement_range",
        ),
        Index("ix_unlisted_cars_series", "brand_name", "series_name", "model_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"))
    brand_name: Mapped[str] = mapped_column(String(60))
    series_name: Mapped[str] = mapped_column(String(80))
    model_year: Mapped[int] = mapped_column(Integer)
    fuel_type: Mapped[str] = mapped_column(String(8))
    transmission: Mapped[str | None] = mapped_column(String(12))
    displacement_cc: Mapped[int | None] = mapped_column(Integer)

    brand: Mapped[Brand | None] = relationship()

    series_id = None
    variant_id = None

    @property
    def label(self) -> str:
        return unlisted_label(self.brand_name, self.series_name, self.model_year)


class GarageVehicle(db.Model):
    """A car in an owner's garage."""

    __tablename__ = "garage_vehicles"
    __table_args__ = (
        Index(
            "uq_garage_vehicles_one_default",
            "owner_id",
            unique=True,
            sqlite_where=db.text("is_default"),
            postgresql_where=db.text("is_default"),
        ),
        UniqueConstraint("owner_id", "plate", name="uq_garage_vehicles_owner_plate"),
        CheckConstraint(
            "(variant_id IS NULL) <> (unlisted_car_id IS NULL)", name="one_description"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id"), index=True)
    unlisted_car_id: Mapped[int | None] = mapped_column(ForeignKey("unlisted_cars.id"), unique=True)
    vin: Mapped[str | None] = mapped_column(String(17))
    # from the owner's manual and the tyre wall, where the owner knows them
    oil_viscosity: Mapped[str | None] = mapped_column(String(8))
    oil_capacity_dl: Mapped[int | None] = mapped_column(Integer)
    tyre_size: Mapped[str | None] = mapped_column(String(12))
    plate: Mapped[str | None] = mapped_column(String(10))
    registered_on: Mapped[date | None] = mapped_column(Date)
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    owner: Mapped[User] = relationship()
    variant: Mapped[Variant | None] = relationship()
    unlisted_car: Mapped[UnlistedCar | None] = relationship(
        cascade="all, delete-orphan", single_parent=True
    )
    readings: Mapped[list["OdometerReading"]] = relationship(
        back_populates="vehicle",
        order_by="(OdometerReading.read_on, OdometerReading.km)",
        cascade="all, delete-orphan",
    )
    services: Mapped[list["ServiceRecord"]] = relationship(
        back_populates="vehicle",
        order_by="(ServiceRecord.done_on, ServiceRecord.km)",
        cascade="all, delete-orphan",
    )

    @property
    def car(self) -> Car:
        """The catalog variant, or the owner's description when it is not listed."""
        return self.variant if self.variant is not None else self.unlisted_car

    @property
    def label(self) -> str:
        return self.car.label

    @property
    def last_reading(self) -> "OdometerReading | None":
        return self.readings[-1] if self.readings else None


class ReadingSource(enum.StrEnum):
    OWNER = "owner"
    SHOP = "shop"


class OdometerReading(db.Model):
    __tablename__ = "odometer_readings"
    __table_args__ = (
        CheckConstraint(f"km >= 0 AND km <= {MAX_ODOMETER_KM}", name="km_range"),
        Index("ix_odometer_readings_vehicle_date", "vehicle_id", "read_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("garage_vehicles.id", ondelete="CASCADE"))
    read_on: Mapped[date] = mapped_column(Date)
    km: Mapped[int] = mapped_column(Integer)
    source: Mapped[ReadingSource] = mapped_column(enum_type(ReadingSource))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    vehicle: Mapped[GarageVehicle] = relationship(back_populates="readings")


class ServiceRecord(db.Model):
    """A maintenance item done on a garage vehicle (told by the owner, or a shop's redemption)."""

    __tablename__ = "service_records"
    __table_args__ = (
        CheckConstraint(f"km IS NULL OR (km >= 0 AND km <= {MAX_ODOMETER_KM})", name="km_range"),
        Index("ix_service_records_vehicle_item", "vehicle_id", "item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("garage_vehicles.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(40))
    done_on: Mapped[date] = mapped_column(Date)
    km: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[ReadingSource] = mapped_column(enum_type(ReadingSource))
    redemption_id: Mapped[int | None] = mapped_column(ForeignKey("redemptions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    vehicle: Mapped[GarageVehicle] = relationship(back_populates="services")
