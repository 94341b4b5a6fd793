"""Maintenance rules, as loaded from the bundled file or `maintenance import-rules`."""

from sqlalchemy import CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class MaintenanceRule(db.Model):
    __tablename__ = "maintenance_rules"
    __table_args__ = tuple(
        CheckConstraint(f"{col} IS NULL OR {col} > 0", name=f"{col}_positive")
        for col in ("every_km", "every_months", "first_km", "first_months")
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    item: Mapped[str] = mapped_column(String(40), index=True)
    every_km: Mapped[int | None] = mapped_column(Integer)
    every_months: Mapped[int | None] = mapped_column(Integer)
    first_km: Mapped[int | None] = mapped_column(Integer)
    first_months: Mapped[int | None] = mapped_column(Integer)
    condition: Mapped[str] = mapped_column(String(10))
    fuel_types: Mapped[str] = mapped_column(String(60), default="")
    transmissions: Mapped[str] = mapped_column(String(80), default="")
    brand: Mapped[str | None] = mapped_column(String(60))
    series: Mapped[str | None] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(255))
    source_url: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str] = mapped_column(Text, default="")
    market: Mapped[str] = mapped_column(String(8), default="")
    source_zh: Mapped[str] = mapped_column(String(255), default="")
    note_zh: Mapped[str] = mapped_column(Text, default="")
