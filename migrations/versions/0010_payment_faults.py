"""money under faults: attempts with an unknown outcome and the one that fulfilled the order,
refund claims, transfer send times, job locks

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OLD_STATUSES = ("started", "requires_action", "processing", "succeeded", "failed", "canceled")
NEW_STATUSES = ("started", "unknown", *OLD_STATUSES[1:])


def _status_check(statuses) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def upgrade():
    op.create_table(
        "job_locks",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=80), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_locks")),
    )
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fulfilled", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.drop_constraint(batch_op.f("ck_payment_attempts_attemptstatus"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_payment_attempts_attemptstatus"), _status_check(NEW_STATUSES)
        )
    # the first success of each order that is paid is the one that paid it
    op.execute(
        "UPDATE payment_attempts SET fulfilled = true WHERE id IN ("
        " SELECT min(a.id) FROM payment_attempts a JOIN orders o ON o.id = a.order_id"
        " WHERE a.status = 'succeeded'"
        " AND o.status IN ('paid', 'partially_refunded', 'refunded', 'completed')"
        " GROUP BY a.order_id)"
    )
    op.create_index(
        "uq_payment_attempts_fulfilled_order",
        "payment_attempts",
        ["order_id"],
        unique=True,
        sqlite_where=sa.text("fulfilled"),
        postgresql_where=sa.text("fulfilled"),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("tries", sa.Integer(), server_default="0", nullable=False))
    op.create_index(
        "uq_refunds_whole_attempt",
        "refunds",
        ["attempt_id"],
        unique=True,
        sqlite_where=sa.text("voucher_id IS NULL"),
        postgresql_where=sa.text("voucher_id IS NULL"),
    )
    with op.batch_alter_table("payout_transfers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("payout_transfers", schema=None) as batch_op:
        batch_op.drop_column("sent_at")
    op.drop_index("uq_refunds_whole_attempt", table_name="refunds")
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_column("tries")
        batch_op.drop_column("claimed_at")
    op.drop_index("uq_payment_attempts_fulfilled_order", table_name="payment_attempts")
    op.execute("UPDATE payment_attempts SET status = 'failed' WHERE status = 'unknown'")
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_payment_attempts_attemptstatus"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_payment_attempts_attemptstatus"), _status_check(OLD_STATUSES)
        )
        batch_op.drop_column("fulfilled")
    op.drop_table("job_locks")
