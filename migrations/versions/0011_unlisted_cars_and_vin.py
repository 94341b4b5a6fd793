"""cars that are not in the catalog, VINs, and the garage car a cart or order line is for

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "unlisted_cars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=True),
        sa.Column("brand_name", sa.String(length=60), nullable=False),
        sa.Column("series_name", sa.String(length=80), nullable=False),
        sa.Column("model_year", sa.Integer(), nullable=False),
        sa.Column("fuel_type", sa.String(length=8), nullable=False),
        sa.Column("transmission", sa.String(length=12), nullable=True),
        sa.Column("displacement_cc", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "brand_id IS NOT NULL OR brand_name <> ''", name=op.f("ck_unlisted_cars_brand_known")
        ),
        sa.CheckConstraint(
            "displacement_cc IS NULL OR (displacement_cc >= 600 AND displacement_cc <= 8400)",
            name=op.f("ck_unlisted_cars_displacement_range"),
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_unlisted_cars_brand_id_brands")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unlisted_cars")),
    )
    op.create_index(
        "ix_unlisted_cars_series",
        "unlisted_cars",
        ["brand_name", "series_name", "model_year"],
        unique=False,
    )
    with op.batch_alter_table("garage_vehicles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unlisted_car_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("vin", sa.String(length=17), nullable=True))
        batch_op.alter_column("variant_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint(
            batch_op.f("uq_garage_vehicles_unlisted_car_id"), ["unlisted_car_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_garage_vehicles_unlisted_car_id_unlisted_cars"),
            "unlisted_cars",
            ["unlisted_car_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_garage_vehicles_one_description"),
            "(variant_id IS NULL) <> (unlisted_car_id IS NULL)",
        )
    for table in ("cart_lines", "order_lines"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("vehicle_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_vehicle_id_garage_vehicles"),
                "garage_vehicles",
                ["vehicle_id"],
                ["id"],
                ondelete="SET NULL",
            )


def downgrade():
    for table in ("order_lines", "cart_lines"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_vehicle_id_garage_vehicles"), type_="foreignkey"
            )
            batch_op.drop_column("vehicle_id")
    op.execute("DELETE FROM garage_vehicles WHERE variant_id IS NULL")
    with op.batch_alter_table("garage_vehicles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_garage_vehicles_one_description"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_garage_vehicles_unlisted_car_id_unlisted_cars"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("uq_garage_vehicles_unlisted_car_id"), type_="unique"
        )
        batch_op.alter_column("variant_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("vin")
        batch_op.drop_column("unlisted_car_id")
    op.drop_index("ix_unlisted_cars_series", table_name="unlisted_cars")
    op.drop_table("unlisted_cars")
