"""reviews.resubmit_count: how often the author changed a review a moderator hid (at most once)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 09:00:00

The audit action "review.resubmitted" is a plain string column value: no schema change.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    # batch mode: SQLite cannot add a CHECK constraint to an existing table in place.
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("resubmit_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_reviews_resubmit_count_range"),
            "resubmit_count >= 0 AND resubmit_count <= 1",
        )


def downgrade():
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_reviews_resubmit_count_range"), type_="check")
        batch_op.drop_column("resubmit_count")
