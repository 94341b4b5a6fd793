"""maintenance rules: the market a figure comes from, and the source and note in Chinese

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("maintenance_rules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("market", sa.String(length=8), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("source_zh", sa.String(length=255), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("note_zh", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("maintenance_rules", schema=None) as batch_op:
        batch_op.drop_column("note_zh")
        batch_op.drop_column("source_zh")
        batch_op.drop_column("market")
