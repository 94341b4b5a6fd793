"""shops.lost_after_months: the shop's lost-customer window (3-12 months, default 6)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    # batch mode: SQLite cannot add a CHECK constraint to an existing table in place.
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lost_after_months", sa.Integer(), server_default="6", nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_shops_lost_window"), "lost_after_months >= 3 AND lost_after_months <= 12"
        )


def downgrade():
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_shops_lost_window"), type_="check")
        batch_op.drop_column("lost_after_months")
