"""Invoice requests (发票): the owner of a paid order asks for an invoice; each shop in the
order invoices its own lines, outside the platform, and records the invoice's number.

No link to the tax bureau: the platform carries the request (title, tax id, where to send
it) to the shop and the shop's answer (the number) back to the owner.

One `InvoiceRequest` per shop with something left to invoice: its lines' amounts less the
vouchers refunded (or being refunded), taken when the owner asks and again when the shop
issues. The owner may change the title while no shop has issued; after that it is fixed.
Every change locks the order row first, so an owner's change and a shop's issue, or a
refund, are never interleaved.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    InvoiceRequest,
    InvoiceStatus,
    InvoiceTitleKind,
    NotificationKind,
    Order,
    OrderStatus,
    Shop,
    User,
    Voucher,
    VoucherStatus,
)
from ..models.invoices import MAX_EMAIL, MAX_TITLE, NUMBER_MAX_DIGITS, NUMBER_MIN_DIGITS
from . import notifications
from . import shops as shop_service
from .errors import DomainError, error_codes
from .orders import record_event
from .uscc import normalise_uscc, valid_uscc

PAGE_SIZE = 20

PAID_STATUSES = (
    OrderStatus.PAID,
    OrderStatus.PARTIALLY_REFUNDED,
    OrderStatus.COMPLETED,
    OrderStatus.REFUNDED,
)
"""Orders that were paid: an invoice may be asked for (a refunded one has nothing left)."""

REFUNDED_VOUCHERS = (VoucherStatus.REFUNDED, VoucherStatus.REFUND_REQUESTED)
"""Vouchers whose money is not the shop's to invoice: refunded, or on its way back."""

NUMBER_RE = re.compile(rf"^[0-9]{{{NUMBER_MIN_DIGITS},{NUMBER_MAX_DIGITS}}}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_SPACES_RE = re.compile(r"\s+")


class InvoiceError(DomainError):
    """A refused invoice request or issue; `code` says why, `field` which input."""

    Code = error_codes(
        "InvoiceCode",
        "not_found not_paid nothing_to_invoice shop_refunded locked already_issued "
        "bad_title_kind title_required title_too_long tax_id_required bad_tax_id "
        "email_too_long bad_email bad_number",
    )


@dataclass(frozen=True)
class InvoiceTitle:
    """What goes on the invoice, checked: the tax id only for a company."""

    kind: InvoiceTitleKind
    title: str
    tax_id: str | None
    email: str | None


def check_title(title_kind, title, tax_id, email) -> InvoiceTitle:
    """The owner's input, trimmed and checked; raises InvoiceError naming the field."""
    try:
        kind = InvoiceTitleKind(title_kind)
    except ValueError:
        raise InvoiceError("bad_title_kind", "title_kind") from None
    title = " ".join((title or "").split())
    if not title:
        raise InvoiceError("title_required", "title")
    if len(title) > MAX_TITLE:
        raise InvoiceError("title_too_long", "title")
    code = None
    if kind is InvoiceTitleKind.COMPANY:
        code = normalise_uscc(tax_id)
        if not code:
            raise InvoiceError("tax_id_required", "tax_id")
        if not valid_uscc(code):
            raise InvoiceError("bad_tax_id", "tax_id")
    email = (email or "").strip() or None
    if email is not None:
        if len(email) > MAX_EMAIL:
            raise InvoiceError("email_too_long", "email")
        if not EMAIL_RE.match(email):
            raise InvoiceError("bad_email", "email")
    return InvoiceTitle(kind, title, code, email)


def normalise_number(number: str | None) -> str:
    """An invoice number as typed, without spaces (full-width digits become ASCII)."""
    return _SPACES_RE.sub("", unicodedata.normalize("NFKC", number or ""))


def _lock_order(order: Order) -> Order:
    """Serialize the order's invoice changes with each other and with its refunds
    (PostgreSQL row lock, FOR NO KEY UPDATE; SQLite locks the file)."""
    db.session.execute(select(Order.id).where(Order.id == order.id).with_for_update(key_share=True))
    db.session.refresh(order)
    return order


def shop_amounts(order: Order) -> dict[int, int]:
    """What each shop of the order has to invoice: its lines' amounts less its vouchers
    refunded or being refunded; shops with nothing left are left out."""
    amounts: dict[int, int] = defaultdict(int)
    for line in order.lines:
        amounts[line.shop_id] += line.amount_fen
    refunded = db.session.execute(
        select(Voucher.shop_id, func.sum(Voucher.price_fen))
        .where(Voucher.order_id == order.id, Voucher.status.in_(REFUNDED_VOUCHERS))
        .group_by(Voucher.shop_id)
    )
    for shop_id, fen in refunded:
        amounts[shop_id] -= fen or 0
    return {shop_id: fen for shop_id, fen in sorted(amounts.items()) if fen > 0}


def invoices_for_order(order: Order) -> list[InvoiceRequest]:
    """The order's invoice requests, one per shop, with their shops."""
    return list(
        db.session.scalars(
            select(InvoiceRequest)
            .options(joinedload(InvoiceRequest.shop).joinedload(Shop.chain))
            .where(InvoiceRequest.order_id == order.id)
            .order_by(InvoiceRequest.shop_id)
        )
    )


def refusal(order: Order, invoices: list[InvoiceRequest]) -> str | None:
    """Why the owner cannot ask for (or change) an invoice of the order now, as an
    InvoiceError code; None when they can."""
    if any(invoice.is_issued for invoice in invoices):
        return "locked"
    if order.status not in PAID_STATUSES:
        return "not_paid"
    if order.status is OrderStatus.REFUNDED:
        return "nothing_to_invoice"
    return None


def owner_action(order: Order, invoices: list[InvoiceRequest]) -> str | None:
    """What the order page offers: "request" (none yet), "change" (none issued yet) or
    None (see `refusal`)."""
    if refusal(order, invoices) is not None:
        return None
    return "change" if invoices else "request"


def request_invoice(
    owner: User,
    order: Order,
    *,
    title_kind: str,
    title: str,
    tax_id: str | None,
    email: str | None,
    now: datetime,
) -> list[InvoiceRequest]:
    """Ask every shop of the paid order for an invoice of what it was paid (one row per
    shop with something left to invoice), or change the title of a request no shop has
    issued yet. Returns the order's requests."""
    if order.user_id != owner.id:
        raise InvoiceError("not_found")
    checked = check_title(title_kind, title, tax_id, email)
    order = _lock_order(order)
    if order.status not in PAID_STATUSES:
        raise InvoiceError("not_paid")
    existing = {
        row.shop_id: row
        for row in db.session.scalars(
            select(InvoiceRequest).where(InvoiceRequest.order_id == order.id)
        )
    }
    if any(row.is_issued for row in existing.values()):
        raise InvoiceError("locked")
    amounts = shop_amounts(order)
    if not amounts:
        raise InvoiceError("nothing_to_invoice")
    for shop_id, row in existing.items():
        if shop_id not in amounts:  # refunded in full since the first request
            db.session.delete(row)
    for shop_id, amount_fen in amounts.items():
        row = existing.get(shop_id)
        if row is None:
            row = InvoiceRequest(order_id=order.id, shop_id=shop_id, created_at=now)
            db.session.add(row)
        row.title_kind = checked.kind
        row.title = checked.title
        row.tax_id = checked.tax_id
        row.email = checked.email
        row.amount_fen = amount_fen
        row.updated_at = now
    details = dict(
        shops=list(amounts),
        title_kind=checked.kind.value,
        amount_fen=sum(amounts.values()),
    )
    if existing:
        record_event(order, "invoice_request_changed", owner, **details)
    else:
        record_event(order, "invoice_requested", owner, **details)
    db.session.flush()
    return invoices_for_order(order)


def issue_invoice(
    actor: User, invoice: InvoiceRequest, *, number: str, now: datetime
) -> InvoiceRequest:
    """The shop marks its invoice issued under `number` (8 to 20 digits); the amount is
    taken again, and the owner is told. Someone who does not manage the shop gets
    "not_found", as for an invoice that does not exist."""
    if not shop_service.can_manage(actor, invoice.shop):
        raise InvoiceError("not_found")
    number = normalise_number(number)
    if not NUMBER_RE.match(number):
        raise InvoiceError("bad_number", "number")
    order = _lock_order(invoice.order)
    db.session.refresh(invoice)
    if invoice.is_issued:
        raise InvoiceError("already_issued")
    amount_fen = shop_amounts(order).get(invoice.shop_id, 0)
    if amount_fen <= 0:
        raise InvoiceError("shop_refunded")
    moved = db.session.execute(
        update(InvoiceRequest)
        .where(InvoiceRequest.id == invoice.id, InvoiceRequest.status == InvoiceStatus.REQUESTED)
        .values(
            status=InvoiceStatus.ISSUED,
            invoice_number=number,
            issued_at=now,
            issued_by_id=actor.id,
            amount_fen=amount_fen,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(invoice)
    if moved != 1:
        raise InvoiceError("already_issued")
    record_event(
        order,
        "invoice_issued",
        actor,
        shop_id=invoice.shop_id,
        invoice_number=number,
        amount_fen=amount_fen,
    )
    notifications.notify(
        order.user,
        NotificationKind.INVOICE_ISSUED,
        data={
            "order": order.number,
            "shop": invoice.shop.display_name,
            "number": number,
            "amount_fen": amount_fen,
            "currency": order.currency,
        },
        link=f"/account/orders/{order.number}",
        dedupe_key=f"invoice_issued:{invoice.id}",
        now=now,
    )
    db.session.flush()
    return invoice


def shop_invoice(user: User, invoice_id: int) -> InvoiceRequest | None:
    """An invoice request of a shop `user` manages; None both when there is none and when
    it is another shop's (the pages answer 404 alike)."""
    invoice = db.session.get(InvoiceRequest, invoice_id)
    if invoice is None or not shop_service.can_manage(user, invoice.shop):
        return None
    return invoice


def shop_invoices(
    shop: Shop,
    status: InvoiceStatus | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> tuple[list[InvoiceRequest], bool]:
    """A shop's invoice requests: those to issue first (oldest first), then those issued
    (latest first); and whether more follow."""
    query = select(InvoiceRequest).where(InvoiceRequest.shop_id == shop.id)
    if status is not None:
        query = query.where(InvoiceRequest.status == status)
    pending = InvoiceRequest.status == InvoiceStatus.REQUESTED
    page = max(page, 1)
    rows = list(
        db.session.scalars(
            query.options(joinedload(InvoiceRequest.order))
            .order_by(
                case((pending, 0), else_=1),
                case((pending, InvoiceRequest.created_at)),
                InvoiceRequest.issued_at.desc(),
                InvoiceRequest.id,
            )
            .limit(per_page + 1)
            .offset((page - 1) * per_page)
        )
    )
    return rows[:per_page], len(rows) > per_page


def pending_count(shop: Shop) -> int:
    """How many of the shop's invoice requests wait to be issued."""
    return db.session.scalar(
        select(func.count(InvoiceRequest.id)).where(
            InvoiceRequest.shop_id == shop.id, InvoiceRequest.status == InvoiceStatus.REQUESTED
        )
    )
