"""Talking to the tests' local Stripe server the way Stripe.js and Stripe's webhooks do."""

import hashlib
import hmac
import html
import json
import re
import time

import requests
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Listing, Order, PaymentAttempt, User, Voucher

from ..conftest import STRIPE_PUBLISHABLE_KEY, STRIPE_SECRET_KEY, WEBHOOK_SECRET

GOOD_CARD = "4242424242424242"
DECLINED_ON_CHARGE = "4000000000000341"
DECLINED_ON_ATTACH = "4000000000000002"
NEEDS_3DS = "4000002500003155"


def card_token(base: str, number: str = GOOD_CARD) -> str:
    """What Stripe.js's createToken does with the card form."""
    response = requests.post(
        f"{base}/v1/tokens",
        data={
            "card[number]": number,
            "card[exp_month]": "12",
            "card[exp_year]": "2030",
            "card[cvc]": "123",
            "key": STRIPE_PUBLISHABLE_KEY,
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


def stripe_get(base: str, path: str, **params):
    response = requests.get(
        f"{base}{path}", params=params, auth=(STRIPE_SECRET_KEY, ""), timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def events_for(base: str, intent_id: str, kind: str = "payment_intent.succeeded") -> list[dict]:
    listed = stripe_get(base, "/v1/events", type=kind, limit=100000)["data"]  # all, not 100
    return [e for e in listed if e["data"]["object"]["id"] == intent_id]


def signature(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def deliver(client, event: dict | bytes, **signing):
    payload = event if isinstance(event, bytes) else json.dumps(event).encode()
    return client.post(
        "/checkout/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": signature(payload, **signing)},
        content_type="application/json",
        csrf=False,
    )


def add_and_order(client, listing_id: int, quantity: int = 1) -> str:
    """Put a listing in the cart and place the order; returns the order number."""
    response = client.post("/cart/add", data={"listing_id": listing_id, "quantity": quantity})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    page = client.get("/cart/").get_data(as_text=True)
    total = re.search(r'name="expected_total"[^>]*value="(\d+)"', page)
    assert total, page[:2000]
    response = client.post("/cart/checkout", data={"expected_total": total.group(1)})
    assert response.status_code == 302
    match = re.search(r"/checkout/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def pay(client, base: str, number: str, card: str = GOOD_CARD):
    return client.post(
        f"/checkout/{number}/pay", data={"method": "card", "token": card_token(base, card)}
    )


def order_state(app, number: str) -> tuple[Order, list[Voucher], list[PaymentAttempt]]:
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        vouchers = db.session.scalars(
            select(Voucher).where(Voucher.order_id == order.id).order_by(Voucher.id)
        ).all()
        attempts = db.session.scalars(
            select(PaymentAttempt)
            .where(PaymentAttempt.order_id == order.id)
            .order_by(PaymentAttempt.number)
        ).all()
        db.session.expunge_all()
        return order, list(vouchers), list(attempts)


def deliver_success(client, base: str, app, number: str):
    _, _, attempts = order_state(app, number)
    intent = attempts[-1].intent_id
    events = events_for(base, intent)
    assert events, f"no succeeded event for {intent}"
    return deliver(client, events[0])


def stock(app, listing_id: int) -> int | None:
    with app.app_context():
        return db.session.get(Listing, listing_id).stock


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def stripe_money(base: str, number: str) -> tuple[int, int]:
    """What Stripe holds for an order, over every PaymentIntent made for it:
    (captured, refunded)."""
    intents = stripe_get(base, "/v1/payment_intents", limit=100000)["data"]
    paid = [
        pi
        for pi in intents
        if (pi.get("metadata") or {}).get("order") == number and pi["status"] == "succeeded"
    ]
    refunded = sum(
        r["amount"]
        for pi in paid
        for r in stripe_get(base, "/v1/refunds", payment_intent=pi["id"], limit=100)["data"]
        if r["status"] in ("succeeded", "pending")
    )
    return sum(pi["amount"] for pi in paid), refunded


def app_money(app, number: str) -> int:
    """What the app says the marketplace kept of an order: the total less what was refunded
    of it while paid, nothing for an order that closed unpaid."""
    order, _, _ = order_state(app, number)
    if order.status.value in ("pending_payment", "expired", "cancelled"):
        return 0
    return order.total_fen - order.refunded_fen


def assert_money_matches(app, base: str, number: str) -> tuple[int, int]:
    """Captured − refunded at Stripe equals what the app shows for the order."""
    captured, refunded = stripe_money(base, number)
    assert captured - refunded == app_money(app, number), (number, captured, refunded)
    return captured, refunded


REFUND_FORM = {"reason": "changed_mind", "confirm": "y"}
"""What the owner's refund page sends: a reason and the confirmation."""


def pay_by_wallet(client, number: str, method: str):
    """Choose WeChat Pay or Alipay on the pay page and press pay."""
    return client.post(f"/checkout/{number}/pay", data={"method": method})


def to_alipay(client, response) -> str:
    """Follow the pay form's answer to the page that moves on to Alipay; returns where it
    goes (the Alipay page, through Stripe)."""
    assert re.search(r"/checkout/\d+/alipay$", response.headers["Location"]), response.headers
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    found = re.search(r'data-alipay-url="([^"]+)"', page)
    assert found, page[:2000]
    return html.unescape(found.group(1))


def wallet_page(base: str, intent_id: str) -> str:
    """The address the payer opens: the WeChat Pay QR code's text, or Alipay's redirect."""
    action = stripe_get(base, f"/v1/payment_intents/{intent_id}")["next_action"]
    if action["type"] == "wechat_pay_display_qr_code":
        return action["wechat_pay_display_qr_code"]["data"]
    assert action["type"] == "redirect_to_url", action
    return action["redirect_to_url"]["url"]


def payer_decides(page_url: str, authorize: bool = True):
    """What the payer does on the wallet's (test) page: authorize or fail the payment.
    Returns the answer: Alipay's redirect back to the shop, or WeChat Pay's result page."""
    page = requests.get(page_url, timeout=10)
    assert page.status_code == 200, page.text
    secret = re.search(r'name="secret" value="([^"]+)"', page.text).group(1)
    action = "authorize" if authorize else "fail"
    return requests.post(
        f"{page_url.split('?')[0]}/{action}",
        data={"secret": secret},
        allow_redirects=False,
        timeout=10,
    )


def latest_intent(app, number: str) -> str:
    _, _, attempts = order_state(app, number)
    return attempts[-1].intent_id


def deliver_event(client, base: str, intent_id: str, kind: str):
    """Deliver the local Stripe server's `kind` event for the intent, as Stripe would."""
    events = events_for(base, intent_id, kind)
    assert events, f"no {kind} event for {intent_id}"
    return deliver(client, events[0])
