"""Making redeemed vouchers and reviews directly in the database, without Stripe."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    AuditEntry,
    Listing,
    Order,
    OrderStatus,
    User,
    Variant,
    Voucher,
    VoucherStatus,
)
from marketplace.models.reviews import RatingSummary, Review
from marketplace.models.types import utcnow
from marketplace.services import codes, orders

from ..conftest import COROLLA_CVT

GOOD = {
    "overall": "5",
    "quality": "5",
    "price_honesty": "4",
    "no_pressure": "5",
    "on_time": "4",
    "text": "师傅很专业，换机油很快。",
}


def make_voucher(
    app,
    owner_email: str,
    listing_id: int,
    *,
    status: VoucherStatus = VoucherStatus.REDEEMED,
    redeemed_ago: timedelta | None = timedelta(days=1),
    variant_id: int | None = COROLLA_CVT,
) -> int:
    """A paid order of one unit of the listing, and its voucher in `status`; the voucher id."""
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == owner_email))
        listing = db.session.get(Listing, listing_id)
        now = utcnow()
        order = Order(
            number=orders.new_number(),
            user_id=owner.id,
            status=OrderStatus.PAID,
            currency="CNY",
            total_fen=listing.price_fen,
            pay_by=now,
            paid_at=now - timedelta(days=40),
        )
        variant = db.session.get(Variant, variant_id) if variant_id else None
        order.lines.append(orders.order_line(listing, 1, variant))
        db.session.add(order)
        db.session.flush()
        redeemed = status is VoucherStatus.REDEEMED and redeemed_ago is not None
        voucher = Voucher(
            code=codes.new_code(),
            order_id=order.id,
            order_line_id=order.lines[0].id,
            owner_id=owner.id,
            shop_id=listing.shop_id,
            listing_id=listing.id,
            price_fen=listing.price_fen,
            status=status,
            issued_at=now - timedelta(days=40),
            expires_at=now + timedelta(days=300),
            redeemed_at=now - redeemed_ago if redeemed else None,
            refunded_at=now if status is VoucherStatus.REFUNDED else None,
        )
        db.session.add(voucher)
        db.session.commit()
        return voucher.id


def review_form(**changes) -> dict:
    return {**GOOD, **changes}


def write(client, voucher_id: int, **changes):
    return client.post(f"/reviews/voucher/{voucher_id}", data=review_form(**changes))


def reviews(app) -> list[Review]:
    with app.app_context():
        found = db.session.scalars(select(Review).order_by(Review.id)).all()
        db.session.expunge_all()
        return list(found)


def review_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Review))


def summaries(app, shop_id: int, listing_id: int) -> tuple[RatingSummary, RatingSummary, Listing]:
    with app.app_context():
        shop = db.session.scalar(select(RatingSummary).where(RatingSummary.shop_id == shop_id))
        listing_summary = db.session.scalar(
            select(RatingSummary).where(RatingSummary.listing_id == listing_id)
        )
        listing = db.session.get(Listing, listing_id)
        db.session.expunge_all()
        return shop, listing_summary, listing


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def review_ids(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-review-id="(\d+)"', page)]
