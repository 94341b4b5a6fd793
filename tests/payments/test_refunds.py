"""Refunds: one voucher at a time, never more than was paid, visible to the owner."""

from datetime import timedelta

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    Listing,
    OrderStatus,
    Refund,
    RefundStatus,
    Role,
    Voucher,
    VoucherStatus,
)
from marketplace.models.types import utcnow

from .helpers import REFUND_FORM, add_and_order, deliver_success, order_state, pay, stripe_get

OWNER = "buyer@example.com"


def paid_order(app, client, base, listing_id, quantity=1) -> str:
    number = add_and_order(client, listing_id, quantity)
    pay(client, base, number)
    assert deliver_success(client, base, app, number).status_code == 200
    assert order_state(app, number)[0].status is OrderStatus.PAID
    return number


def stripe_refunds(base, intent_id) -> list[dict]:
    return stripe_get(base, "/v1/refunds", payment_intent=intent_id)["data"]


def test_the_owner_refunds_vouchers_one_by_one(app, buyer, shops, localstripe):
    number = paid_order(app, buyer, localstripe, shops["listings"]["oil_a"], 2)
    _, (first, second), (attempt,) = order_state(app, number)

    page = buyer.post(
        f"/account/vouchers/{first.id}/refund", data=REFUND_FORM, follow_redirects=True
    )
    assert "已退款 ¥299.00 到您的银行卡" in page.get_data(as_text=True)
    order, vouchers, _ = order_state(app, number)
    assert order.status is OrderStatus.PARTIALLY_REFUNDED and order.refunded_fen == 29900
    assert {v.id: v.status for v in vouchers} == {
        first.id: VoucherStatus.REFUNDED,
        second.id: VoucherStatus.ISSUED,
    }
    page = buyer.get(f"/account/orders/{number}").get_data(as_text=True)
    with app.app_context():
        refund = db.session.scalar(select(Refund))
        assert refund.status is RefundStatus.SUCCEEDED and refund.amount_fen == 29900
        assert refund.stripe_refund_id in page  # the owner sees the reference
    assert [r["amount"] for r in stripe_refunds(localstripe, attempt.intent_id)] == [29900]

    again = buyer.post(
        f"/account/vouchers/{first.id}/refund", data=REFUND_FORM, follow_redirects=True
    )
    assert "已退款" in again.get_data(as_text=True)  # says it is refunded already
    buyer.post(f"/account/vouchers/{second.id}/refund", data=REFUND_FORM)
    order, vouchers, _ = order_state(app, number)
    assert order.status is OrderStatus.REFUNDED and order.refunded_fen == order.total_fen
    assert len(stripe_refunds(localstripe, attempt.intent_id)) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Refund)) == 2


def test_no_refund_for_a_no_refund_listing_or_someone_elses_voucher(
    app, buyer, shops, localstripe, make_user
):
    with app.app_context():
        db.session.get(Listing, shops["listings"]["wash_a"]).refund_any_time = False
        db.session.commit()
    number = paid_order(app, buyer, localstripe, shops["listings"]["wash_a"])
    _, (voucher,), _ = order_state(app, number)
    page = buyer.post(
        f"/account/vouchers/{voucher.id}/refund", data=REFUND_FORM, follow_redirects=True
    )
    assert "该套餐购买后不支持退款" in page.get_data(as_text=True)

    other = app.test_client()
    make_user("other@example.com")
    other.login("other@example.com")
    assert other.post(f"/account/vouchers/{voucher.id}/refund", data=REFUND_FORM).status_code == 404
    assert other.post("/account/vouchers/999999/refund", data=REFUND_FORM).status_code == 404
    _, (voucher,), _ = order_state(app, number)
    assert voucher.status is VoucherStatus.ISSUED
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Refund)) == 0


def test_a_redeemed_voucher_cannot_be_refunded(app, buyer, shops, localstripe):
    number = paid_order(app, buyer, localstripe, shops["listings"]["wash_a"])
    _, (voucher,), _ = order_state(app, number)
    with app.app_context():
        db.session.get(Voucher, voucher.id).status = VoucherStatus.REDEEMED
        db.session.commit()
    page = buyer.post(
        f"/account/vouchers/{voucher.id}/refund", data=REFUND_FORM, follow_redirects=True
    )
    assert "已使用" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Refund)) == 0


def test_a_failed_refund_is_shown_and_retried_with_the_same_key(app, buyer, shops, localstripe):
    number = paid_order(app, buyer, localstripe, shops["listings"]["wash_a"])
    _, (voucher,), (attempt,) = order_state(app, number)
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"
    app.extensions.pop("stripe_client", None)
    buyer.post(f"/account/vouchers/{voucher.id}/refund", data=REFUND_FORM)
    _, (held,), _ = order_state(app, number)
    assert held.status is VoucherStatus.REFUND_REQUESTED  # neither usable nor refunded yet
    page = buyer.get(f"/account/orders/{number}").get_data(as_text=True)
    assert 'data-refund-status="failed"' in page
    app.config["STRIPE_API_BASE"] = localstripe
    app.extensions.pop("stripe_client", None)
    buyer.post(f"/account/vouchers/{voucher.id}/refund", data=REFUND_FORM)
    _, (done,), _ = order_state(app, number)
    assert done.status is VoucherStatus.REFUNDED
    assert len(stripe_refunds(localstripe, attempt.intent_id)) == 1


def test_vouchers_expire_and_are_refunded_where_promised(app, buyer, shops, localstripe):
    with app.app_context():
        db.session.get(Listing, shops["listings"]["filter_a"]).refund_on_expiry = False
        db.session.commit()
    refunded = paid_order(app, buyer, localstripe, shops["listings"]["wash_a"])
    kept = paid_order(app, buyer, localstripe, shops["listings"]["filter_a"])
    with app.app_context():
        for voucher in db.session.scalars(select(Voucher)):
            voucher.expires_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["vouchers", "expire"])
    assert result.exit_code == 0, result.output
    assert "expired 2, refunded 1, refunds failing 0" in result.output
    assert order_state(app, refunded)[1][0].status is VoucherStatus.REFUNDED
    assert order_state(app, refunded)[0].status is OrderStatus.REFUNDED
    assert order_state(app, kept)[1][0].status is VoucherStatus.EXPIRED
    again = app.test_cli_runner().invoke(args=["vouchers", "expire"])
    assert "expired 0, refunded 0" in again.output


def test_admin_finds_an_order_and_refunds_with_a_reason(app, buyer, shops, localstripe, make_user):
    number = paid_order(app, buyer, localstripe, shops["listings"]["oil_a"])
    _, (voucher,), _ = order_state(app, number)
    admin = app.test_client()
    admin.login("admin@example.com")
    assert number in admin.get(f"/admin/orders?q={OWNER.upper()}").get_data(as_text=True)
    assert number in admin.get(f"/admin/orders?q={number[:8]} {number[8:]}").get_data(as_text=True)
    page = admin.get(f"/admin/orders/{number}").get_data(as_text=True)
    assert 'data-event="vouchers_issued"' in page
    empty = admin.post(f"/admin/vouchers/{voucher.id}/refund", data={"reason": "  "})
    assert empty.status_code == 302
    assert order_state(app, number)[1][0].status is VoucherStatus.ISSUED
    admin.post(f"/admin/vouchers/{voucher.id}/refund", data={"reason": "门店无法提供服务"})
    assert order_state(app, number)[1][0].status is VoucherStatus.REFUNDED
    assert "门店无法提供服务" in buyer.get(f"/account/orders/{number}").get_data(as_text=True)
    with app.app_context():
        from marketplace.models import AuditEntry

        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "voucher.refund"))
        assert entry.data["reason"] == "门店无法提供服务"
    assert buyer.get(f"/admin/orders/{number}").status_code == 404
    make_user("staff@example.com", role=Role.SHOP_STAFF)
    staff = app.test_client()
    staff.login("staff@example.com")
    assert (
        staff.post(f"/admin/vouchers/{voucher.id}/refund", data={"reason": "x"}).status_code == 404
    )
