"""Paid orders made directly in the database (no Stripe), and looking at what was stored."""

from datetime import timedelta

from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import func, select

from marketplace.error_messages import message_for
from marketplace.extensions import db
from marketplace.models import (
    InvoiceRequest,
    Listing,
    Notification,
    Order,
    OrderEvent,
    OrderStatus,
    User,
    Voucher,
    VoucherStatus,
)
from marketplace.models.types import utcnow
from marketplace.services import orders, vouchers
from marketplace.services.invoices import InvoiceError

VALID_USCC = "91110108770012340G"
VALID_USCC_2 = "91320594MA1M00015Y"


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def paid_order(app, owner_email: str, lines, status: OrderStatus = OrderStatus.PAID) -> str:
    """An order of (listing id, quantity) lines, paid, with one voucher per unit; its number."""
    with app.app_context():
        owner = user(owner_email)
        now = utcnow()
        order = Order(
            number=orders.new_number(),
            user_id=owner.id,
            status=status,
            currency="CNY",
            total_fen=0,
            pay_by=now + timedelta(minutes=30),
            paid_at=None if status is OrderStatus.PENDING_PAYMENT else now,
            created_at=now,
        )
        for listing_id, quantity in lines:
            order.lines.append(orders.order_line(db.session.get(Listing, listing_id), quantity))
        order.total_fen = sum(line.amount_fen for line in order.lines)
        db.session.add(order)
        db.session.flush()
        if status is not OrderStatus.PENDING_PAYMENT:
            vouchers.issue(order, now)
        db.session.commit()
        return order.number


def refund_vouchers(app, number: str, listing_id: int, count: int = 1) -> None:
    """Mark `count` of the order's vouchers of the listing refunded, as a refund would."""
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        found = db.session.scalars(
            select(Voucher)
            .where(
                Voucher.order_id == order.id,
                Voucher.listing_id == listing_id,
                Voucher.status == VoucherStatus.ISSUED,
            )
            .order_by(Voucher.id)
            .limit(count)
        ).all()
        assert len(found) == count
        for voucher in found:
            voucher.status = VoucherStatus.REFUNDED
            voucher.refunded_at = utcnow()
            order.refunded_fen += voucher.price_fen
        order.status = (
            OrderStatus.REFUNDED
            if order.refunded_fen >= order.total_fen
            else OrderStatus.PARTIALLY_REFUNDED
        )
        db.session.commit()


def order_of(number: str) -> Order:
    return db.session.scalar(select(Order).where(Order.number == number))


def invoices(app, number: str | None = None) -> list[InvoiceRequest]:
    with app.app_context():
        query = select(InvoiceRequest).order_by(InvoiceRequest.shop_id)
        if number is not None:
            query = query.join(Order, Order.id == InvoiceRequest.order_id).where(
                Order.number == number
            )
        found = db.session.scalars(query).all()
        db.session.expunge_all()
        return list(found)


def invoice_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(InvoiceRequest))


def event_kinds(app, number: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(OrderEvent.kind)
                .join(Order, Order.id == OrderEvent.order_id)
                .where(Order.number == number, OrderEvent.kind.like("invoice%"))
                .order_by(OrderEvent.id)
            )
        )


def notifications(app) -> list[Notification]:
    with app.app_context():
        found = db.session.scalars(select(Notification).order_by(Notification.id)).all()
        db.session.expunge_all()
        return list(found)


def shown(app, code: str, locale: str = "zh_CN") -> str:
    """The refusal's message as a page shows it (escaped), in the page's language."""
    with app.test_request_context(), force_locale(locale):
        return str(escape(message_for(InvoiceError, code)))
