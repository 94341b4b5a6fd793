"""The whole way: paid through the local Stripe server, one voucher refunded on the refund
page, then the invoice asked for, issued, and seen by the owner."""

import re

from marketplace.models import InvoiceStatus, OrderStatus

from ..payments.helpers import REFUND_FORM, add_and_order, deliver_success, order_state, pay
from .conftest import OWNER
from .helpers import VALID_USCC, invoices


def test_an_invoice_of_a_paid_order_less_its_refund(app, client, owners, localstripe):
    client.login(OWNER)
    number = add_and_order(client, owners["listings"]["oil_a"], 2)
    pay(client, localstripe, number)
    assert deliver_success(client, localstripe, app, number).status_code == 200
    order, (first, _), _ = order_state(app, number)
    assert order.status is OrderStatus.PAID
    refunded = client.post(f"/account/vouchers/{first.id}/refund", data=REFUND_FORM)
    assert refunded.status_code == 302
    assert order_state(app, number)[0].status is OrderStatus.PARTIALLY_REFUNDED

    response = client.post(
        f"/account/orders/{number}/invoice",
        data={"title_kind": "company", "title": "某某公司", "tax_id": VALID_USCC, "email": ""},
    )
    assert response.status_code == 302
    (invoice,) = invoices(app)
    assert (invoice.shop_id, invoice.amount_fen) == (owners["a"], 29900)

    manager = app.test_client()
    manager.login("manager-a@example.com")
    issued = manager.post(f"/merchant/invoices/{invoice.id}/issue", data={"number": "00012345"})
    assert issued.status_code == 302
    assert invoices(app)[0].status is InvoiceStatus.ISSUED
    page = client.get(f"/account/orders/{number}").get_data(as_text=True)
    assert re.search(r'data-invoice-number="00012345"', page)
