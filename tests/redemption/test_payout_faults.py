"""Payouts under faults: a transfer whose answer was lost, keys Stripe has forgotten, two
runs at once. The shop is paid exactly what its ledger says, once."""

import threading

import requests
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditEntry, Payout, PayoutStatus

from ..conftest import STRIPE_SECRET_KEY
from ..faults import request_to
from ..payments.helpers import stripe_get
from .conftest import assert_ledger_matches_vouchers, buy, confirm
from .test_settlement import age_redemptions, balances, connect, run_payouts

TRANSFERS = request_to("/v1/transfers")
NET = 29900 - 2392  # the oil change less 8% commission


def paid_at_stripe(base, account) -> list[dict]:
    return stripe_get(base, "/v1/transfers", destination=account)["data"]


def one_payable_service(app, buyer, tech_a, world, localstripe) -> str:
    (code,) = buy(app, buyer, localstripe, world.listings["oil_a"])
    confirm(tech_a, code)
    account = connect(app, world.a)
    age_redemptions(app)
    return account


def test_a_transfer_whose_answer_was_lost_is_found_the_next_day_not_sent_again(
    app, buyer, tech_a, world, localstripe, stripe_proxy
):
    account = one_payable_service(app, buyer, tech_a, world, localstripe)
    stripe_proxy.drop_answer(TRANSFERS)
    assert "failed (retried next run) 1" in run_payouts(app)
    assert sum(t["amount"] for t in paid_at_stripe(localstripe, account)) == NET, "it was made"
    assert balances(app, world.a).processing_fen == NET
    # a day later Stripe no longer knows the idempotency key
    forgotten = requests.post(
        f"{localstripe}/_local/forget-idempotency-keys", auth=(STRIPE_SECRET_KEY, ""), timeout=10
    )
    assert forgotten.json()["forgotten"] >= 1
    assert f"paid 1 payouts, {NET} fen" in run_payouts(app)
    transfers = paid_at_stripe(localstripe, account)
    assert len(transfers) == 1 and transfers[0]["amount"] == NET
    after = balances(app, world.a)
    assert (after.processing_fen, after.paid_fen) == (0, NET)
    with app.app_context():
        payout = db.session.scalar(select(Payout))
        assert payout.status is PayoutStatus.PAID
        assert payout.transfers[0].stripe_transfer_id == transfers[0]["id"]
    assert_ledger_matches_vouchers(app)


def test_two_payout_runs_at_once_pay_once_and_report_once(
    app, buyer, tech_a, world, localstripe, stripe_proxy
):
    account = one_payable_service(app, buyer, tech_a, world, localstripe)
    slow = stripe_proxy.hold(TRANSFERS)
    first: list[str] = []
    running = threading.Thread(target=lambda: first.append(run_payouts(app)))
    running.start()
    assert slow.reached.wait(10), "the first run reached Stripe"
    second = run_payouts(app)  # while the first waits for Stripe's answer
    slow.released.set()
    running.join(20)
    assert "another payouts run is under way" in second
    assert f"paid 1 payouts, {NET} fen" in first[0]
    assert "paid 0 payouts" in run_payouts(app), "and the lock was released"
    assert [t["amount"] for t in paid_at_stripe(localstripe, account)] == [NET]
    with app.app_context():
        audited = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "payout.paid")
        )
        assert audited == 1
    assert balances(app, world.a).paid_fen == NET
    assert_ledger_matches_vouchers(app)
