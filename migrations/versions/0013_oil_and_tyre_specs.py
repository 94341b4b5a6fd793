"""fitment by specification: a listing's engine oil and tyre size, a garage car's

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oil_viscosity", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("oil_spec", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("oil_capacity_dl", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("tyre_size", sa.String(length=12), nullable=True))
    with op.batch_alter_table("garage_vehicles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oil_viscosity", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("oil_capacity_dl", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("tyre_size", sa.String(length=12), nullable=True))


def downgrade():
    with op.batch_alter_table("garage_vehicles", schema=None) as batch_op:
        batch_op.drop_column("tyre_size")
        batch_op.drop_column("oil_capacity_dl")
        batch_op.drop_column("oil_viscosity")
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_column("tyre_size")
        batch_op.drop_column("oil_capacity_dl")
        batch_op.drop_column("oil_spec")
        batch_op.drop_column("oil_viscosity")
