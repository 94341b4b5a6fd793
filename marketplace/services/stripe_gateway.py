"""The only module that talks to Stripe (real Stripe, or the local Stripe server in the demo).

Amounts cross this boundary in the currency's smallest unit (fen for CNY); idempotency keys
come from business ids (order number and attempt, voucher id), so a retried call after a
timeout is the same call to Stripe. Stripe forgets a key after 24 hours (and the local
server keeps none for intents and refunds), so a call whose answer was lost is looked up
(`find_refund`, `find_transfer`, `read_intent`) before it is made again.
"""

import json
import time
from dataclasses import dataclass
from typing import Any

import stripe
from flask import current_app

WEBHOOK_TOLERANCE_SECONDS = 300


class GatewayError(Exception):
    """Stripe refused or could not be reached; `message` is safe to show the payer.

    `unknown` means the request may have reached Stripe and done its work although no
    answer came back (a dropped connection, a timeout, a 5xx): its outcome must be read
    from Stripe, never assumed."""

    def __init__(
        self, message: str, *, declined: bool = False, detail: str = "", unknown: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.declined = declined
        self.detail = detail  # Stripe's own words, for operators' eyes
        self.unknown = unknown


class CustomerGone(GatewayError):
    """The payer's stored Stripe customer no longer exists (deleted, or test data reset)."""

    def __init__(self, customer_id: str) -> None:
        super().__init__("payment service unavailable", detail=f"no such customer {customer_id}")
        self.customer_id = customer_id


class WebhookRejected(ValueError):
    """A webhook whose signature, timestamp or body does not check out."""


@dataclass(frozen=True)
class NextAction:
    """What the payer must do to finish a wallet payment: scan `qr_data` (WeChat Pay; on a
    phone, Stripe's `instructions_url` explains how) or go to `redirect_url` (Alipay)."""

    qr_data: str | None = None
    instructions_url: str | None = None
    redirect_url: str | None = None


@dataclass(frozen=True)
class IntentState:
    id: str
    status: str
    amount: int
    client_secret: str | None
    error: str | None = None
    next_action: NextAction | None = None


@dataclass(frozen=True)
class RefundState:
    id: str
    status: str


@dataclass(frozen=True)
class TransferState:
    id: str
    amount: int
    destination: str


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    object: dict[str, Any]


def to_stripe_amount(amount_minor: int, currency: str) -> int:
    """Stripe counts in the currency's smallest unit, as we do (fen for CNY, yen for JPY)."""
    if amount_minor < 0:
        raise ValueError("amounts are never negative")
    return amount_minor


def _client() -> stripe.StripeClient:
    app = current_app._get_current_object()
    client = app.extensions.get("stripe_client")
    if client is None:
        config = app.config
        client = stripe.StripeClient(
            config["STRIPE_SECRET_KEY"] or "sk_test_unset",
            base_addresses={"api": config["STRIPE_API_BASE"]},
            http_client=stripe.RequestsClient(timeout=config["STRIPE_TIMEOUT_SECONDS"]),
            max_network_retries=config["STRIPE_MAX_RETRIES"],
        )
        app.extensions["stripe_client"] = client
    return client


def _failure(error: stripe.StripeError) -> GatewayError:
    if isinstance(error, stripe.CardError):
        return GatewayError(error.user_message or "card declined", declined=True)
    current_app.logger.warning("stripe error: %r", error)
    unknown = isinstance(error, stripe.APIConnectionError) or (error.http_status or 0) >= 500
    return GatewayError(
        "payment service unavailable", detail=str(error.user_message or error), unknown=unknown
    )


def _next_action(action: dict | None) -> NextAction | None:
    kind = (action or {}).get("type")
    if kind == "wechat_pay_display_qr_code":
        qr = action.get(kind) or {}
        return NextAction(
            qr_data=qr.get("data"), instructions_url=qr.get("hosted_instructions_url")
        )
    if kind in ("redirect_to_url", "alipay_handle_redirect"):
        return NextAction(redirect_url=(action.get(kind) or {}).get("url"))
    return None


def _intent(pi: stripe.PaymentIntent) -> IntentState:
    pi = pi.to_dict()
    error = pi.get("last_payment_error")
    return IntentState(
        id=pi["id"],
        status=pi["status"],
        amount=pi["amount"],
        client_secret=pi.get("client_secret"),
        error=error.get("message") if error else None,
        next_action=_next_action(pi.get("next_action")),
    )


def ensure_customer(user, replacing: str | None = None) -> str:
    """The payer's Stripe customer id, created on first payment, or again in place of the
    vanished customer `replacing` (a key of its own, else Stripe would replay the old one)."""
    if user.stripe_customer_id and user.stripe_customer_id != replacing:
        return user.stripe_customer_id
    key = f"customer-user-{user.id}" + (f"-replacing-{replacing}" if replacing else "")
    try:
        customer = _client().v1.customers.create(
            {"email": user.email, "name": user.display_name, "metadata": {"user_id": user.id}},
            {"idempotency_key": key},
        )
    except stripe.StripeError as error:
        raise _failure(error) from error
    user.stripe_customer_id = customer["id"]
    return customer["id"]


def save_card(customer_id: str, token: str) -> str:
    """Attach the card Stripe.js tokenized to the customer; its id pays the intent."""
    try:
        card = _client().v1.customers.payment_sources.create(customer_id, {"source": token})
    except stripe.InvalidRequestError as error:
        if error.http_status == 404 and _customer_gone(customer_id):
            raise CustomerGone(customer_id) from error
        raise _failure(error) from error
    except stripe.StripeError as error:
        raise _failure(error) from error
    return card["id"]


def _customer_gone(customer_id: str) -> bool:
    """Whether Stripe no longer knows the customer (a 404 on attaching a card may also mean
    an unknown token)."""
    try:
        customer = _client().v1.customers.retrieve(customer_id)
    except stripe.InvalidRequestError as error:
        return error.http_status == 404
    except stripe.StripeError:
        return False
    return bool(customer.to_dict().get("deleted"))


WALLETS = ("wechat_pay", "alipay")


def create_intent(
    *,
    amount_minor: int,
    currency: str,
    idempotency_key: str,
    metadata: dict[str, str],
    customer_id: str | None = None,
    card_id: str | None = None,
    wallet: str | None = None,
    transfer_group: str | None = None,
) -> IntentState:
    """Create a PaymentIntent for the card `card_id` or the wallet (`wechat_pay`,
    `alipay`), not yet confirmed: nothing is charged until `confirm_intent`, so an intent
    whose creation answer was lost can never take money."""
    if (card_id is None) == (wallet is None) or (wallet and wallet not in WALLETS):
        raise ValueError("pay with one card or one wallet")
    if wallet:
        method = {
            "payment_method_types": [wallet],
            "payment_method_data": {"type": wallet},
            # WeChat Pay in a browser: a QR code to scan (Stripe's `web` client)
            **(
                {"payment_method_options": {"wechat_pay": {"client": "web"}}}
                if wallet == "wechat_pay"
                else {}
            ),
        }
    else:
        method = {"payment_method": card_id}
    try:
        pi = _client().v1.payment_intents.create(
            {
                "amount": to_stripe_amount(amount_minor, currency),
                "currency": currency.lower(),
                **({"customer": customer_id} if customer_id else {}),
                **method,
                "metadata": metadata,
                **({"transfer_group": transfer_group} if transfer_group else {}),
            },
            {"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _failure(error) from error
    return _intent(pi)


def confirm_intent(intent_id: str, amount_minor: int, return_url: str | None = None) -> IntentState:
    """Confirm (charge) the intent. A declined card comes back as a failed state, not an
    exception; `requires_action` needs Stripe.js (3-D Secure) or the payer's wallet
    (`next_action`: a QR code, a redirect coming back to `return_url`) to finish; a
    GatewayError with `unknown` means the charge may have happened."""
    try:
        params = {"return_url": return_url} if return_url else {}
        pi = _client().v1.payment_intents.confirm(intent_id, params)
    except stripe.CardError as error:
        message = error.user_message or "card declined"
        return IntentState(intent_id, "requires_payment_method", amount_minor, None, message)
    except stripe.StripeError as error:
        raise _failure(error) from error
    return _intent(pi)


def read_intent(intent_id: str) -> IntentState:
    try:
        return _intent(_client().v1.payment_intents.retrieve(intent_id))
    except stripe.StripeError as error:
        raise _failure(error) from error


def cancel_intent(intent_id: str) -> IntentState:
    try:
        return _intent(_client().v1.payment_intents.cancel(intent_id))
    except stripe.StripeError as error:
        raise _failure(error) from error


def refund(
    *, intent_id: str, amount_minor: int, currency: str, idempotency_key: str, metadata
) -> RefundState:
    try:
        made = _client().v1.refunds.create(
            {
                "payment_intent": intent_id,
                "amount": to_stripe_amount(amount_minor, currency),
                "metadata": metadata,
            },
            {"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _failure(error) from error
    return RefundState(made["id"], made["status"])


def find_refund(intent_id: str, refund_reference: str) -> RefundState | None:
    """The refund of the intent made for our refund `refund_reference` (its metadata), if
    Stripe has one: how a retry learns that an earlier call whose answer was lost worked."""
    try:
        listed = _client().v1.refunds.list({"payment_intent": intent_id, "limit": 100})
    except stripe.StripeError as error:
        raise _failure(error) from error
    for made in listed.to_dict()["data"]:
        if (made.get("metadata") or {}).get("refund") == refund_reference:
            return RefundState(made["id"], made["status"])
    return None


def intent_refunds(intent_id: str) -> list[tuple[str, int, str]]:
    """(id, amount, status) of every refund Stripe has for the intent."""
    try:
        listed = _client().v1.refunds.list({"payment_intent": intent_id, "limit": 100})
    except stripe.StripeError as error:
        raise _failure(error) from error
    return [(r["id"], r["amount"], r["status"]) for r in listed.to_dict()["data"]]


def create_connected_account(*, email: str, name: str, country: str, shop_id: int) -> str:
    """A Connect account for a shop, to receive its payouts (separate charges and transfers).
    In production the shop then completes Stripe's onboarding for that account."""
    try:
        account = _client().v1.accounts.create(
            {
                "type": "custom",
                "country": country,
                "email": email,
                "business_profile": {"name": name},
                "metadata": {"shop_id": str(shop_id)},
            },
            {"idempotency_key": f"account-shop-{shop_id}"},
        )
    except stripe.StripeError as error:
        raise _failure(error) from error
    return account["id"]


def transfer(
    *,
    amount_minor: int,
    currency: str,
    destination: str,
    transfer_group: str,
    idempotency_key: str,
    metadata: dict[str, str],
) -> TransferState:
    """Move money from the platform's balance to a shop's connected account."""
    try:
        made = _client().v1.transfers.create(
            {
                "amount": to_stripe_amount(amount_minor, currency),
                "currency": currency.lower(),
                "destination": destination,
                "transfer_group": transfer_group,
                "metadata": metadata,
            },
            {"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _failure(error) from error
    return TransferState(made["id"], made["amount"], made["destination"])


def find_transfer(transfer_group: str, destination: str, payout_reference: str):
    """The transfer Stripe already made for this payout and order, if any (by
    `transfer_group` and the payout in its metadata)."""
    try:
        listed = _client().v1.transfers.list(
            {"transfer_group": transfer_group, "destination": destination, "limit": 100}
        )
    except stripe.StripeError as error:
        raise _failure(error) from error
    for made in listed.to_dict()["data"]:
        if (made.get("metadata") or {}).get("payout") == payout_reference:
            return TransferState(made["id"], made["amount"], made["destination"])
    return None


def parse_webhook(payload: bytes, signature: str | None, now: float | None = None) -> WebhookEvent:
    """Verify the signature on the raw body and that its timestamp is within five minutes
    either side of now, then read the event (which must be an event object)."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret or not signature:
        raise WebhookRejected("missing signature")
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
        )
        timestamp = int(dict(p.split("=", 1) for p in signature.split(",") if "=" in p)["t"])
    except (stripe.SignatureVerificationError, ValueError, KeyError) as error:
        raise WebhookRejected(str(error)) from error
    if timestamp > (time.time() if now is None else now) + WEBHOOK_TOLERANCE_SECONDS:
        raise WebhookRejected("timestamp in the future")
    try:
        data = json.loads(payload)
    except ValueError as error:
        raise WebhookRejected("not JSON") from error
    if not isinstance(data, dict):
        raise WebhookRejected("not an event")
    body = data.get("data")
    event_object = body.get("object") if isinstance(body, dict) else None
    if not (
        isinstance(data.get("id"), str)
        and isinstance(data.get("type"), str)
        and isinstance(event_object, dict)
    ):
        raise WebhookRejected("not an event")
    return WebhookEvent(data["id"], data["type"], event_object)
