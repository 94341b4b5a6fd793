"""notification centre, reminder preferences and marks, unsubscribe tokens, insurance policies;
service records made by a redemption

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 08:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UTC_TS = sa.DateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("service_records") as batch_op:
        batch_op.add_column(sa.Column("redemption_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_service_records_redemption_id"), ["redemption_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_service_records_redemption_id_redemptions"),
            "redemptions",
            ["redemption_id"],
            ["id"],
        )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(300), nullable=False),
        sa.Column("dedupe_key", sa.String(160), nullable=True),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.Column("read_at", UTC_TS, nullable=True),
        sa.Column("email_pending", sa.Boolean(), nullable=False),
        sa.Column("emailed_at", UTC_TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key")),
    )
    op.create_index(
        "ix_notifications_user_read", "notifications", ["user_id", "read_at", "created_at"]
    )
    op.create_table(
        "notification_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notification_preferences_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_notification_preferences_user_id")),
    )
    op.create_index(
        op.f("ix_notification_preferences_user_id"), "notification_preferences", ["user_id"]
    )
    op.create_table(
        "unsubscribe_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.Column("used_at", UTC_TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_unsubscribe_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsubscribe_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_unsubscribe_tokens_token_hash")),
    )
    op.create_index(op.f("ix_unsubscribe_tokens_user_id"), "unsubscribe_tokens", ["user_id"])
    op.create_table(
        "reminder_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_marks")),
        sa.UniqueConstraint("key", name=op.f("uq_reminder_marks_key")),
    )
    op.create_table(
        "insurance_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("insurer", sa.String(60), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("updated_at", UTC_TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["garage_vehicles.id"],
            name=op.f("fk_insurance_policies_vehicle_id_garage_vehicles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_policies")),
        sa.UniqueConstraint("vehicle_id", name=op.f("uq_insurance_policies_vehicle_id")),
    )
    op.create_index(op.f("ix_insurance_policies_expires_on"), "insurance_policies", ["expires_on"])


def downgrade():
    op.drop_table("insurance_policies")
    op.drop_table("reminder_marks")
    op.drop_table("unsubscribe_tokens")
    op.drop_table("notification_preferences")
    op.drop_table("notifications")
    with op.batch_alter_table("service_records") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_service_records_redemption_id_redemptions"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_service_records_redemption_id"))
        batch_op.drop_column("redemption_id")
