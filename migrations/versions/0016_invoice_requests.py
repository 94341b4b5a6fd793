"""invoice requests: an owner asks each shop of a paid order for an invoice (发票)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 09:00:00

The notification kind "invoice_issued" is a plain string column value: no schema change.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invoice_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column(
            "title_kind",
            sa.Enum(
                "personal",
                "company",
                name="invoicetitlekind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("tax_id", sa.String(length=18), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "issued",
                name="invoicestatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("invoice_number", sa.String(length=20), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_invoice_requests_amount_positive")),
        sa.CheckConstraint(
            "length(title) >= 1 AND length(title) <= 100",
            name=op.f("ck_invoice_requests_title_length"),
        ),
        sa.CheckConstraint(
            "(title_kind = 'company' AND tax_id IS NOT NULL) "
            "OR (title_kind = 'personal' AND tax_id IS NULL)",
            name=op.f("ck_invoice_requests_tax_id_for_company"),
        ),
        sa.CheckConstraint(
            "tax_id IS NULL OR length(tax_id) = 18",
            name=op.f("ck_invoice_requests_tax_id_length"),
        ),
        sa.CheckConstraint(
            "invoice_number IS NULL OR (length(invoice_number) >= 8 "
            "AND length(invoice_number) <= 20)",
            name=op.f("ck_invoice_requests_number_length"),
        ),
        sa.CheckConstraint(
            "(status = 'issued' AND invoice_number IS NOT NULL AND issued_at IS NOT NULL) "
            "OR (status = 'requested' AND invoice_number IS NULL AND issued_at IS NULL)",
            name=op.f("ck_invoice_requests_issued_has_number"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["users.id"], name=op.f("fk_invoice_requests_issued_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_invoice_requests_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_invoice_requests_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_requests")),
        sa.UniqueConstraint("order_id", "shop_id", name=op.f("uq_invoice_requests_order_id")),
    )
    op.create_index(
        "ix_invoice_requests_shop_status_created",
        "invoice_requests",
        ["shop_id", "status", "created_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_invoice_requests_shop_status_created", table_name="invoice_requests")
    op.drop_table("invoice_requests")
