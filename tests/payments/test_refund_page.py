"""No refund by a slip of the thumb: the refund asks why and for a confirmation, on its own
page, away from the QR code the owner shows at the counter."""

import re

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Refund, VoucherStatus

from .helpers import order_state
from .test_refunds import paid_order


def test_the_order_page_has_no_refund_button_beside_the_code(app, buyer, shops, localstripe):
    number = paid_order(app, buyer, localstripe, shops["listings"]["oil_a"])
    page = buyer.get(f"/account/orders/{number}").get_data(as_text=True)
    assert not re.search(r'<form[^>]*action="/account/vouchers/\d+/refund"', page)
    qr_block = re.search(r'<div class="qr-block">(.*?)data-fullscreen', page, re.S)
    assert qr_block and "refund" not in qr_block.group(1)
    assert "data-refund-link" in page and "data-fullscreen" in page
    _, (voucher,), _ = order_state(app, number)
    full = buyer.get(f"/account/vouchers/{voucher.id}/code").get_data(as_text=True)
    assert "<svg" in full and voucher.display_code in full


def test_a_refund_needs_a_reason_and_a_confirmation(app, buyer, shops, localstripe):
    number = paid_order(app, buyer, localstripe, shops["listings"]["oil_a"])
    _, (voucher,), _ = order_state(app, number)
    url = f"/account/vouchers/{voucher.id}/refund"
    form = buyer.get(url).get_data(as_text=True)
    assert "为什么要退款" in form and 'name="confirm"' in form
    for data, expected in (
        ({}, "请选择退款原因"),
        ({"reason": "changed_mind"}, "请勾选以确认退款"),
        ({"reason": "no_such_reason", "confirm": "y"}, 'class="errors"'),
        ({"reason": "other", "confirm": "y", "text": "长" * 201}, "最多 200 个字符"),
    ):
        response = buyer.post(url, data=data)
        assert response.status_code == 400, data
        assert expected in response.get_data(as_text=True), data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Refund)) == 0
    done = buyer.post(
        url,
        data={"reason": "bought_by_mistake", "text": "选错了门店", "confirm": "y"},
        follow_redirects=True,
    )
    text = done.get_data(as_text=True)
    assert "买错了" in text and "选错了门店" in text
    order, (after,), _ = order_state(app, number)
    assert after.status is VoucherStatus.REFUNDED and order.refunded_fen == voucher.price_fen
    with app.app_context():
        refund = db.session.scalar(select(Refund))
        assert (refund.owner_reason, refund.note) == ("bought_by_mistake", "选错了门店")


def test_another_owners_voucher_has_no_refund_or_code_page(
    app, buyer, shops, localstripe, make_user
):
    number = paid_order(app, buyer, localstripe, shops["listings"]["oil_a"])
    _, (voucher,), _ = order_state(app, number)
    make_user("someone@example.com")
    other = app.test_client()
    other.login("someone@example.com")
    assert other.get(f"/account/vouchers/{voucher.id}/refund").status_code == 404
    assert other.get(f"/account/vouchers/{voucher.id}/code").status_code == 404
