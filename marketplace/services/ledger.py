"""The shops' ledger: what each redemption earns a shop, and the payouts that settle it.

A redemption adds a service entry of unit price − commission. The commission is the shop's
rate in basis points of the unit price, rounded half up to the fen (so 8% of ¥0.05 is 0.4 fen
→ 0 fen, of ¥0.07 0.56 fen → 1 fen), and the shop gets the rest: the two always add up to
the price. An entry is pending until the undo window has passed and payable after it; an
undo inside the window cancels it. Undoing a redemption whose entry is already claimed by a
payout adds a negative reversal entry instead, which nets against the next payout.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    EntryKind,
    EntryStatus,
    LedgerEntry,
    Order,
    Payout,
    PayoutStatus,
    PayoutTransfer,
    Redemption,
    Shop,
    Voucher,
)
from ..models.types import utcnow
from . import audit, job_locks, stripe_gateway


def commission_for(gross_fen: int, bps: int) -> int:
    """The commission on `gross_fen` at `bps` basis points, rounded half up to the fen."""
    return (gross_fen * bps + 5000) // 10000


def record_service(redemption: Redemption, voucher: Voucher, shop: Shop, available_at) -> None:
    """What the redeeming shop earns for serving the voucher (pending until `available_at`)."""
    commission = commission_for(voucher.price_fen, shop.commission_bps)
    db.session.add(
        LedgerEntry(
            shop_id=shop.id,
            voucher_id=voucher.id,
            order_id=voucher.order_id,
            redemption_id=redemption.id,
            kind=EntryKind.SERVICE,
            gross_fen=voucher.price_fen,
            commission_bps=shop.commission_bps,
            commission_fen=commission,
            amount_fen=voucher.price_fen - commission,
            available_at=available_at,
            created_at=redemption.redeemed_at,
        )
    )
    db.session.flush()


def take_back(redemption: Redemption, now: datetime) -> str:
    """Undo the earnings of an undone redemption: cancel its entry while no payout has claimed
    it, otherwise add a negative reversal. Returns "cancelled" or "reversed"."""
    cancelled = db.session.execute(
        update(LedgerEntry)
        .where(
            LedgerEntry.redemption_id == redemption.id,
            LedgerEntry.kind == EntryKind.SERVICE,
            LedgerEntry.status == EntryStatus.OPEN,
            LedgerEntry.payout_id.is_(None),
        )
        .values(status=EntryStatus.CANCELLED, settled_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if cancelled:
        return "cancelled"
    entry = db.session.scalars(
        select(LedgerEntry).where(
            LedgerEntry.redemption_id == redemption.id, LedgerEntry.kind == EntryKind.SERVICE
        )
    ).one()
    db.session.add(
        LedgerEntry(
            shop_id=entry.shop_id,
            voucher_id=entry.voucher_id,
            order_id=entry.order_id,
            redemption_id=redemption.id,
            kind=EntryKind.REVERSAL,
            gross_fen=-entry.gross_fen,
            commission_bps=entry.commission_bps,
            commission_fen=-entry.commission_fen,
            amount_fen=-entry.amount_fen,
            available_at=now,
            created_at=now,
        )
    )
    db.session.flush()
    return "reversed"


@dataclass(frozen=True)
class Balances:
    pending_fen: int
    payable_fen: int
    processing_fen: int
    paid_fen: int

    @property
    def total_fen(self) -> int:
        return self.pending_fen + self.payable_fen + self.processing_fen + self.paid_fen


def balances(shop: Shop, now: datetime) -> Balances:
    """The shop's entries summed by where they stand (cancelled ones count nowhere)."""
    e = LedgerEntry
    open_free = (e.status == EntryStatus.OPEN) & e.payout_id.is_(None)

    def total(condition):
        return func.coalesce(func.sum(case((condition, e.amount_fen), else_=0)), 0)

    row = db.session.execute(
        select(
            total(open_free & (e.available_at > now)),
            total(open_free & (e.available_at <= now)),
            total((e.status == EntryStatus.OPEN) & e.payout_id.is_not(None)),
            total(e.status == EntryStatus.PAID),
        ).where(e.shop_id == shop.id)
    ).one()
    return Balances(*(int(v) for v in row))


def entries(
    shop: Shop,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int | None = None,
) -> list[LedgerEntry]:
    """The shop's entries, newest first, optionally those created in [start, end), with what
    the pages and statements show of them loaded in the same query."""
    query = (
        select(LedgerEntry)
        .options(
            joinedload(LedgerEntry.voucher).joinedload(Voucher.line),
            joinedload(LedgerEntry.order),
        )
        .where(LedgerEntry.shop_id == shop.id)
    )
    if start is not None:
        query = query.where(LedgerEntry.created_at >= start)
    if end is not None:
        query = query.where(LedgerEntry.created_at < end)
    query = query.order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def entry_count(shop: Shop) -> int:
    return db.session.scalar(
        select(func.count(LedgerEntry.id)).where(LedgerEntry.shop_id == shop.id)
    )


def statement_months(shop: Shop, zone, today) -> list[str]:
    """ "YYYY-MM" of every month from the shop's first entry to `today`, newest first."""
    first = db.session.scalar(
        select(func.min(LedgerEntry.created_at)).where(LedgerEntry.shop_id == shop.id)
    )
    if first is None:
        return []
    year, month = first.astimezone(zone).year, first.astimezone(zone).month
    months = []
    while (year, month) <= (today.year, today.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months[::-1]


def payouts(shop: Shop) -> list[Payout]:
    return list(
        db.session.scalars(
            select(Payout).where(Payout.shop_id == shop.id).order_by(Payout.id.desc())
        )
    )


def connect_account(admin, shop: Shop, country: str) -> str:
    """Give the shop a Stripe Connect account for its payouts (once)."""
    if shop.stripe_account_id:
        return shop.stripe_account_id
    shop.stripe_account_id = stripe_gateway.create_connected_account(
        email=shop.chain.admin.email, name=shop.display_name, country=country, shop_id=shop.id
    )
    audit.record(admin, "shop.payout_account", shop, account=shop.stripe_account_id)
    db.session.flush()
    return shop.stripe_account_id


# --- payouts -------------------------------------------------------------------------------


def _claim(shop: Shop, currency: str, now: datetime) -> Payout | None:
    """Claim the shop's payable entries for a new payout, if they add up to more than zero.

    The entries are locked (PostgreSQL) and claimed with a conditional update, so an undo
    running at the same time either cancels an entry before the claim or finds it claimed
    and reverses it."""
    e = LedgerEntry
    payable = (
        select(e)
        .where(
            e.shop_id == shop.id,
            e.status == EntryStatus.OPEN,
            e.payout_id.is_(None),
            e.available_at <= now,
        )
        .order_by(e.id)
        .with_for_update()
    )
    rows = list(db.session.scalars(payable))
    amount = sum(entry.amount_fen for entry in rows)
    if not rows or amount <= 0:
        return None
    payout = Payout(
        shop_id=shop.id,
        amount_fen=amount,
        currency=currency,
        destination=shop.stripe_account_id,
        created_at=now,
    )
    db.session.add(payout)
    db.session.flush()
    ids = [entry.id for entry in rows]
    claimed = db.session.execute(
        update(e)
        .where(e.id.in_(ids), e.status == EntryStatus.OPEN, e.payout_id.is_(None))
        .values(payout_id=payout.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != len(ids):
        raise _Contended()
    by_order: dict[int, int] = defaultdict(int)
    for entry in rows:
        by_order[entry.order_id] += entry.amount_fen
    for order_id, amount_fen in _net_by_order(by_order):
        order = db.session.get(Order, order_id)
        db.session.add(
            PayoutTransfer(
                payout_id=payout.id,
                order_id=order_id,
                amount_fen=amount_fen,
                transfer_group=order.transfer_group,
                created_at=now,
            )
        )
    db.session.flush()
    return payout


class _Contended(RuntimeError):
    """Entries changed between reading and claiming them: try this shop again next run."""


def _net_by_order(by_order: dict[int, int]) -> list[tuple[int, int]]:
    """One transfer per order with a positive amount; negative amounts (reversals of earlier
    payouts) are taken off the largest transfers first, so the transfers sum to the payout."""
    owed = sorted(((a, o) for o, a in by_order.items() if a > 0), reverse=True)
    deduct = -sum(a for a in by_order.values() if a < 0)
    result = []
    for amount, order_id in owed:
        take = min(amount, deduct)
        deduct -= take
        if amount - take > 0:
            result.append((order_id, amount - take))
    return sorted(result)


def _settle(payout: Payout, now: datetime) -> bool:
    """Make the payout's missing transfers (same idempotency keys on every try); once all
    exist, the payout and its entries are paid. A transfer asked for before whose answer
    never came is looked up at Stripe first: Stripe forgets idempotency keys after a day,
    so sending it again could pay the shop twice. Returns whether this call paid it."""
    for part in payout.transfers:
        if part.stripe_transfer_id:
            continue
        made = None
        if part.sent_at is not None:
            made = stripe_gateway.find_transfer(
                part.transfer_group, payout.destination, payout.reference
            )
        if made is None:
            part.sent_at = part.sent_at or now
            db.session.commit()  # on record before Stripe is asked
            made = stripe_gateway.transfer(
                amount_minor=part.amount_fen,
                currency=payout.currency,
                destination=payout.destination,
                transfer_group=part.transfer_group,
                idempotency_key=part.idempotency_key,
                metadata={"payout": payout.reference, "order": part.order.number},
            )
        part.stripe_transfer_id = made.id
        db.session.commit()  # a transfer made is recorded before the next is asked for
    paid = db.session.execute(
        update(Payout)
        .where(Payout.id == payout.id, Payout.status == PayoutStatus.PROCESSING)
        .values(status=PayoutStatus.PAID, paid_at=now, failure_message=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(payout)
    if not paid:
        return False
    db.session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.payout_id == payout.id, LedgerEntry.status == EntryStatus.OPEN)
        .values(status=EntryStatus.PAID, settled_at=now)
        .execution_options(synchronize_session=False)
    )
    audit.record(None, "payout.paid", payout, shop_id=payout.shop_id, amount_fen=payout.amount_fen)
    db.session.flush()
    return True


PAYOUTS_LEASE = timedelta(minutes=30)


def run_payouts(now: datetime, currency: str) -> dict[str, int]:
    """Pay every shop its payable balance, one run at a time (a lease in the database:
    a second run while one is under way does nothing and says so). Safe to run again (and
    after a crash): payouts left processing are finished, looking up at Stripe what an
    earlier run may have sent, so nobody is paid twice."""
    holder = job_locks.holder_name()
    if not job_locks.acquire("payouts", holder, now, PAYOUTS_LEASE):
        return {"locked": 1}
    try:
        return _run_payouts(now, currency, holder)
    finally:
        db.session.rollback()
        job_locks.release("payouts", holder)


def _run_payouts(now: datetime, currency: str, holder: str) -> dict[str, int]:
    result = {"paid": 0, "amount_fen": 0, "failed": 0, "no_account": 0, "nothing_due": 0}
    unfinished = db.session.scalars(
        select(Payout.id).where(Payout.status == PayoutStatus.PROCESSING).order_by(Payout.id)
    ).all()
    due_shops = db.session.scalars(
        select(LedgerEntry.shop_id)
        .where(
            LedgerEntry.status == EntryStatus.OPEN,
            LedgerEntry.payout_id.is_(None),
            LedgerEntry.available_at <= now,
        )
        .distinct()
        .order_by(LedgerEntry.shop_id)
    ).all()
    db.session.commit()
    payout_ids = list(unfinished)
    for shop_id in due_shops:
        shop = db.session.get(Shop, shop_id)
        if not shop.stripe_account_id:
            result["no_account"] += 1
            continue
        try:
            payout = _claim(shop, currency, now)
        except _Contended:
            db.session.rollback()
            result["failed"] += 1
            continue
        if payout is None:
            db.session.rollback()
            result["nothing_due"] += 1
            continue
        db.session.commit()
        payout_ids.append(payout.id)
    for payout_id in payout_ids:
        if not job_locks.renew("payouts", holder, utcnow(), PAYOUTS_LEASE):
            break  # the lease ran out and another run took over: it finishes the rest
        payout = db.session.get(Payout, payout_id)
        try:
            settled = _settle(payout, now)
        except stripe_gateway.GatewayError as error:
            db.session.rollback()
            payout = db.session.get(Payout, payout_id)
            payout.failure_message = (error.detail or error.message)[:500]
            db.session.commit()
            result["failed"] += 1
            continue
        db.session.commit()
        if settled:
            result["paid"] += 1
            result["amount_fen"] += payout.amount_fen
    return result
