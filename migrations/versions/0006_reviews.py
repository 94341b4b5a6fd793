"""reviews of redeemed vouchers, shops' reports, and stored rating summaries

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _stars(column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(
        f"{column} >= 1 AND {column} <= 5", name=op.f(f"ck_reviews_{column}_range")
    )


def upgrade():
    op.create_table(
        "rating_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=True),
        sa.Column("listing_id", sa.Integer(), nullable=True),
        sa.Column("review_count", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("overall_sum", sa.Integer(), nullable=False),
        sa.Column("stars", sa.JSON(), nullable=False),
        sa.Column("dimensions", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(shop_id IS NULL) <> (listing_id IS NULL)",
            name=op.f("ck_rating_summaries_shop_or_listing"),
        ),
        sa.CheckConstraint(
            "review_count >= 0", name=op.f("ck_rating_summaries_count_not_negative")
        ),
        sa.CheckConstraint(
            "score >= 0 AND score <= 5000", name=op.f("ck_rating_summaries_score_range")
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_rating_summaries_listing_id_listings")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_rating_summaries_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_summaries")),
        sa.UniqueConstraint("listing_id", name=op.f("uq_rating_summaries_listing_id")),
        sa.UniqueConstraint("shop_id", name=op.f("uq_rating_summaries_shop_id")),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("overall", sa.Integer(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.Column("price_honesty", sa.Integer(), nullable=False),
        sa.Column("no_pressure", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "published",
                "held",
                "hidden",
                name="reviewstatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("hold_reasons", sa.String(length=100), nullable=False),
        sa.Column("vehicle_series", sa.String(length=80), nullable=False),
        sa.Column("vehicle_year", sa.Integer(), nullable=True),
        sa.Column("service_title", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("reply_text", sa.Text(), nullable=False),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replied_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("length(reply_text) <= 1000", name=op.f("ck_reviews_reply_length")),
        sa.CheckConstraint("length(text) <= 1000", name=op.f("ck_reviews_text_length")),
        _stars("overall"),
        _stars("quality"),
        _stars("price_honesty"),
        _stars("no_pressure"),
        _stars("on_time"),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_reviews_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_reviews_listing_id_listings")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_reviews_owner_id_users")),
        sa.ForeignKeyConstraint(
            ["replied_by_id"], ["users.id"], name=op.f("fk_reviews_replied_by_id_users")
        ),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_reviews_shop_id_shops")),
        sa.ForeignKeyConstraint(
            ["voucher_id"], ["vouchers.id"], name=op.f("fk_reviews_voucher_id_vouchers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("voucher_id", name=op.f("uq_reviews_voucher_id")),
    )
    with op.batch_alter_table("reviews") as batch_op:
        batch_op.create_index(
            "ix_reviews_listing_status_created", ["listing_id", "status", "created_at"]
        )
        batch_op.create_index(batch_op.f("ix_reviews_owner_id"), ["owner_id"])
        batch_op.create_index("ix_reviews_queued_at", ["queued_at"])
        batch_op.create_index("ix_reviews_shop_status_created", ["shop_id", "status", "created_at"])

    op.create_table(
        "review_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.CheckConstraint("length(reason) <= 500", name=op.f("ck_review_reports_reason_length")),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_review_reports_reporter_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_reports_review_id_reviews")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_review_reports_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_reports")),
        sa.UniqueConstraint("review_id", name=op.f("uq_review_reports_review_id")),
    )
    with op.batch_alter_table("review_reports") as batch_op:
        batch_op.create_index(batch_op.f("ix_review_reports_shop_id"), ["shop_id"])


def downgrade():
    with op.batch_alter_table("review_reports") as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_reports_shop_id"))
    op.drop_table("review_reports")
    with op.batch_alter_table("reviews") as batch_op:
        batch_op.drop_index("ix_reviews_shop_status_created")
        batch_op.drop_index("ix_reviews_queued_at")
        batch_op.drop_index(batch_op.f("ix_reviews_owner_id"))
        batch_op.drop_index("ix_reviews_listing_status_created")
    op.drop_table("reviews")
    op.drop_table("rating_summaries")
