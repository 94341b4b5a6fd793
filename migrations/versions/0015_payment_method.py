"""payment attempts: the payment method (card, WeChat Pay, Alipay)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("method", sa.String(length=20), nullable=False, server_default="card")
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_payment_attempts_paymethod"),
            "method IN ('wechat_pay', 'alipay', 'card')",
        )


def downgrade():
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_payment_attempts_paymethod"), type_="check")
        batch_op.drop_column("method")
