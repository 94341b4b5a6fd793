"""The owner's invoice form on the order page and the shop's invoice list: CSRF on every
POST, someone else's order or invoice is a 404, bad input re-renders and changes nothing."""

import re

import pytest
from markupsafe import escape

from marketplace.models import InvoiceStatus

from .conftest import OWNER
from .helpers import (
    VALID_USCC,
    event_kinds,
    invoice_count,
    invoices,
    notifications,
    paid_order,
    refund_vouchers,
    shown,
)

COMPANY = {
    "title_kind": "company",
    "title": "北京某某科技有限公司",
    "tax_id": VALID_USCC,
    "email": "fp@example.com",
}


def text_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def order(app, owners):
    """OWNER's paid order with lines of shop a and shop b."""
    listings = owners["listings"]
    return paid_order(app, OWNER, [(listings["oil_a"], 1), (listings["oil_b"], 1)])


def test_the_owner_asks_for_an_invoice_from_the_order_page(app, owner, owners, order):
    page = text_of(owner.get(f"/account/orders/{order}"))
    link = re.search(r'<a[^>]*data-invoice-link[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', page)
    assert link and link.group(1) == f"/account/orders/{order}/invoice"
    form = owner.get(link.group(1))
    assert form.status_code == 200
    assert 'name="title_kind"' in text_of(form) and 'name="tax_id"' in text_of(form)

    done = owner.post(f"/account/orders/{order}/invoice", data=COMPANY)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/account/orders/{order}")
    page = text_of(owner.get(f"/account/orders/{order}"))
    rows = re.findall(r'data-invoice-shop="(\d+)" data-invoice-status="(\w+)"', page)
    assert rows == [(str(owners["a"]), "requested"), (str(owners["b"]), "requested")]
    assert "北京某某科技有限公司" in page and VALID_USCC in page
    assert "¥299.00" in page and "¥259.00" in page
    assert 'data-event="invoice_requested"' in page
    changed = re.search(r"<a[^>]*data-invoice-link[^>]*>([^<]+)</a>", page).group(1)
    assert changed != link.group(2), "the link now offers to change the details"

    again = text_of(owner.get(f"/account/orders/{order}/invoice"))
    assert f'value="{VALID_USCC}"' in again and 'value="北京某某科技有限公司"' in again


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"tax_id": ""}, "tax_id_required"),
        ({"tax_id": "91110108770012340H"}, "bad_tax_id"),
        ({"title": ""}, "title_required"),
        ({"email": "no-at-sign"}, "bad_email"),
        ({"title_kind": "government"}, None),
    ],
)
def test_bad_input_re_renders_the_form_and_saves_nothing(app, owner, order, changes, code):
    response = owner.post(f"/account/orders/{order}/invoice", data={**COMPANY, **changes})
    assert response.status_code == 400
    page = text_of(response)
    assert "data-invoice-form" in page and 'class="errors"' in page
    if code is not None:
        assert shown(app, code) in page
    assert invoice_count(app) == 0 and event_kinds(app, order) == []


def test_the_title_is_kept_in_length(app, owner, order):
    response = owner.post(f"/account/orders/{order}/invoice", data={**COMPANY, "title": "长" * 101})
    assert response.status_code == 400 and invoice_count(app) == 0


def test_a_personal_invoice_needs_no_tax_id(app, owner, owners, order):
    response = owner.post(
        f"/account/orders/{order}/invoice",
        data={"title_kind": "personal", "title": "王小明", "tax_id": "", "email": ""},
    )
    assert response.status_code == 302
    assert {(i.title, i.tax_id) for i in invoices(app)} == {("王小明", None)}


def test_posts_without_a_csrf_token_are_refused(app, owner, manager_a, order):
    url = f"/account/orders/{order}/invoice"
    assert owner.post(url, data=COMPANY, csrf=False).status_code == 400
    assert invoice_count(app) == 0
    assert owner.post(url, data=COMPANY).status_code == 302
    first = invoices(app)[0]
    issue = f"/merchant/invoices/{first.id}/issue"
    assert manager_a.post(issue, data={"number": "12345678"}, csrf=False).status_code == 400
    assert invoices(app)[0].status is InvoiceStatus.REQUESTED and notifications(app) == []


def test_another_owners_order_is_a_404(app, owner, other_owner, order):
    url = f"/account/orders/{order}/invoice"
    assert other_owner.get(url).status_code == 404
    assert other_owner.post(url, data=COMPANY).status_code == 404
    assert other_owner.get("/account/orders/0000000000000000/invoice").status_code == 404
    assert other_owner.get("/account/orders/not-a-number/invoice").status_code == 404
    assert invoice_count(app) == 0


def test_signed_out_visitors_are_sent_to_sign_in(app, client, order):
    response = client.get(f"/account/orders/{order}/invoice")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_an_unpaid_order_offers_no_invoice(app, owner, owners):
    from marketplace.models import OrderStatus

    number = paid_order(
        app, OWNER, [(owners["listings"]["oil_a"], 1)], status=OrderStatus.PENDING_PAYMENT
    )
    assert "data-invoice-link" not in text_of(owner.get(f"/account/orders/{number}"))
    response = owner.post(f"/account/orders/{number}/invoice", data=COMPANY)
    assert response.status_code == 302 and invoice_count(app) == 0
    page = text_of(owner.get(response.headers["Location"]))
    assert shown(app, "not_paid") in page


def test_the_shop_issues_and_the_owner_sees_the_number(app, owner, manager_a, owners, order):
    assert owner.post(f"/account/orders/{order}/invoice", data=COMPANY).status_code == 302
    index = manager_a.get("/merchant/invoices")
    assert index.status_code == 302
    assert index.headers["Location"].endswith(f"/merchant/invoices/shops/{owners['a']}")
    listing = text_of(manager_a.get(f"/merchant/invoices/shops/{owners['a']}"))
    (invoice_id,) = re.findall(r'data-invoice-id="(\d+)" data-invoice-status="requested"', listing)
    for expected in (order, "北京某某科技有限公司", VALID_USCC, "fp@example.com", "¥299.00"):
        assert expected in listing, expected
    assert f'action="/merchant/invoices/{invoice_id}/issue"' in listing
    assert 'class="table-scroll"' in listing

    bad = manager_a.post(f"/merchant/invoices/{invoice_id}/issue", data={"number": "1234"})
    assert bad.status_code == 400
    assert shown(app, "bad_number") in text_of(bad) and 'value="1234"' in text_of(bad)
    empty = manager_a.post(f"/merchant/invoices/{invoice_id}/issue", data={"number": ""})
    assert empty.status_code == 400
    assert {i.status for i in invoices(app)} == {InvoiceStatus.REQUESTED}

    done = manager_a.post(
        f"/merchant/invoices/{invoice_id}/issue", data={"number": "25442000000012345678"}
    )
    assert done.status_code == 302
    listing = text_of(manager_a.get(done.headers["Location"]))
    assert 'data-invoice-number="25442000000012345678"' in listing
    again = manager_a.post(f"/merchant/invoices/{invoice_id}/issue", data={"number": "99999999"})
    assert again.status_code == 302
    assert shown(app, "already_issued") in text_of(manager_a.get(again.headers["Location"]))

    page = text_of(owner.get(f"/account/orders/{order}"))
    assert 'data-invoice-number="25442000000012345678"' in page
    rows = re.findall(r'data-invoice-shop="(\d+)" data-invoice-status="(\w+)"', page)
    assert rows == [(str(owners["a"]), "issued"), (str(owners["b"]), "requested")]
    assert "data-invoice-link" not in page, "no change once a shop has issued"
    assert 'data-event="invoice_issued"' in page
    notes = text_of(owner.get("/account/notifications"))
    assert "25442000000012345678" in notes

    refused = owner.post(f"/account/orders/{order}/invoice", data={**COMPANY, "title": "别家"})
    assert refused.status_code == 302
    assert shown(app, "locked") in text_of(owner.get(refused.headers["Location"]))
    assert {i.title for i in invoices(app)} == {"北京某某科技有限公司"}


def test_another_shops_invoice_is_a_404(app, owner, manager_b, owners, order):
    assert owner.post(f"/account/orders/{order}/invoice", data=COMPANY).status_code == 302
    shop_a = next(i for i in invoices(app) if i.shop_id == owners["a"])
    assert manager_b.get(f"/merchant/invoices/shops/{owners['a']}").status_code == 404
    response = manager_b.post(f"/merchant/invoices/{shop_a.id}/issue", data={"number": "12345678"})
    assert response.status_code == 404
    for client, invoice_id in ((owner, shop_a.id), (manager_b, 999999)):
        response = client.post(
            f"/merchant/invoices/{invoice_id}/issue", data={"number": "12345678"}
        )
        assert response.status_code == 404
    assert {i.status for i in invoices(app)} == {InvoiceStatus.REQUESTED}
    assert notifications(app) == []
    # shop b sees its own request only
    listing = text_of(manager_b.get(f"/merchant/invoices/shops/{owners['b']}"))
    assert re.findall(r'data-invoice-id="(\d+)"', listing) == [
        str(next(i.id for i in invoices(app) if i.shop_id == owners["b"]))
    ]


def test_the_console_links_to_the_invoices(app, manager_a, owners):
    page = text_of(manager_a.get(f"/merchant/shops/{owners['a']}"))
    assert f'href="/merchant/invoices/shops/{owners["a"]}"' in page


def test_a_refunded_voucher_is_left_out_of_the_amount(app, owner, owners):
    listings = owners["listings"]
    number = paid_order(app, OWNER, [(listings["wash_a"], 3), (listings["oil_b"], 1)])
    refund_vouchers(app, number, listings["wash_a"])
    refund_vouchers(app, number, listings["oil_b"])
    assert owner.post(f"/account/orders/{number}/invoice", data=COMPANY).status_code == 302
    assert [(i.shop_id, i.amount_fen) for i in invoices(app)] == [(owners["a"], 2 * 3900)]
    page = text_of(owner.get(f"/account/orders/{number}"))
    assert "¥78.00" in page


def test_a_fully_refunded_order_has_nothing_to_invoice(app, owner, owners):
    number = paid_order(app, OWNER, [(owners["listings"]["wash_a"], 1)])
    refund_vouchers(app, number, owners["listings"]["wash_a"])
    assert "data-invoice-link" not in text_of(owner.get(f"/account/orders/{number}"))
    response = owner.post(f"/account/orders/{number}/invoice", data=COMPANY)
    assert response.status_code == 302 and invoice_count(app) == 0
    assert shown(app, "nothing_to_invoice") in text_of(owner.get(response.headers["Location"]))


def test_escaped_user_text(app, owner, manager_a, owners, order):
    script = '<script>alert("x")</script>'
    data = {"title_kind": "personal", "title": script, "tax_id": "", "email": ""}
    assert owner.post(f"/account/orders/{order}/invoice", data=data).status_code == 302
    for page in (
        text_of(owner.get(f"/account/orders/{order}")),
        text_of(manager_a.get(f"/merchant/invoices/shops/{owners['a']}")),
    ):
        assert script not in page and str(escape(script)) in page
