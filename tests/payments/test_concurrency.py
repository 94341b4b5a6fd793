"""Parallel requests on PostgreSQL: no oversold stock, one fulfilment, one refund."""

import re

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    CartLine,
    Listing,
    Order,
    OrderStatus,
    Refund,
    StripeEvent,
    User,
    Voucher,
)

from ..conftest import PASSWORD
from ..parallel import in_parallel, on_postgresql
from .helpers import (
    REFUND_FORM,
    add_and_order,
    deliver,
    events_for,
    order_state,
    pay,
    stock,
    stripe_get,
)

pytestmark = on_postgresql


def test_the_last_unit_is_sold_once(app, make_user, shops):
    listing = shops["listings"]["wash_a"]
    buyers = []
    for n in range(6):
        email = f"racer{n}@example.com"
        make_user(email)
        client = app.test_client()
        client.login(email, PASSWORD)
        assert (
            client.post("/cart/add", data={"listing_id": listing, "quantity": 1}).status_code == 302
        )
        buyers.append(client)
    with app.app_context():
        db.session.get(Listing, listing).stock = 1
        db.session.commit()
    totals = [
        re.search(
            r'name="expected_total"[^>]*value="(\d+)"', c.get("/cart/").get_data(as_text=True)
        ).group(1)
        for c in buyers
    ]
    responses = in_parallel(
        [
            (lambda c=c, t=t: c.post("/cart/checkout", data={"expected_total": t}))
            for c, t in zip(buyers, totals, strict=True)
        ]
    )
    placed = [r for r in responses if "/checkout/" in r.headers.get("Location", "")]
    assert len(placed) == 1
    assert stock(app, listing) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 1
        # the losers keep their cart line and were told it sold out
        assert db.session.scalar(select(func.count()).select_from(CartLine)) == 5


def test_the_same_webhook_ten_times_at_once_issues_vouchers_once(
    app, client, make_user, shops, localstripe
):
    make_user("buyer@example.com")
    client.login("buyer@example.com")
    number = add_and_order(client, shops["listings"]["oil_a"], 3)
    pay(client, localstripe, number)
    _, _, (attempt,) = order_state(app, number)
    (event,) = events_for(localstripe, attempt.intent_id)
    clients = [app.test_client() for _ in range(10)]
    responses = in_parallel([(lambda c=c: deliver(c, event)) for c in clients])
    assert {r.status_code for r in responses} == {200}
    outcomes = sorted(r.get_json()["outcome"] for r in responses)
    assert outcomes.count("duplicate") == 9
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Voucher)) == 3
        assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 1
        assert db.session.get(Listing, shops["listings"]["oil_a"]).sales_count == 53


def test_two_refund_clicks_at_once_make_one_refund(app, client, make_user, shops, localstripe):
    make_user("buyer@example.com")
    client.login("buyer@example.com")
    number = add_and_order(client, shops["listings"]["oil_a"])
    pay(client, localstripe, number)
    _, _, (attempt,) = order_state(app, number)
    (event,) = events_for(localstripe, attempt.intent_id)
    deliver(client, event)
    _, (voucher,), _ = order_state(app, number)
    twins = []
    for _ in range(2):
        twin = app.test_client()
        twin.login("buyer@example.com", PASSWORD)
        twins.append(twin)
    in_parallel(
        [
            (lambda c=c: c.post(f"/account/vouchers/{voucher.id}/refund", data=REFUND_FORM))
            for c in twins
        ]
    )
    refunds = stripe_get(localstripe, "/v1/refunds", payment_intent=attempt.intent_id)["data"]
    assert len(refunds) == 1
    order, _, _ = order_state(app, number)
    assert order.refunded_fen == 29900
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Refund)) == 1
        assert db.session.scalar(select(User.id).where(User.email == "buyer@example.com"))


def test_a_refund_retried_at_once_by_the_owner_and_the_job_after_an_outage_counts_once(
    app, client, make_user, shops, localstripe, stripe_proxy
):
    from ..faults import request_to
    from .helpers import assert_money_matches

    make_user("buyer@example.com")
    client.login("buyer@example.com")
    number = add_and_order(client, shops["listings"]["wash_a"], 2)
    pay(client, localstripe, number)
    _, _, (attempt,) = order_state(app, number)
    (event,) = events_for(localstripe, attempt.intent_id)
    deliver(client, event)
    _, vouchers, _ = order_state(app, number)
    first, second = sorted(vouchers, key=lambda v: v.id)
    stripe_proxy.refuse(request_to("/v1/refunds"))
    client.post(
        f"/account/vouchers/{first.id}/refund", data=REFUND_FORM
    )  # Stripe unreachable: it fails
    stripe_proxy.clear()

    presses = []
    for _ in range(5):
        twin = app.test_client()
        twin.login("buyer@example.com", PASSWORD)
        presses.append(
            lambda c=twin: (
                c.post(f"/account/vouchers/{first.id}/refund", data=REFUND_FORM).status_code
            )
        )
    runner = app.test_cli_runner()
    job = lambda: runner.invoke(args=["vouchers", "expire"]).exit_code  # noqa: E731
    outcomes = in_parallel([*presses, job, job])
    assert outcomes[:5] == [302] * 5 and outcomes[5:] == [0, 0], outcomes
    order, vouchers, _ = order_state(app, number)
    assert [v.status.value for v in sorted(vouchers, key=lambda v: v.id)] == [
        "refunded",
        "issued",
    ]
    assert order.refunded_fen == 3900 and order.status is OrderStatus.PARTIALLY_REFUNDED
    assert assert_money_matches(app, localstripe, number) == (7800, 3900)

    assert client.post(f"/account/vouchers/{second.id}/refund", data=REFUND_FORM).status_code == 302
    order, _, _ = order_state(app, number)
    assert order.refunded_fen == 7800 and order.status is OrderStatus.REFUNDED
    assert assert_money_matches(app, localstripe, number) == (7800, 7800)
