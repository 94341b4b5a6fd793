"""Vouchers: issued on payment, refunded while unused, expired (and refunded) when unused."""

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import (
    AttemptStatus,
    Order,
    OrderStatus,
    PaymentAttempt,
    Redemption,
    Refund,
    RefundStatus,
    User,
    Voucher,
    VoucherStatus,
)
from ..models.types import utcnow
from . import audit, bookings, codes, stripe_gateway
from .errors import DomainError, error_codes
from .orders import move, record_event

REFUND_REASONS = ("requested_by_owner", "expired", "admin", "late_payment", "duplicate_payment")
OWNER_REFUND_REASONS = (
    "changed_mind",
    "plans_changed",
    "bought_by_mistake",
    "shop_problem",
    "other",
)
"""Why an owner asks for a refund (the short list the refund page offers)."""
REFUND_CLAIM_LEASE = timedelta(minutes=2)


class VoucherError(DomainError):
    """A refused refund; `code` says why."""

    Code = error_codes(
        "VoucherCode",
        "not_refundable not_paid status_issued status_redeemed status_refund_requested "
        "status_refunded status_expired",
    )


def issue(order: Order, now: datetime) -> list[Voucher]:
    """One voucher per unit, each with a fresh unique code."""
    made = []
    for line in order.lines:
        for _ in range(line.quantity):
            for _try in range(5):
                voucher = Voucher(
                    code=codes.new_code(),
                    order_id=order.id,
                    order_line_id=line.id,
                    owner_id=order.user_id,
                    shop_id=line.shop_id,
                    listing_id=line.listing_id,
                    price_fen=line.unit_price_fen,
                    issued_at=now,
                    expires_at=now + timedelta(days=line.validity_days),
                )
                try:
                    with db.session.begin_nested():
                        db.session.add(voucher)
                except IntegrityError:
                    continue
                break
            else:  # pragma: no cover - five collisions in 10^11 codes
                raise RuntimeError("could not find a free voucher code")
            made.append(voucher)
    return made


def owner_vouchers(owner: User, order: Order | None = None) -> list[Voucher]:
    """The owner's vouchers (of one order, if given), newest first, with their redemptions."""
    query = (
        select(Voucher)
        .options(
            joinedload(Voucher.line),
            joinedload(Voucher.order),
            selectinload(Voucher.redemptions),
        )
        .where(Voucher.owner_id == owner.id)
    )
    if order is not None:
        query = query.where(Voucher.order_id == order.id)
    return list(db.session.scalars(query.order_by(Voucher.issued_at.desc(), Voucher.id)))


def order_vouchers(order: Order) -> list[Voucher]:
    """An order's vouchers with their redemptions (and who made and undid them)."""
    return list(
        db.session.scalars(
            select(Voucher)
            .options(
                joinedload(Voucher.line),
                selectinload(Voucher.redemptions).options(
                    joinedload(Redemption.shop), joinedload(Redemption.undone_by)
                ),
            )
            .where(Voucher.order_id == order.id)
            .order_by(Voucher.id)
        )
    )


def owner_voucher(owner: User, voucher_id: int) -> Voucher | None:
    return db.session.scalar(
        select(Voucher).where(Voucher.id == voucher_id, Voucher.owner_id == owner.id)
    )


def refunds_by_voucher(voucher_ids: list[int]) -> dict[int, Refund]:
    if not voucher_ids:
        return {}
    return {
        r.voucher_id: r
        for r in db.session.scalars(
            select(Refund)
            .where(Refund.voucher_id.in_(voucher_ids))
            .options(joinedload(Refund.attempt))
        )
    }


def _paid_attempt(order: Order) -> PaymentAttempt:
    """The attempt whose money paid the order: refunds go back to that payment."""
    attempt = db.session.scalar(
        select(PaymentAttempt).where(
            PaymentAttempt.order_id == order.id,
            PaymentAttempt.status == AttemptStatus.SUCCEEDED,
            PaymentAttempt.fulfilled.is_(True),
        )
    )
    if attempt is None or attempt.intent_id is None:
        raise VoucherError("not_paid")
    return attempt


def _claim(voucher: Voucher, source: VoucherStatus, target: VoucherStatus) -> bool:
    result = db.session.execute(
        update(Voucher)
        .where(Voucher.id == voucher.id, Voucher.status == source)
        .values(status=target)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(voucher)
    return result.rowcount == 1


def request_refund(
    actor: User, voucher: Voucher, *, reason: str, note: str = "", owner_reason: str | None = None
) -> Refund:
    """Claim an unused voucher for refund (exactly once) and record the pending refund.

    The caller commits, then calls `execute_refund` so the claim is durable before Stripe
    is asked; a second click finds the voucher already claimed."""
    if reason not in REFUND_REASONS:
        raise ValueError(reason)
    if owner_reason is not None and owner_reason not in OWNER_REFUND_REASONS:
        raise ValueError(owner_reason)
    line = voucher.line
    if reason == "requested_by_owner" and not line.refund_any_time:
        raise VoucherError("not_refundable")
    allowed = {
        "requested_by_owner": (VoucherStatus.ISSUED,),
        "expired": (VoucherStatus.EXPIRED,),
    }.get(reason, (VoucherStatus.ISSUED, VoucherStatus.EXPIRED))
    source = voucher.status
    if source not in allowed:
        raise VoucherError(f"status_{source.value}")
    attempt = _paid_attempt(voucher.order)
    if not _claim(voucher, source, VoucherStatus.REFUND_REQUESTED):
        raise VoucherError(f"status_{voucher.status.value}")
    bookings.voucher_ended(voucher, "refunded", utcnow())
    refund = Refund(
        order_id=voucher.order_id,
        voucher_id=voucher.id,
        attempt_id=attempt.id,
        amount_fen=voucher.price_fen,
        reason=reason,
        owner_reason=owner_reason,
        note=note,
        actor_id=actor.id if actor is not None else None,
    )
    db.session.add(refund)
    db.session.flush()
    record_event(
        voucher.order,
        "refund_requested",
        actor,
        voucher=voucher,
        amount_fen=refund.amount_fen,
        reason=reason,
        note=note,
    )
    if actor is not None and actor.is_admin:
        audit.record(actor, "voucher.refund", voucher, reason=note, amount_fen=refund.amount_fen)
    db.session.flush()
    return refund


def execute_refund(refund: Refund, now: datetime) -> str:
    """Have Stripe make the refund and settle it; returns "succeeded", "failed" (Stripe
    refused or could not be reached: retried later) or "busy" (another request or job
    holds it right now).

    Only one caller at a time may ask Stripe: the refund is claimed by a conditional
    update, committed before the call. A retry first looks at Stripe for the refund an
    earlier call may have made without its answer arriving, so the money goes back once;
    the order counts it once, on the move to `succeeded`."""
    if refund.status is RefundStatus.SUCCEEDED:
        return "succeeded"
    claimed = db.session.execute(
        update(Refund)
        .where(
            Refund.id == refund.id,
            Refund.status != RefundStatus.SUCCEEDED,
            or_(Refund.claimed_at.is_(None), Refund.claimed_at < now - REFUND_CLAIM_LEASE),
        )
        .values(claimed_at=now, tries=Refund.tries + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()  # the claim is on record before Stripe is asked
    if not claimed:
        return "succeeded" if refund.status is RefundStatus.SUCCEEDED else "busy"
    order = refund.order
    try:
        made = None
        if refund.tries > 1:
            made = stripe_gateway.find_refund(refund.attempt.intent_id, str(refund.id))
        if made is None:
            made = stripe_gateway.refund(
                intent_id=refund.attempt.intent_id,
                amount_minor=refund.amount_fen,
                currency=order.currency,
                idempotency_key=refund.idempotency_key,
                metadata={"order": order.number, "refund": str(refund.id)},
            )
    except stripe_gateway.GatewayError as error:
        _release(refund, error.detail or error.message)
        record_event(order, "refund_failed", voucher=refund.voucher, message=error.message)
        db.session.flush()
        return "failed"
    if made.status not in ("succeeded", "pending"):
        _release(refund, made.status, stripe_refund_id=made.id)
        return "failed"
    _succeed(refund, made.id, now)
    return "succeeded"


def _release(refund: Refund, message: str, **values) -> None:
    db.session.execute(
        update(Refund)
        .where(Refund.id == refund.id, Refund.status != RefundStatus.SUCCEEDED)
        .values(
            status=RefundStatus.FAILED, failure_message=message[:500], claimed_at=None, **values
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(refund)


def _succeed(refund: Refund, stripe_refund_id: str, now: datetime) -> None:
    """Settle a refund Stripe made: counted on the order and the voucher exactly once."""
    moved = db.session.execute(
        update(Refund)
        .where(Refund.id == refund.id, Refund.status != RefundStatus.SUCCEEDED)
        .values(
            status=RefundStatus.SUCCEEDED,
            stripe_refund_id=stripe_refund_id,
            failure_message=None,
            claimed_at=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(refund)
    if not moved:
        return
    voucher = refund.voucher
    if voucher is not None:
        db.session.execute(
            update(Voucher)
            .where(Voucher.id == voucher.id, Voucher.status == VoucherStatus.REFUND_REQUESTED)
            .values(status=VoucherStatus.REFUNDED, refunded_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(voucher)
    _count_refund(refund.order, refund)


def _count_refund(order: Order, refund: Refund) -> None:
    data = {"amount_fen": refund.amount_fen, "refund": refund.stripe_refund_id}
    if refund.voucher_id is None:
        # a whole payment that bought nothing: a late payment on a closed order (counted,
        # so the closed order nets to zero) or a duplicate one (not part of the order)
        if refund.reason == "late_payment":
            _add_refunded(order, refund.amount_fen)
        record_event(order, f"{refund.reason}_refunded", **data)
    else:
        _add_refunded(order, refund.amount_fen)
        target = (
            OrderStatus.REFUNDED
            if order.refunded_fen >= order.total_fen
            else OrderStatus.PARTIALLY_REFUNDED
        )
        move(order, target, "refunded", voucher_id=refund.voucher_id, **data)
    db.session.flush()


def _add_refunded(order: Order, amount_fen: int) -> None:
    db.session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(refunded_fen=Order.refunded_fen + amount_fen)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(order)


def expire_due(now: datetime, batch: int = 500) -> dict[str, int]:
    """Expire unused vouchers past their date; refund those whose listing promised it, and
    retry refunds that failed before. Safe to run again."""
    expired = refunded = failed = 0
    while True:
        due = list(
            db.session.scalars(
                select(Voucher)
                .options(joinedload(Voucher.line), joinedload(Voucher.order))
                .where(Voucher.status == VoucherStatus.ISSUED, Voucher.expires_at <= now)
                .order_by(Voucher.id)
                .limit(batch)
            )
        )
        if not due:
            break
        for voucher in due:
            if not _claim(voucher, VoucherStatus.ISSUED, VoucherStatus.EXPIRED):
                continue
            record_event(voucher.order, "voucher_expired", voucher=voucher)
            bookings.voucher_ended(voucher, "expired", now)
            expired += 1
            if voucher.line.refund_on_expiry:
                request_refund(None, voucher, reason="expired")
        db.session.commit()
    retry = list(
        db.session.scalars(
            select(Refund)
            .where(Refund.status.in_([RefundStatus.PENDING, RefundStatus.FAILED]))
            .order_by(Refund.id)
        )
    )
    for refund in retry:
        outcome = execute_refund(refund, now)
        if outcome == "succeeded":
            refunded += 1
        elif outcome == "failed":
            failed += 1
        db.session.commit()
    return {"expired": expired, "refunded": refunded, "failed": failed}
