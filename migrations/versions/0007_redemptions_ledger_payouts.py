"""redemptions, the shops' ledger and payouts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 08:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC_TS = sa.DateTime(timezone=True)


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade():
    with op.batch_alter_table("shops") as batch_op:
        batch_op.add_column(sa.Column("stripe_account_id", sa.String(255), nullable=True))

    op.create_table(
        "redemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("odometer_km", sa.Integer(), nullable=True),
        sa.Column("odometer_note", sa.String(20), nullable=False),
        sa.Column("previous_km", sa.Integer(), nullable=True),
        sa.Column("redeemed_at", UTC_TS, nullable=False),
        sa.Column("undone_at", UTC_TS, nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.Column("undo_reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "odometer_km IS NULL OR odometer_km >= 0",
            name=op.f("ck_redemptions_odometer_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"], ["vouchers.id"], name=op.f("fk_redemptions_voucher_id_vouchers")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_redemptions_shop_id_shops")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["users.id"], name=op.f("fk_redemptions_staff_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["undone_by_id"], ["users.id"], name=op.f("fk_redemptions_undone_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redemptions")),
        sa.UniqueConstraint("request_id", name=op.f("uq_redemptions_request_id")),
    )
    op.create_index(op.f("ix_redemptions_voucher_id"), "redemptions", ["voucher_id"])
    op.create_index(op.f("ix_redemptions_staff_id"), "redemptions", ["staff_id"])
    op.create_index("ix_redemptions_shop_redeemed", "redemptions", ["shop_id", "redeemed_at"])
    op.create_index(
        "uq_redemptions_voucher_in_force",
        "redemptions",
        ["voucher_id"],
        unique=True,
        sqlite_where=sa.text("undone_at IS NULL"),
        postgresql_where=sa.text("undone_at IS NULL"),
    )

    op.create_table(
        "payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("destination", sa.String(255), nullable=False),
        sa.Column("status", _enum("payoutstatus", "processing", "paid"), nullable=False),
        sa.Column("failure_message", sa.String(500), nullable=True),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.Column("paid_at", UTC_TS, nullable=True),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_payouts_amount_positive")),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_payouts_shop_id_shops")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
    )
    op.create_index(op.f("ix_payouts_shop_id"), "payouts", ["shop_id"])

    op.create_table(
        "payout_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payout_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("transfer_group", sa.String(64), nullable=False),
        sa.Column("stripe_transfer_id", sa.String(255), nullable=True),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_payout_transfers_amount_positive")),
        sa.ForeignKeyConstraint(
            ["payout_id"], ["payouts.id"], name=op.f("fk_payout_transfers_payout_id_payouts")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_payout_transfers_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_transfers")),
        sa.UniqueConstraint("payout_id", "order_id", name=op.f("uq_payout_transfers_payout_id")),
        sa.UniqueConstraint(
            "stripe_transfer_id", name=op.f("uq_payout_transfers_stripe_transfer_id")
        ),
    )

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("redemption_id", sa.Integer(), nullable=True),
        sa.Column("kind", _enum("entrykind", "service", "reversal"), nullable=False),
        sa.Column("status", _enum("entrystatus", "open", "paid", "cancelled"), nullable=False),
        sa.Column("gross_fen", sa.Integer(), nullable=False),
        sa.Column("commission_bps", sa.Integer(), nullable=False),
        sa.Column("commission_fen", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("available_at", UTC_TS, nullable=False),
        sa.Column("payout_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.Column("settled_at", UTC_TS, nullable=True),
        sa.CheckConstraint(
            "amount_fen = gross_fen - commission_fen", name=op.f("ck_ledger_entries_amount_is_net")
        ),
        sa.CheckConstraint(
            "commission_bps >= 0 AND commission_bps <= 10000",
            name=op.f("ck_ledger_entries_bps_range"),
        ),
        sa.CheckConstraint(
            "(kind = 'service' AND gross_fen >= 0 AND commission_fen >= 0)"
            " OR (kind = 'reversal' AND gross_fen <= 0 AND commission_fen <= 0)",
            name=op.f("ck_ledger_entries_sign_by_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_ledger_entries_shop_id_shops")
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"], ["vouchers.id"], name=op.f("fk_ledger_entries_voucher_id_vouchers")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_ledger_entries_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["redemption_id"],
            ["redemptions.id"],
            name=op.f("fk_ledger_entries_redemption_id_redemptions"),
        ),
        sa.ForeignKeyConstraint(
            ["payout_id"], ["payouts.id"], name=op.f("fk_ledger_entries_payout_id_payouts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    op.create_index(op.f("ix_ledger_entries_voucher_id"), "ledger_entries", ["voucher_id"])
    op.create_index(op.f("ix_ledger_entries_order_id"), "ledger_entries", ["order_id"])
    op.create_index(op.f("ix_ledger_entries_redemption_id"), "ledger_entries", ["redemption_id"])
    op.create_index(op.f("ix_ledger_entries_payout_id"), "ledger_entries", ["payout_id"])
    op.create_index(
        "ix_ledger_entries_shop_status_available",
        "ledger_entries",
        ["shop_id", "status", "available_at"],
    )


def downgrade():
    op.drop_table("ledger_entries")
    op.drop_table("payout_transfers")
    op.drop_index(op.f("ix_payouts_shop_id"), table_name="payouts")
    op.drop_table("payouts")
    op.drop_table("redemptions")
    with op.batch_alter_table("shops") as batch_op:
        batch_op.drop_column("stripe_account_id")
