"""Comparing what the app recorded with what Stripe has, and repairing what is safe.

`flask --app wsgi payments reconcile` runs `reconcile`: payment attempts whose outcome is
unknown or stuck are read back (a success fulfils its order, or is refunded when the order
closed or was paid by another attempt); refunds not finished are completed (looked up at
Stripe first); recent paid orders and payouts are compared with Stripe's charges, refunds
and transfers, and every difference it cannot explain is reported for a person. A CLI
batch job: it commits per item, and running it again finds nothing more to do.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    AttemptStatus,
    Order,
    OrderStatus,
    PaymentAttempt,
    Payout,
    PayoutStatus,
    Refund,
    RefundStatus,
)
from . import payments, stripe_gateway, vouchers

CLOSED = (OrderStatus.EXPIRED, OrderStatus.CANCELLED)


@dataclass
class Report:
    checked: int = 0
    repaired: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def reconcile(now: datetime, days: int = 7) -> Report:
    report = Report()
    since = now - timedelta(days=days)
    _attempts(report, now, since)
    _refunds(report, now)
    _orders(report, since)
    _payouts(report, since)
    return report


def _attempts(report: Report, now: datetime, since: datetime) -> None:
    open_ids = db.session.scalars(
        select(PaymentAttempt.id)
        .where(
            PaymentAttempt.created_at >= since,
            PaymentAttempt.created_at <= now - payments.STUCK_AFTER,
            PaymentAttempt.status.in_(payments.OPEN),
        )
        .order_by(PaymentAttempt.id)
    ).all()
    stray_ids = db.session.scalars(  # succeeded, yet neither paid its order nor refunded
        select(PaymentAttempt.id)
        .join(Order, Order.id == PaymentAttempt.order_id)
        .where(
            PaymentAttempt.created_at >= since,
            PaymentAttempt.status == AttemptStatus.SUCCEEDED,
            PaymentAttempt.fulfilled.is_(False),
            ~select(Refund.id)
            .where(Refund.attempt_id == PaymentAttempt.id, Refund.voucher_id.is_(None))
            .exists(),
        )
        .order_by(PaymentAttempt.id)
    ).all()
    for attempt_id in [*open_ids, *stray_ids]:
        attempt = db.session.get(PaymentAttempt, attempt_id)
        order = attempt.order
        report.checked += 1
        before = (attempt.status, order.status)
        try:
            if attempt.intent_id is None:
                payments.cancel_unconfirmed(attempt)
            else:
                payments.sync_attempt(attempt, now)
        except stripe_gateway.GatewayError as error:
            db.session.rollback()
            report.problems.append(
                f"order {order.number} attempt {attempt.number}: Stripe did not answer "
                f"({error.detail or error.message}); try again later"
            )
            continue
        db.session.commit()
        after = (attempt.status, order.status)
        if after != before or attempt_id in stray_ids:
            report.repaired.append(
                f"order {order.number} attempt {attempt.number}: {before[0].value} → "
                f"{after[0].value}, order {after[1].value}"
            )


def _refunds(report: Report, now: datetime) -> None:
    unfinished = db.session.scalars(
        select(Refund.id).where(Refund.status != RefundStatus.SUCCEEDED).order_by(Refund.id)
    ).all()
    for refund_id in unfinished:
        refund = db.session.get(Refund, refund_id)
        report.checked += 1
        outcome = vouchers.execute_refund(refund, now)
        db.session.commit()
        order = refund.order.number
        if outcome == "succeeded":
            report.repaired.append(f"order {order} refund {refund.id}: completed")
        elif outcome == "failed":
            report.problems.append(
                f"order {order} refund {refund.id}: Stripe still refuses or does not answer "
                f"({refund.failure_message}); retried next run"
            )


def _orders(report: Report, since: datetime) -> None:
    """Each recent order's payments at Stripe against the app's: captured and refunded."""
    rows = db.session.execute(
        select(PaymentAttempt, Order)
        .join(Order, Order.id == PaymentAttempt.order_id)
        .where(
            PaymentAttempt.created_at >= since,
            PaymentAttempt.status == AttemptStatus.SUCCEEDED,
        )
        .order_by(PaymentAttempt.id)
    ).all()
    refunded = dict(
        db.session.execute(
            select(Refund.attempt_id, func.sum(Refund.amount_fen))
            .join(PaymentAttempt, PaymentAttempt.id == Refund.attempt_id)
            .where(
                PaymentAttempt.created_at >= since,
                PaymentAttempt.status == AttemptStatus.SUCCEEDED,
                Refund.status == RefundStatus.SUCCEEDED,
            )
            .group_by(Refund.attempt_id)
        ).all()
    )
    for attempt, order in rows:
        report.checked += 1
        try:
            intent = stripe_gateway.read_intent(attempt.intent_id)
            at_stripe = stripe_gateway.intent_refunds(attempt.intent_id)
        except stripe_gateway.GatewayError as error:
            report.problems.append(f"order {order.number}: Stripe did not answer ({error.detail})")
            continue
        refunded_here = refunded.get(attempt.id, 0)
        refunded_there = sum(amount for _, amount, status in at_stripe if status != "failed")
        if intent.status != "succeeded" or intent.amount != attempt.amount_fen:
            report.problems.append(
                f"order {order.number} attempt {attempt.number}: Stripe has {intent.status} "
                f"{intent.amount}, the app succeeded {attempt.amount_fen}"
            )
        if refunded_there != refunded_here:
            report.problems.append(
                f"order {order.number} attempt {attempt.number}: Stripe refunded "
                f"{refunded_there}, the app {refunded_here}"
            )
        if attempt.fulfilled and order.status not in CLOSED:
            kept = order.total_fen - order.refunded_fen
            if intent.amount - refunded_there != kept:
                report.problems.append(
                    f"order {order.number}: Stripe keeps {intent.amount - refunded_there}, "
                    f"the order shows {kept}"
                )


def _payouts(report: Report, since: datetime) -> None:
    """Each recent payout's transfers at Stripe against the app's."""
    recent = db.session.scalars(
        select(Payout).where(Payout.created_at >= since).order_by(Payout.id)
    ).all()
    for payout in recent:
        report.checked += 1
        if payout.status is PayoutStatus.PROCESSING:
            report.problems.append(
                f"payout {payout.reference}: still being paid out "
                f"({payout.failure_message or 'unfinished'}); `payouts run` finishes it"
            )
            continue
        for part in payout.transfers:
            try:
                found = stripe_gateway.find_transfer(
                    part.transfer_group, payout.destination, payout.reference
                )
            except stripe_gateway.GatewayError as error:
                report.problems.append(
                    f"payout {payout.reference}: Stripe did not answer ({error.detail})"
                )
                break
            if (
                found is None
                or found.id != part.stripe_transfer_id
                or found.amount != part.amount_fen
            ):
                report.problems.append(
                    f"payout {payout.reference} order {part.order.number}: the app has "
                    f"{part.stripe_transfer_id} {part.amount_fen}, Stripe "
                    f"{found.id if found else 'nothing'} {found.amount if found else 0}"
                )
