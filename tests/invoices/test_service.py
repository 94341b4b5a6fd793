"""Asking for invoices, changing them, and the shops issuing them (the service, no pages)."""

from datetime import timedelta

import pytest
from flask_babel import force_locale

from marketplace.extensions import db
from marketplace.models import (
    InvoiceRequest,
    InvoiceStatus,
    InvoiceTitleKind,
    NotificationKind,
    OrderStatus,
)
from marketplace.models.types import utcnow
from marketplace.notification_text import describe
from marketplace.services import invoices as service
from marketplace.services.invoices import InvoiceError

from .conftest import OTHER_OWNER, OWNER
from .helpers import (
    VALID_USCC,
    VALID_USCC_2,
    event_kinds,
    invoice_count,
    invoices,
    notifications,
    order_of,
    paid_order,
    refund_vouchers,
    user,
)

PERSONAL = dict(title_kind="personal", title="王小明", tax_id="", email="")
COMPANY = dict(
    title_kind="company", title="北京某某科技有限公司", tax_id=VALID_USCC, email="fp@example.com"
)


def request(app, number, as_user=OWNER, **fields):
    """Ask for (or change) the invoice as `as_user`; committed like a request would."""
    with app.app_context():
        with db.session.begin_nested():
            rows = service.request_invoice(
                user(as_user), order_of(number), now=utcnow(), **{**PERSONAL, **fields}
            )
        db.session.commit()
        return [(row.shop_id, row.amount_fen) for row in rows]


def refused(app, number, code, as_user=OWNER, **fields):
    before = [(i.id, i.title, i.tax_id, i.updated_at) for i in invoices(app)]
    with app.app_context(), pytest.raises(InvoiceError) as caught, db.session.begin_nested():
        service.request_invoice(
            user(as_user), order_of(number), now=utcnow(), **{**PERSONAL, **fields}
        )
    assert caught.value.code == code
    assert [(i.id, i.title, i.tax_id, i.updated_at) for i in invoices(app)] == before
    return caught.value


def issue(app, invoice_id, number="12345678", as_user="manager-a@example.com"):
    with app.app_context():
        invoice = db.session.get(InvoiceRequest, invoice_id)
        with db.session.begin_nested():
            service.issue_invoice(user(as_user), invoice, number=number, now=utcnow())
        db.session.commit()


@pytest.fixture
def two_shops(app, owners):
    """OWNER's paid order: 小保养 ×1 and 洗车 ×2 from shop a, 小保养 ×1 from shop b."""
    listings = owners["listings"]
    return paid_order(
        app, OWNER, [(listings["oil_a"], 1), (listings["wash_a"], 2), (listings["oil_b"], 1)]
    )


def test_one_request_per_shop_with_what_it_was_paid(app, owners, two_shops):
    made = request(app, two_shops)
    assert made == [(owners["a"], 29900 + 2 * 3900), (owners["b"], 25900)]
    rows = invoices(app, two_shops)
    assert {r.status for r in rows} == {InvoiceStatus.REQUESTED}
    assert {(r.title_kind, r.title, r.tax_id, r.email) for r in rows} == {
        (InvoiceTitleKind.PERSONAL, "王小明", None, None)
    }
    assert event_kinds(app, two_shops) == ["invoice_requested"]


def test_a_personal_title_carries_no_tax_id(app, owners, two_shops):
    request(app, two_shops, tax_id=VALID_USCC, title="  王  小明 ")
    assert {(r.title, r.tax_id) for r in invoices(app)} == {("王 小明", None)}


def test_refunded_vouchers_are_not_invoiced(app, owners, two_shops):
    refund_vouchers(app, two_shops, owners["listings"]["wash_a"])
    refund_vouchers(app, two_shops, owners["listings"]["oil_b"])
    assert request(app, two_shops) == [(owners["a"], 29900 + 3900)], "shop b has nothing left"


def test_nothing_left_to_invoice_is_refused(app, owners):
    number = paid_order(app, OWNER, [(owners["listings"]["wash_a"], 1)])
    refund_vouchers(app, number, owners["listings"]["wash_a"])
    refused(app, number, "nothing_to_invoice")
    assert invoice_count(app) == 0


@pytest.mark.parametrize(
    "status", [OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED, OrderStatus.CANCELLED]
)
def test_an_unpaid_order_is_refused(app, owners, status):
    number = paid_order(app, OWNER, [(owners["listings"]["oil_a"], 1)], status=status)
    refused(app, number, "not_paid")
    assert invoice_count(app) == 0


def test_a_completed_order_can_be_invoiced(app, owners):
    number = paid_order(
        app, OWNER, [(owners["listings"]["oil_a"], 1)], status=OrderStatus.COMPLETED
    )
    assert request(app, number) == [(owners["a"], 29900)]


def test_another_owners_order_is_not_found(app, owners, two_shops):
    refused(app, two_shops, "not_found", as_user=OTHER_OWNER)
    assert invoice_count(app) == 0


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"title_kind": "company", "tax_id": ""}, "tax_id_required", "tax_id"),
        ({"title_kind": "company", "tax_id": "91110108770012340H"}, "bad_tax_id", "tax_id"),
        ({"title_kind": "company", "tax_id": "91110108770012340"}, "bad_tax_id", "tax_id"),
        ({"title_kind": "company", "tax_id": "91110108770O12340G"}, "bad_tax_id", "tax_id"),
        ({"title_kind": "government"}, "bad_title_kind", "title_kind"),
        ({"title": "   "}, "title_required", "title"),
        ({"title": "长" * 101}, "title_too_long", "title"),
        ({"email": "not-an-email"}, "bad_email", "email"),
        ({"email": "a@" + "b" * 250 + ".cn"}, "email_too_long", "email"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(app, owners, two_shops, fields, code, field):
    error = refused(app, two_shops, code, **fields)
    assert error.field == field
    assert invoice_count(app) == 0 and event_kinds(app, two_shops) == []


def test_a_company_title_keeps_its_normalised_tax_id(app, owners, two_shops):
    request(app, two_shops, **{**COMPANY, "tax_id": " 9111 0108 7700 1234 0g "})
    assert {(r.title_kind, r.tax_id, r.email) for r in invoices(app)} == {
        (InvoiceTitleKind.COMPANY, VALID_USCC, "fp@example.com")
    }


def test_the_request_can_change_until_a_shop_issues(app, owners, two_shops):
    request(app, two_shops)
    first = invoices(app)
    request(app, two_shops, **COMPANY)
    changed = invoices(app)
    assert [r.id for r in changed] == [r.id for r in first], "the same rows, updated"
    assert {(r.title, r.tax_id) for r in changed} == {("北京某某科技有限公司", VALID_USCC)}
    assert event_kinds(app, two_shops) == ["invoice_requested", "invoice_request_changed"]

    shop_a = next(r for r in changed if r.shop_id == owners["a"])
    issue(app, shop_a.id)
    refused(app, two_shops, "locked", title="另一家公司", tax_id=VALID_USCC_2)
    after = {r.shop_id: r for r in invoices(app)}
    assert after[owners["b"]].title == "北京某某科技有限公司", "the other shop's is kept too"
    assert after[owners["b"]].status is InvoiceStatus.REQUESTED


def test_a_change_takes_the_amounts_again(app, owners, two_shops):
    request(app, two_shops)
    refund_vouchers(app, two_shops, owners["listings"]["oil_b"])
    assert request(app, two_shops, title="王大明") == [(owners["a"], 29900 + 2 * 3900)]
    assert [r.shop_id for r in invoices(app)] == [owners["a"]]


def test_the_shop_issues_with_its_number_and_the_owner_is_told(app, owners, two_shops):
    request(app, two_shops)
    shop_a, shop_b = invoices(app)
    issue(app, shop_a.id, number=" 2544 2000 0000 1234 5678 ")  # 全电发票: 20 digits
    shop_a, shop_b = invoices(app)
    assert shop_a.status is InvoiceStatus.ISSUED
    assert shop_a.invoice_number == "25442000000012345678"
    assert shop_a.issued_at is not None and shop_a.issued_by_id is not None
    assert shop_b.status is InvoiceStatus.REQUESTED and shop_b.invoice_number is None
    assert event_kinds(app, two_shops) == ["invoice_requested", "invoice_issued"]

    (note,) = notifications(app)
    assert note.kind == NotificationKind.INVOICE_ISSUED
    assert note.data["number"] == "25442000000012345678" and note.data["amount_fen"] == 37700
    assert note.link == f"/account/orders/{two_shops}"
    with app.app_context():
        assert note.user_id == user(OWNER).id
    with app.test_request_context():
        for locale in ("zh_CN", "en"):
            with force_locale(locale):
                text = describe(note)
                assert "25442000000012345678" in text.body and two_shops in text.body
                assert "377" in text.body and "望京店" in text.title


def test_issuing_takes_the_amount_again(app, owners, two_shops):
    request(app, two_shops)
    refund_vouchers(app, two_shops, owners["listings"]["wash_a"], 2)
    shop_a = invoices(app)[0]
    assert shop_a.amount_fen == 29900 + 2 * 3900
    issue(app, shop_a.id)
    assert invoices(app)[0].amount_fen == 29900


def test_a_shop_refunded_in_full_since_the_request_cannot_issue(app, owners, two_shops):
    request(app, two_shops)
    refund_vouchers(app, two_shops, owners["listings"]["oil_b"])
    shop_b = invoices(app)[1]
    with pytest.raises(InvoiceError) as caught:
        issue(app, shop_b.id, as_user="manager-b@example.com")
    assert caught.value.code == "shop_refunded"
    assert invoices(app)[1].status is InvoiceStatus.REQUESTED


@pytest.mark.parametrize(
    "number", ["1234567", "123456789012345678901", "1234567a", "", "１２３4567８-9", "12.345678"]
)
def test_a_bad_number_is_refused(app, owners, two_shops, number):
    request(app, two_shops)
    shop_a = invoices(app)[0]
    with pytest.raises(InvoiceError) as caught:
        issue(app, shop_a.id, number=number)
    assert (caught.value.code, caught.value.field) == ("bad_number", "number")
    after = invoices(app)[0]
    assert after.status is InvoiceStatus.REQUESTED and after.invoice_number is None
    assert notifications(app) == [] and event_kinds(app, two_shops) == ["invoice_requested"]


def test_full_width_digits_are_read(app, owners, two_shops):
    request(app, two_shops)
    issue(app, invoices(app)[0].id, number="１２３４５６７８")
    assert invoices(app)[0].invoice_number == "12345678"


def test_only_the_shops_managers_issue(app, owners, two_shops):
    request(app, two_shops)
    shop_a = invoices(app)[0]
    for outsider in ("manager-b@example.com", OWNER, "admin@example.com"):
        with pytest.raises(InvoiceError) as caught:
            issue(app, shop_a.id, as_user=outsider)
        assert caught.value.code == "not_found", outsider
    assert invoices(app)[0].status is InvoiceStatus.REQUESTED and notifications(app) == []


def test_an_invoice_is_issued_once(app, owners, two_shops):
    request(app, two_shops)
    shop_a = invoices(app)[0]
    issue(app, shop_a.id, number="11111111")
    with pytest.raises(InvoiceError) as caught:
        issue(app, shop_a.id, number="22222222")
    assert caught.value.code == "already_issued"
    assert invoices(app)[0].invoice_number == "11111111" and len(notifications(app)) == 1


def test_the_shops_list_puts_pending_first_and_pages(app, owners):
    listings = owners["listings"]
    numbers = [paid_order(app, OWNER, [(listings["wash_a"], 1)]) for _ in range(4)]
    for number in numbers:
        request(app, number)
    by_order = {r.order_id: r for r in invoices(app)}
    ids = [r.id for r in sorted(by_order.values(), key=lambda r: r.id)]
    issue(app, ids[0], number="10000001")
    issue(app, ids[2], number="10000003")
    with app.app_context():
        shop = db.session.get(InvoiceRequest, ids[0]).shop
        listed, more = service.shop_invoices(shop)
        assert [r.id for r in listed] == [ids[1], ids[3], ids[2], ids[0]] and not more
        page_one, more = service.shop_invoices(shop, page=1, per_page=3)
        page_two, last = service.shop_invoices(shop, page=2, per_page=3)
        assert [r.id for r in page_one + page_two] == [ids[1], ids[3], ids[2], ids[0]]
        assert more and not last
        pending, _ = service.shop_invoices(shop, InvoiceStatus.REQUESTED)
        assert [r.id for r in pending] == [ids[1], ids[3]]
        assert service.pending_count(shop) == 2


def test_the_order_page_offers_what_the_owner_may_do(app, owners, two_shops):
    with app.app_context():
        order = order_of(two_shops)
        assert service.owner_action(order, []) == "request"
        order.status = OrderStatus.PENDING_PAYMENT
        assert service.owner_action(order, []) is None
        assert service.refusal(order, []) == "not_paid"
        order.status = OrderStatus.REFUNDED
        assert service.refusal(order, []) == "nothing_to_invoice"
        db.session.rollback()
    request(app, two_shops)
    with app.app_context():
        order = order_of(two_shops)
        rows = service.invoices_for_order(order)
        assert service.owner_action(order, rows) == "change"
    issue(app, rows[0].id)
    with app.app_context():
        order = order_of(two_shops)
        rows = service.invoices_for_order(order)
        assert service.owner_action(order, rows) is None
        assert service.refusal(order, rows) == "locked"


def test_the_database_refuses_a_company_without_a_tax_id(app, owners, two_shops):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        order = order_of(two_shops)
        db.session.add(
            InvoiceRequest(
                order_id=order.id,
                shop_id=owners["a"],
                title_kind=InvoiceTitleKind.COMPANY,
                title="某公司",
                amount_fen=100,
                created_at=utcnow() - timedelta(minutes=1),
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
