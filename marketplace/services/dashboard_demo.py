"""A year of invented visits for one demo shop, so its dashboard has something to show.

`seed demo` calls `seed_shop_history(shop, owners, staff, now)` for its first outlet. It adds
paid orders, redeemed vouchers with their redemptions and ledger entries, and published
reviews, with a fixed random seed; a shop that has any redemption is left alone."""

import random
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import (
    Listing,
    ListingStatus,
    Order,
    OrderStatus,
    Redemption,
    Review,
    ReviewStatus,
    Shop,
    User,
    VoucherStatus,
)
from . import ledger, orders, vouchers
from .reviews import refresh_ratings

VEHICLES = ("丰田 卡罗拉 2019款", "大众 朗逸 2020款", "本田 思域 2021款", "日产 轩逸 2019款")


def demo_voucher(owner, listing, car: str, paid_at, status=OrderStatus.PAID):
    """A demo order of one unit of the listing for `owner`, paid at `paid_at` (no payment
    attempt: refunding it is refused), and its voucher."""
    order = Order(
        number=orders.new_number(),
        user_id=owner.id,
        status=status,
        currency="CNY",
        total_fen=listing.price_fen,
        created_at=paid_at,
        pay_by=paid_at,
        paid_at=paid_at,
    )
    line = orders.order_line(listing, 1)
    line.vehicle_label = car
    order.lines.append(line)
    db.session.add(order)
    db.session.flush()
    (voucher,) = vouchers.issue(order, paid_at)
    return voucher


def seed_shop_history(
    shop: Shop, owners: list[User], staff: User, now: datetime, visits: int = 120
) -> int:
    """Add about `visits` redemptions spread over the last 12 months; returns how many."""
    if db.session.scalar(select(Redemption.id).where(Redemption.shop_id == shop.id).limit(1)):
        return 0
    listings = list(
        db.session.scalars(
            select(Listing).where(
                Listing.shop_id == shop.id, Listing.status == ListingStatus.ACTIVE
            )
        )
    )
    if not listings or not owners:
        return 0
    rng = random.Random(shop.id)
    made = 0
    reviewed: set[int] = set()
    for _ in range(visits):
        owner = rng.choice(owners)
        listing = rng.choice(listings)
        at = now - timedelta(days=rng.triangular(0, 365, 20), minutes=rng.randrange(600))
        paid_at = at - timedelta(days=2)
        voucher = demo_voucher(
            owner, listing, VEHICLES[owner.id % len(VEHICLES)], paid_at, OrderStatus.COMPLETED
        )
        voucher.status, voucher.redeemed_at = VoucherStatus.REDEEMED, at
        redemption = Redemption(
            voucher_id=voucher.id,
            shop_id=shop.id,
            staff_id=staff.id,
            request_id=secrets.token_hex(16),
            redeemed_at=at,
        )
        db.session.add(redemption)
        db.session.flush()
        ledger.record_service(redemption, voucher, shop, available_at=at + timedelta(hours=1))
        if rng.random() < 0.4:
            reviewed.add(listing.id)
            stars = rng.choices((5, 4, 3, 2), weights=(6, 3, 1, 0.5))[0]
            db.session.add(
                Review(
                    voucher_id=voucher.id,
                    owner_id=owner.id,
                    shop_id=shop.id,
                    listing_id=listing.id,
                    overall=stars,
                    quality=stars,
                    price_honesty=stars,
                    no_pressure=stars,
                    on_time=stars,
                    text="",
                    status=ReviewStatus.PUBLISHED,
                    service_title=listing.title,
                    created_at=at + timedelta(hours=5),
                )
            )
        made += 1
    db.session.flush()
    for listing_id in sorted(reviewed):
        refresh_ratings(shop.id, listing_id)
    return made
