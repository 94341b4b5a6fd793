"""What the attack tests share: snapshots of the database, and reading pages."""

import re

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    AuditEntry,
    LedgerEntry,
    Order,
    Redemption,
    Refund,
    ShopStaff,
    StaffInvitation,
    User,
    Voucher,
)
from marketplace.models.reviews import Review

SCRIPT = '<script>alert("xss")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;"


def state(app) -> dict:
    """What an attack must not change: vouchers, orders, redemptions, money, staff, reviews."""
    with app.app_context():
        return {
            "vouchers": sorted(
                (v.id, v.code, v.status.value, v.owner_id, v.redeemed_at is not None)
                for v in db.session.scalars(select(Voucher))
            ),
            "orders": sorted((o.id, o.status.value) for o in db.session.scalars(select(Order))),
            "redemptions": db.session.scalar(select(func.count(Redemption.id))),
            "refunds": db.session.scalar(select(func.count(Refund.id))),
            "ledger": db.session.scalar(select(func.count(LedgerEntry.id))),
            "reviews": sorted(
                (r.id, r.status.value, r.text, r.reply_text or "")
                for r in db.session.scalars(select(Review))
            ),
            "staff": sorted(
                (s.shop_id, s.user_id, s.role.value) for s in db.session.scalars(select(ShopStaff))
            ),
            "invitations": sorted(
                (i.id, i.accepted_at is not None)
                for i in db.session.scalars(select(StaffInvitation))
            ),
            "roles": sorted((u.email, u.role.value) for u in db.session.scalars(select(User))),
        }


def audit_count(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == action)
        )


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def text_of(response) -> str:
    return response.get_data(as_text=True)


def without_tokens(page: str, *secrets: str) -> str:
    """A page with its CSRF token and the given strings blanked, to compare two answers."""
    page = re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", page)
    for secret in secrets:
        page = page.replace(secret, "<>")
    return page


def assert_escaped(page: str, where: str = "") -> None:
    assert "<script>alert" not in page, f"unescaped script {where}"
    assert ESCAPED in page, f"the escaped text is missing {where}"
