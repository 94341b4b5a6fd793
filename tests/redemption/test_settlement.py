"""Settlement: ledger entries per redemption, payouts as Stripe Connect transfers."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    EntryKind,
    EntryStatus,
    LedgerEntry,
    Payout,
    PayoutStatus,
    Redemption,
    Shop,
    Voucher,
    VoucherStatus,
)
from marketplace.models.types import utcnow
from marketplace.services import ledger

from ..payments.helpers import stripe_get
from .conftest import assert_ledger_matches_vouchers, buy, confirm, signed_in, voucher


@pytest.mark.parametrize(
    ("gross", "bps", "commission"),
    [
        (29900, 800, 2392),
        (5, 800, 0),
        (7, 800, 1),
        (6, 1000, 1),
        (5, 1000, 1),
        (100, 0, 0),
        (100, 10000, 100),
        (12345, 250, 309),
    ],
)
def test_commission_is_rounded_half_up_to_the_fen(gross, bps, commission):
    assert ledger.commission_for(gross, bps) == commission
    assert 0 <= gross - ledger.commission_for(gross, bps) <= gross


def age_redemptions(app, by=timedelta(hours=1, seconds=1)):
    """Let the undo window pass for every redemption so far."""
    with app.app_context():
        for entry in db.session.scalars(select(LedgerEntry)):
            entry.available_at -= by
        for redemption in db.session.scalars(select(Redemption)):
            redemption.redeemed_at -= by
        db.session.commit()


def run_payouts(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["payouts", "run"])
    assert result.exit_code == 0, result.output
    return result.output


def connect(app, shop_id):
    admin = signed_in(app, "admin@example.com")
    assert admin.post(f"/merchant/shops/{shop_id}/payout-account").status_code == 302
    with app.app_context():
        account = db.session.get(Shop, shop_id).stripe_account_id
    assert account and account.startswith("acct_")
    return account


def balances(app, shop_id):
    with app.app_context():
        return ledger.balances(db.session.get(Shop, shop_id), utcnow())


def test_pending_then_payable_then_paid_once(app, buyer, tech_a, world, localstripe):
    oil = buy(app, buyer, localstripe, world.listings["oil_a"], 2)
    (wash,) = buy(app, buyer, localstripe, world.listings["wash_a"])
    for code in [*oil, wash]:
        confirm(tech_a, code)
    net = lambda gross: gross - ledger.commission_for(gross, 800)  # noqa: E731
    expected = 2 * net(29900) + net(3900)
    now = balances(app, world.a)
    assert (now.pending_fen, now.payable_fen, now.paid_fen) == (expected, 0, 0)
    assert "paid 0 payouts" in run_payouts(app), "nothing is payable inside the undo window"

    age_redemptions(app)
    assert balances(app, world.a).payable_fen == expected
    assert "without a payout account 1" in run_payouts(app), "no account: it accumulates"
    assert balances(app, world.a).payable_fen == expected

    account = connect(app, world.a)
    output = run_payouts(app)
    assert f"paid 1 payouts, {expected} fen" in output
    after = balances(app, world.a)
    assert (after.pending_fen, after.payable_fen, after.paid_fen) == (0, 0, expected)
    transfers = stripe_get(localstripe, "/v1/transfers", destination=account)["data"]
    assert sum(t["amount"] for t in transfers) == expected
    assert len(transfers) == 2, "one transfer per order"
    with app.app_context():
        groups = {
            v.order.transfer_group
            for v in db.session.scalars(select(Voucher).where(Voucher.code.in_([*oil, wash])))
        }
        payout = db.session.scalar(select(Payout))
        assert payout.status is PayoutStatus.PAID and payout.amount_fen == expected
        assert {t.stripe_transfer_id for t in payout.transfers} == {t["id"] for t in transfers}
    assert {t["transfer_group"] for t in transfers} == groups

    assert "paid 0 payouts" in run_payouts(app), "run twice, nobody is paid twice"
    assert len(stripe_get(localstripe, "/v1/transfers", destination=account)["data"]) == 2

    manager = signed_in(app, "manager-a@example.com")
    page = manager.get(f"/merchant/shops/{world.a}/earnings").get_data(as_text=True)
    assert payout.reference in page and transfers[0]["id"] in page
    month = utcnow().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    csv = manager.get(f"/merchant/shops/{world.a}/earnings/statement.csv?month={month}")
    rows = csv.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert len(rows) == 4 and sum(int(r.split(",")[8]) for r in rows[1:]) == expected
    assert (
        signed_in(app, "tech-a@example.com").get(f"/merchant/shops/{world.a}/earnings").status_code
        == 404
    ), "earnings are for managers"
    assert_ledger_matches_vouchers(app)


def test_undo_after_payout_is_a_reversal_netted_next_time(app, buyer, tech_a, world, localstripe):
    first, second = buy(app, buyer, localstripe, world.listings["oil_a"], 2)
    receipt = confirm(tech_a, first).headers["Location"]
    account = connect(app, world.a)
    age_redemptions(app)
    run_payouts(app)
    net = 29900 - 2392
    assert balances(app, world.a).paid_fen == net

    admin = signed_in(app, "admin@example.com")
    assert admin.post(f"{receipt}/undo", data={"reason": "未到店服务"}).status_code == 302
    assert voucher(app, first).status is VoucherStatus.ISSUED
    with app.app_context():
        kinds = [(e.kind, e.amount_fen) for e in db.session.scalars(select(LedgerEntry))]
    assert (EntryKind.REVERSAL, -net) in kinds
    assert_ledger_matches_vouchers(app)
    assert "paid 0 payouts" in run_payouts(app), "a negative balance is not paid"

    confirm(tech_a, second)
    wash = buy(app, buyer, localstripe, world.listings["oil_a"], 1)
    confirm(tech_a, wash[0])
    age_redemptions(app)
    output = run_payouts(app)
    assert f"paid 1 payouts, {net} fen" in output, output  # two services less one reversal
    transfers = stripe_get(localstripe, "/v1/transfers", destination=account)["data"]
    assert sum(t["amount"] for t in transfers) == 2 * net
    total = balances(app, world.a)
    assert total.paid_fen == 2 * net and total.payable_fen == 0
    assert_ledger_matches_vouchers(app)


def test_undo_inside_the_window_removes_the_entry(app, buyer, tech_a, world, localstripe):
    (code,) = buy(app, buyer, localstripe, world.listings["wash_a"])
    receipt = confirm(tech_a, code).headers["Location"]
    tech_a.post(f"{receipt}/undo", data={"reason": "重复核销"})
    connect(app, world.a)
    age_redemptions(app)
    assert "paid 0 payouts" in run_payouts(app)
    with app.app_context():
        (entry,) = db.session.scalars(select(LedgerEntry)).all()
        assert entry.status is EntryStatus.CANCELLED
    assert balances(app, world.a).total_fen == 0
    assert_ledger_matches_vouchers(app)


def test_a_failed_transfer_leaves_entries_unpaid_and_is_retried_with_the_same_key(
    app, buyer, tech_a, world, localstripe
):
    import requests

    from ..conftest import STRIPE_SECRET_KEY

    (code,) = buy(app, buyer, localstripe, world.listings["oil_a"])
    confirm(tech_a, code)
    connect(app, world.a)
    age_redemptions(app)
    with app.app_context():
        shop = db.session.get(Shop, world.a)
        real_account, shop.stripe_account_id = shop.stripe_account_id, "acct_missing"
        db.session.commit()
    output = run_payouts(app)
    assert "failed (retried next run) 1" in output
    with app.app_context():
        payout = db.session.scalar(select(Payout))
        assert payout.status is PayoutStatus.PROCESSING and "No such destination" in (
            payout.failure_message or ""
        )
        assert all(e.status is EntryStatus.OPEN for e in db.session.scalars(select(LedgerEntry)))
        payout.destination = real_account  # support fixes the account, the run retries
        db.session.commit()
    assert balances(app, world.a).processing_fen == 29900 - 2392
    assert "paid 1 payouts" in run_payouts(app)
    assert balances(app, world.a).paid_fen == 29900 - 2392
    transfers = requests.get(
        f"{localstripe}/v1/transfers",
        params={"destination": real_account},
        auth=(STRIPE_SECRET_KEY, ""),
        timeout=10,
    ).json()["data"]
    assert len(transfers) == 1
    assert "paid 0 payouts" in run_payouts(app)


def test_the_earnings_page_costs_the_same_queries_however_many_entries(
    app, buyer, tech_a, world, localstripe, count_queries
):
    manager = signed_in(app, "manager-a@example.com")
    url = f"/merchant/shops/{world.a}/earnings"
    (first,) = buy(app, buyer, localstripe, world.listings["wash_a"])
    confirm(tech_a, first)
    with count_queries() as few:
        assert manager.get(url).status_code == 200
    for code in buy(app, buyer, localstripe, world.listings["oil_a"], 3):
        confirm(tech_a, code)
    with count_queries() as more:
        page = manager.get(url).get_data(as_text=True)
    assert page.count("data-entry-id=") == 4
    assert len(more) == len(few)
