"""Reviews of redeemed vouchers, shops' replies and reports, and the stored rating summaries."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .listings import Listing
from .shops import Shop
from .types import UTCDateTime, enum_type, utcnow
from .users import User

STARS = (1, 2, 3, 4, 5)
DIMENSIONS = ("quality", "price_honesty", "no_pressure", "on_time")
MAX_REVIEW_TEXT = 1000
MAX_REPLY_TEXT = 1000
MAX_REASON_TEXT = 500
MAX_RESUBMISSIONS = 1  # how often the author may change a review a moderator hid


class ReviewStatus(enum.StrEnum):
    PUBLISHED = "published"
    HELD = "held"
    HIDDEN = "hidden"


def _stars_check(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} >= 1 AND {column} <= 5", name=f"{column}_range")


class Review(db.Model):
    """An owner's review of the service bought with one redeemed voucher.

    Vehicle and service are snapshots taken when the review is written; the reply is the
    shop's one public answer."""

    __tablename__ = "reviews"
    __table_args__ = (
        _stars_check("overall"),
        *(_stars_check(name) for name in DIMENSIONS),
        CheckConstraint(f"length(text) <= {MAX_REVIEW_TEXT}", name="text_length"),
        CheckConstraint(f"length(reply_text) <= {MAX_REPLY_TEXT}", name="reply_length"),
        CheckConstraint(
            f"resubmit_count >= 0 AND resubmit_count <= {MAX_RESUBMISSIONS}",
            name="resubmit_count_range",
        ),
        Index("ix_reviews_shop_status_created", "shop_id", "status", "created_at"),
        Index("ix_reviews_listing_status_created", "listing_id", "status", "created_at"),
        Index("ix_reviews_queued_at", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id"), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    overall: Mapped[int]
    quality: Mapped[int]
    price_honesty: Mapped[int]
    no_pressure: Mapped[int]
    on_time: Mapped[int]
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReviewStatus] = mapped_column(enum_type(ReviewStatus))
    hold_reasons: Mapped[str] = mapped_column(String(100), default="")
    vehicle_series: Mapped[str] = mapped_column(String(80), default="")
    vehicle_year: Mapped[int | None]
    service_title: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # times the author changed it after a moderator hid it (sent back to the queue)
    resubmit_count: Mapped[int] = mapped_column(default=0, server_default="0")
    reply_text: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reply_edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    shop: Mapped[Shop] = relationship()
    listing: Mapped[Listing] = relationship()

    @property
    def hold_reason_codes(self) -> list[str]:
        return [code for code in self.hold_reasons.split(",") if code]

    def dimension(self, name: str) -> int:
        return getattr(self, name)


class ReviewReport(db.Model):
    """A shop's report of a review to the moderators; one per review."""

    __tablename__ = "review_reports"
    __table_args__ = (
        CheckConstraint(f"length(reason) <= {MAX_REASON_TEXT}", name="reason_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str | None] = mapped_column(String(20))

    review: Mapped[Review] = relationship()
    reporter: Mapped[User] = relationship()


class RatingSummary(db.Model):
    """The stored rating of one shop or one listing, rewritten with each review change.

    `score` is the Bayesian average in thousandths of a star (0 with no reviews); `stars`
    counts reviews per overall star [1★..5★]; `dimensions` maps each dimension to the same
    five counts."""

    __tablename__ = "rating_summaries"
    __table_args__ = (
        CheckConstraint("(shop_id IS NULL) <> (listing_id IS NULL)", name="shop_or_listing"),
        CheckConstraint("review_count >= 0", name="count_not_negative"),
        CheckConstraint("score >= 0 AND score <= 5000", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"), unique=True)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"), unique=True)
    review_count: Mapped[int] = mapped_column(default=0)
    score: Mapped[int] = mapped_column(default=0)
    overall_sum: Mapped[int] = mapped_column(default=0)
    stars: Mapped[list[int]] = mapped_column(JSON, default=lambda: [0] * 5)
    dimensions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def mean(self) -> float:
        """The plain average of the overall stars (for display only; sorting uses `score`)."""
        return self.overall_sum / self.review_count if self.review_count else 0.0

    def star_count(self, star: int) -> int:
        return self.stars[star - 1] if self.stars else 0

    def dimension_mean(self, name: str) -> float | None:
        counts = (self.dimensions or {}).get(name)
        if not counts or not sum(counts):
            return None
        return sum(star * n for star, n in zip(STARS, counts, strict=True)) / sum(counts)
