"""Listings: the service packages shops sell."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    DDL,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .shops import Shop
from .types import UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from .vehicles import Brand, Series

MAX_PRICE_FEN = 100_000_000  # ¥1,000,000
MAX_VALIDITY_DAYS = 3 * 365


class Category(enum.StrEnum):
    MAINTENANCE = "maintenance"
    REPAIR = "repair"
    CLEANING = "cleaning"
    TIRES = "tires"
    ACCESSORIES = "accessories"


class ListingStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"


STATUS_MOVES = {
    ListingStatus.DRAFT: (ListingStatus.ACTIVE,),
    ListingStatus.ACTIVE: (ListingStatus.PAUSED,),
    ListingStatus.PAUSED: (ListingStatus.ACTIVE,),
}
"""Where a listing may go from each status: a draft is published, never paused."""


class Listing(db.Model):
    """A package a shop sells. City, coordinates and visibility are copied from the shop so
    browsing filters and sorts on one table with its indexes."""

    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint(f"price_fen >= 0 AND price_fen <= {MAX_PRICE_FEN}", name="price_range"),
        CheckConstraint("list_price_fen >= price_fen", name="list_price_not_below_price"),
        CheckConstraint(
            f"validity_days >= 1 AND validity_days <= {MAX_VALIDITY_DAYS}", name="validity_range"
        ),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        CheckConstraint("sales_count >= 0", name="sales_not_negative"),
        Index("ix_listings_browse_sales", "is_public", "city", "category", "sales_count", "id"),
        Index("ix_listings_browse_price", "is_public", "city", "category", "price_fen", "id"),
        Index("ix_listings_browse_rating", "is_public", "city", "category", "rating_score", "id"),
        Index("ix_listings_public_sales", "is_public", "sales_count", "id"),
        Index("ix_listings_public_price", "is_public", "price_fen", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    category: Mapped[Category] = mapped_column(enum_type(Category))
    description: Mapped[str] = mapped_column(Text, default="")
    price_fen: Mapped[int]
    list_price_fen: Mapped[int]
    validity_days: Mapped[int]
    stock: Mapped[int | None]
    refund_any_time: Mapped[bool] = mapped_column(default=True)
    refund_on_expiry: Mapped[bool] = mapped_column(default=True)
    chain_redeemable: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ListingStatus] = mapped_column(
        enum_type(ListingStatus), default=ListingStatus.DRAFT
    )
    fit_fuels: Mapped[str] = mapped_column(String(40), default="")
    fits_all_models: Mapped[bool] = mapped_column(default=True)
    # what the package puts in, where it says (fitment compares them with the car's)
    oil_viscosity: Mapped[str | None] = mapped_column(String(8))
    oil_spec: Mapped[str | None] = mapped_column(String(60))
    oil_capacity_dl: Mapped[int | None] = mapped_column(Integer)
    tyre_size: Mapped[str | None] = mapped_column(String(12))
    is_public: Mapped[bool] = mapped_column(default=False)
    city: Mapped[str] = mapped_column(String(20))
    district: Mapped[str] = mapped_column(String(20))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    sales_count: Mapped[int] = mapped_column(default=0)
    rating_score: Mapped[int] = mapped_column(default=0)
    rating_count: Mapped[int] = mapped_column(default=0)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    shop: Mapped[Shop] = relationship()
    items: Mapped[list["ListingItem"]] = relationship(
        cascade="all, delete-orphan", order_by="ListingItem.item"
    )
    fitments: Mapped[list["ListingFitment"]] = relationship(cascade="all, delete-orphan")

    @property
    def item_codes(self) -> list[str]:
        return [row.item for row in self.items]

    @property
    def fuel_codes(self) -> list[str]:
        return [code for code in self.fit_fuels.split("|") if code]

    @property
    def discount_fen(self) -> int:
        return self.list_price_fen - self.price_fen


class ListingItem(db.Model):
    """A maintenance item a listing covers (the matcher's item codes)."""

    __tablename__ = "listing_items"
    __table_args__ = (Index("ix_listing_items_item_listing", "item", "listing_id"),)

    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True
    )
    item: Mapped[str] = mapped_column(String(40), primary_key=True)


class ListingFitment(db.Model):
    """A brand or series a listing is limited to (none: it fits all models)."""

    __tablename__ = "listing_fitments"
    __table_args__ = (
        CheckConstraint("(brand_id IS NULL) <> (series_id IS NULL)", name="brand_or_series"),
        Index("ix_listing_fitments_listing", "listing_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"))

    brand: Mapped["Brand"] = relationship(lazy="joined")
    series: Mapped["Series"] = relationship(lazy="joined")

    @property
    def name(self) -> str:
        """The brand's or the series' name ("丰田", "卡罗拉")."""
        named = self.series if self.series_id is not None else self.brand
        return named.name if named is not None else ""


# Full-text search: SQLite FTS5 (trigram) mirrors search_text; PostgreSQL indexes it with pg_trgm.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE listings_fts USING fts5("
    "search_text, content='listings', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER listings_fts_insert AFTER INSERT ON listings BEGIN "
    "INSERT INTO listings_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER listings_fts_delete AFTER DELETE ON listings BEGIN "
    "INSERT INTO listings_fts(listings_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER listings_fts_update AFTER UPDATE OF search_text ON listings BEGIN "
    "INSERT INTO listings_fts(listings_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO listings_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
POSTGRES_TRGM = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_listings_search_trgm ON listings USING gin (search_text gin_trgm_ops)",
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS listings_fts_update",
    "DROP TRIGGER IF EXISTS listings_fts_delete",
    "DROP TRIGGER IF EXISTS listings_fts_insert",
    "DROP TABLE IF EXISTS listings_fts",
]

for _statement in SQLITE_FTS:
    event.listen(Listing.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRES_TRGM:
    event.listen(
        Listing.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
for _statement in SQLITE_FTS_DROP:
    event.listen(Listing.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))


def include_in_schema_compare(obj, name, type_, reflected, compare_to) -> bool:
    """Leave the search index objects (made by raw DDL) out of Alembic's comparisons."""
    if type_ == "table" and name and name.startswith("listings_fts"):
        return False
    return not (type_ == "index" and name == "ix_listings_search_trgm")
