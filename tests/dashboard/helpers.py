"""Dashboard helpers: orders, vouchers, redemptions, ledger entries and reviews inserted
directly at chosen local times, so every figure can be computed by hand."""

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    EntryStatus,
    LedgerEntry,
    Listing,
    Order,
    OrderStatus,
    PaymentAttempt,
    Redemption,
    Refund,
    RefundStatus,
    Review,
    ReviewStatus,
    Shop,
    User,
    Voucher,
    VoucherStatus,
)
from marketplace.services import ledger, orders
from marketplace.services import vouchers as vouchers_service

SHANGHAI = ZoneInfo("Asia/Shanghai")
TECH_A = "tech-a@example.com"
VEHICLE = "丰田 卡罗拉 2019款 1.2T S-CVT GL先锋版"


def local(*parts: int) -> datetime:
    """An aware time in the marketplace's zone (Asia/Shanghai, UTC+8)."""
    return datetime(*parts, tzinfo=SHANGHAI)


def user_id(email: str) -> int:
    return db.session.scalar(select(User.id).where(User.email == email))


@dataclass
class Made:
    order_id: int
    voucher_id: int
    redemption_id: int | None = None
    extra: dict = field(default_factory=dict)


def order(
    owner_email: str,
    listing_id: int,
    *,
    paid_at: datetime | None,
    quantity: int = 1,
    refunded_fen: int = 0,
    vehicle: str = VEHICLE,
) -> tuple[Order, list[Voucher]]:
    """A paid order of `quantity` units of the listing with its vouchers (inside an app context)."""
    owner = user_id(owner_email)
    listing = db.session.get(Listing, listing_id)
    total = listing.price_fen * quantity
    paid = paid_at is not None
    status = OrderStatus.PENDING_PAYMENT
    if paid:
        status = (
            OrderStatus.REFUNDED
            if refunded_fen == total
            else OrderStatus.PARTIALLY_REFUNDED
            if refunded_fen
            else OrderStatus.PAID
        )
    made = Order(
        number=orders.new_number(),
        user_id=owner,
        status=status,
        currency="CNY",
        total_fen=total,
        refunded_fen=refunded_fen,
        created_at=(paid_at or datetime.now(UTC)) - timedelta(minutes=5),
        pay_by=(paid_at or datetime.now(UTC)) + timedelta(minutes=30),
        paid_at=paid_at,
    )
    line = orders.order_line(listing, quantity)
    line.validity_days, line.vehicle_label = 365, vehicle
    made.lines.append(line)
    db.session.add(made)
    db.session.flush()
    vouchers = vouchers_service.issue(made, paid_at) if paid else []
    db.session.flush()
    return made, vouchers


def redeem(
    owner_email: str,
    listing_id: int,
    at: datetime,
    *,
    undone: bool = False,
    staff_email: str = TECH_A,
    vehicle: str = VEHICLE,
) -> Made:
    """One unit bought a day before `at` and redeemed at `at` (undone an hour later if asked),
    with its ledger entry; inside an app context."""
    made, (voucher,) = order(
        owner_email, listing_id, paid_at=at - timedelta(days=1), vehicle=vehicle
    )
    shop = db.session.get(Shop, voucher.shop_id)
    voucher.status = VoucherStatus.ISSUED if undone else VoucherStatus.REDEEMED
    voucher.redeemed_at = None if undone else at
    redemption = Redemption(
        voucher_id=voucher.id,
        shop_id=voucher.shop_id,
        staff_id=user_id(staff_email),
        request_id=secrets.token_hex(16),
        redeemed_at=at,
        undone_at=at + timedelta(minutes=30) if undone else None,
        undo_reason="按错了" if undone else "",
    )
    db.session.add(redemption)
    db.session.flush()
    ledger.record_service(redemption, voucher, shop, available_at=at + timedelta(hours=1))
    if undone:
        entry = db.session.scalar(
            select(LedgerEntry).where(LedgerEntry.redemption_id == redemption.id)
        )
        entry.status = EntryStatus.CANCELLED
    db.session.flush()
    return Made(made.id, voucher.id, redemption.id)


def review(
    owner_email: str,
    listing_id: int,
    at: datetime,
    stars: int,
    status: ReviewStatus = ReviewStatus.PUBLISHED,
    held: bool = False,
) -> int:
    """A review written at `at`, on a voucher of its own (not a redemption) from an order paid
    long before every period the tests look at."""
    _, (voucher,) = order(owner_email, listing_id, paid_at=local(2024, 1, 2, 9))
    voucher.status = VoucherStatus.REDEEMED
    listing = db.session.get(Listing, listing_id)
    made = Review(
        voucher_id=voucher.id,
        owner_id=voucher.owner_id,
        shop_id=listing.shop_id,
        listing_id=listing.id,
        overall=stars,
        quality=stars,
        price_honesty=stars,
        no_pressure=stars,
        on_time=stars,
        text="",
        status=status,
        hold_reasons="link" if held else "",
        service_title=listing.title,
        created_at=at,
    )
    db.session.add(made)
    db.session.flush()
    return made.id


def refund(order_id: int, amount_fen: int, at: datetime, status=RefundStatus.SUCCEEDED) -> None:
    attempt = PaymentAttempt(order_id=order_id, number=1, amount_fen=1, created_at=at)
    db.session.add(attempt)
    db.session.flush()
    db.session.add(
        Refund(
            order_id=order_id,
            attempt_id=attempt.id,
            amount_fen=amount_fen,
            status=status,
            reason="requested",
            created_at=at,
        )
    )
    db.session.flush()


OWNERS = {
    "o1@example.com": "王小明",
    "o2@example.com": "李华",
    "o3@example.com": "张三丰",
    "o4@example.com": "赵四",
    "o5@example.com": "钱五",
    "o6@example.com": "孙六",
}


def signed_in(app, email):
    client = app.test_client()
    client.login(email)
    return client
