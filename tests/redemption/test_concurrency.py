"""Races on PostgreSQL: one redemption per code, redemption vs refund, payout vs undo."""

import re

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    EntryStatus,
    LedgerEntry,
    Redemption,
    Refund,
    RefundStatus,
    Shop,
    VoucherStatus,
)
from marketplace.models.types import utcnow
from marketplace.services import ledger

from ..parallel import in_parallel, on_postgresql
from ..payments.helpers import REFUND_FORM, stripe_get
from .conftest import (
    TECH_A,
    assert_ledger_matches_vouchers,
    buy,
    confirm,
    look_up,
    signed_in,
    voucher,
)
from .test_settlement import age_redemptions, connect

pytestmark = on_postgresql


def confirmation(client, code):
    """A looked-up voucher's confirmation, ready to post (each with its own request id)."""
    page = look_up(client, code).get_data(as_text=True)
    request_id = re.search(r'name="request_id" type="hidden" value="([0-9a-f]+)"', page).group(1)
    shop = re.search(r'name="shop" type="hidden" value="(\d+)"', page).group(1)
    return lambda: client.post(
        "/merchant/redeem/confirm",
        data={"code": code, "shop": shop, "request_id": request_id, "odometer": "42000"},
    )


def test_fifty_concurrent_redemptions_of_one_code(app, buyer, world, localstripe):
    (code,) = buy(app, buyer, localstripe, world.listings["oil_a"])
    clients = [signed_in(app, TECH_A) for _ in range(50)]
    calls = [confirmation(client, code) for client in clients]
    responses = in_parallel(calls)
    receipts = [r for r in responses if "/merchant/redemptions/" in r.headers.get("Location", "")]
    assert len(receipts) == 1
    losers = [c for c, r in zip(clients, responses, strict=True) if r not in receipts]
    assert len(losers) == 49
    for client in losers[:5]:
        assert "该券已核销" in client.get("/merchant/redeem").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Redemption.id))) == 1
        assert db.session.scalar(select(func.count(LedgerEntry.id))) == 1
    assert voucher(app, code).status is VoucherStatus.REDEEMED
    assert_ledger_matches_vouchers(app)
    print(f"\n50 concurrent redemptions: {len(receipts)} succeeded, {len(losers)} already redeemed")


def test_a_redemption_racing_a_refund_has_one_winner(app, buyer, tech_a, world, localstripe):
    codes = buy(app, buyer, localstripe, world.listings["oil_a"], 6)
    outcomes = []
    for code in codes:
        redeem = confirmation(tech_a, code)
        voucher_id = voucher(app, code).id
        refund = lambda v=voucher_id: buyer.post(f"/account/vouchers/{v}/refund", data=REFUND_FORM)  # noqa: E731
        in_parallel([redeem, refund])
        final = voucher(app, code)
        with app.app_context():
            redeemed = db.session.scalar(
                select(func.count(Redemption.id)).where(Redemption.voucher_id == final.id)
            )
            refunds = db.session.scalars(select(Refund).where(Refund.voucher_id == final.id)).all()
        if final.status is VoucherStatus.REDEEMED:
            assert redeemed == 1 and refunds == []
        else:
            assert final.status is VoucherStatus.REFUNDED and redeemed == 0
            assert [r.status for r in refunds] == [RefundStatus.SUCCEEDED]
        outcomes.append(final.status.value)
    assert_ledger_matches_vouchers(app)
    # money agrees: Stripe refunded exactly the refunded vouchers
    order = voucher(app, codes[0])
    with app.app_context():
        from marketplace.models import PaymentAttempt

        intent = db.session.scalar(
            select(PaymentAttempt.intent_id).where(PaymentAttempt.order_id == order.order_id)
        )
    refunded = stripe_get(localstripe, "/v1/refunds", payment_intent=intent)["data"]
    assert sum(r["amount"] for r in refunded) == 29900 * outcomes.count("refunded")
    print(f"\nredemption vs refund, 6 races: {outcomes}")


def test_a_payout_run_racing_undos_pays_only_what_is_payable(
    app, buyer, tech_a, world, localstripe
):
    codes = buy(app, buyer, localstripe, world.listings["wash_a"], 8)
    receipts = [confirm(tech_a, code).headers["Location"] for code in codes]
    account = connect(app, world.a)
    age_redemptions(app)
    admins = [signed_in(app, "admin@example.com") for _ in range(4)]

    def pay_out():
        with app.app_context():
            return ledger.run_payouts(utcnow(), "CNY")

    undos = [
        (lambda c=c, r=r: c.post(f"{r}/undo", data={"reason": "并发撤销"}))
        for c, r in zip(admins, receipts[:4], strict=True)
    ]
    in_parallel([pay_out, *undos])
    assert_ledger_matches_vouchers(app)
    transfers = stripe_get(localstripe, "/v1/transfers", destination=account)["data"]
    with app.app_context():
        paid = db.session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount_fen), 0)).where(
                LedgerEntry.status == EntryStatus.PAID
            )
        )
        balances = ledger.balances(db.session.get(Shop, world.a), utcnow())
    assert sum(t["amount"] for t in transfers) == paid
    net = 3900 - ledger.commission_for(3900, 800)
    # whatever the interleaving: 4 services stand, the shop ends up owed exactly those
    assert balances.total_fen == 4 * net
    assert balances.paid_fen + balances.payable_fen == 4 * net
    print(f"\npayout vs 4 undos: transferred {paid} fen, payable after {balances.payable_fen} fen")
