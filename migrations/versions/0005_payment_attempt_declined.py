"""payment attempts remember whether the card was declined

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 08:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("payment_attempts") as batch_op:
        batch_op.add_column(
            sa.Column("declined", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("payment_attempts") as batch_op:
        batch_op.drop_column("declined")
