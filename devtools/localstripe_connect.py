"""Stripe Connect for the local Stripe server: connected accounts and transfers.

localstripe has no Connect, so the payouts' real SDK calls (`v1.accounts.create`,
`v1.transfers.create`, …) would have nowhere to go. This adds the endpoints they use, with
Stripe's behaviour where it matters to us:

- `POST /v1/accounts`, `GET /v1/accounts/{id}`, `DELETE /v1/accounts/{id}`;
- `POST /v1/transfers` (amount > 0, currency, an existing `destination`, `transfer_group`,
  `metadata`), honouring the `Idempotency-Key` header: the same key with the same parameters
  answers the first transfer again; with other parameters it is a 400, as on Stripe;
- `GET /v1/transfers/{id}` and `GET /v1/transfers?destination=&transfer_group=`;
- PaymentIntents accept `transfer_group` (separate charges and transfers);
- `POST /_local/forget-idempotency-keys` forgets the transfers' idempotency keys, as Stripe
  does after 24 hours (for tests of a payout retried the next day; not a Stripe endpoint).

Objects live in localstripe's store, so `--store` keeps them across restarts.
"""

import time

from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError
from localstripe.resources import random_id, store


def _error(status: int, message: str, code: str | None = None):
    contents = {"code": code} if code else None
    return UserError(status, message, contents)


def _get(kind: str, object_id: str) -> dict:
    obj = store.get(f"connect_{kind}:{object_id}")
    if obj is None:
        raise _error(404, f"No such {kind}: '{object_id}'", "resource_missing")
    return obj


def _put(kind: str, obj: dict) -> dict:
    store[f"connect_{kind}:{obj['id']}"] = obj
    return obj


async def create_account(request):
    data = await server.get_post_data(request) or {}
    account = {
        "id": "acct_" + random_id(16),
        "object": "account",
        "type": data.get("type", "custom"),
        "country": data.get("country", "CN"),
        "email": data.get("email"),
        "business_profile": data.get("business_profile") or {},
        "metadata": data.get("metadata") or {},
        "charges_enabled": True,
        "payouts_enabled": True,
        "created": int(time.time()),
    }
    return server.json_response(_put("account", account))


async def retrieve_account(request):
    return server.json_response(_get("account", request.match_info["id"]))


async def delete_account(request):
    account = _get("account", request.match_info["id"])
    del store[f"connect_account:{account['id']}"]
    return server.json_response({"id": account["id"], "object": "account", "deleted": True})


async def create_transfer(request):
    data = await server.get_post_data(request) or {}
    key = request.headers.get("Idempotency-Key")
    if key:
        seen = store.get(f"connect_idempotency:{key}")
        if seen is not None:
            if seen["params"] != data:
                raise _error(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with.",
                    "idempotency_key_in_use",
                )
            return server.json_response(_get("transfer", seen["transfer"]))
    try:
        amount = int(data.get("amount"))
    except (TypeError, ValueError):
        raise _error(400, "Invalid integer: amount", "parameter_invalid_integer") from None
    if amount <= 0:
        raise _error(400, "Amount must be at least 1", "parameter_invalid_integer")
    if not data.get("currency"):
        raise _error(400, "Missing required param: currency.", "parameter_missing")
    destination = data.get("destination") or ""
    if f"connect_account:{destination}" not in store:
        raise _error(400, f"No such destination: '{destination}'", "resource_missing")
    transfer = {
        "id": "tr_" + random_id(16),
        "object": "transfer",
        "amount": amount,
        "amount_reversed": 0,
        "currency": str(data["currency"]).lower(),
        "destination": destination,
        "transfer_group": data.get("transfer_group"),
        "metadata": data.get("metadata") or {},
        "reversed": False,
        "livemode": False,
        "created": int(time.time()),
    }
    _put("transfer", transfer)
    if key:
        store[f"connect_idempotency:{key}"] = {"params": data, "transfer": transfer["id"]}
    return server.json_response(transfer)


async def retrieve_transfer(request):
    return server.json_response(_get("transfer", request.match_info["id"]))


async def list_transfers(request):
    query = request.query
    found = [
        value
        for name, value in store.items()
        if name.startswith("connect_transfer:")
        and all(
            value.get(field) == query[field]
            for field in ("destination", "transfer_group")
            if field in query
        )
    ]
    found.sort(key=lambda t: (t["created"], t["id"]), reverse=True)
    return server.json_response(
        {"object": "list", "url": "/v1/transfers", "has_more": False, "data": found}
    )


async def forget_idempotency_keys(request):
    names = [name for name in store if name.startswith("connect_idempotency:")]
    for name in names:
        del store[name]
    return server.json_response({"forgotten": len(names)})


def _accept_transfer_group() -> None:
    intent = resources.PaymentIntent
    if getattr(intent, "_accepts_transfer_group", False):
        return
    original = intent.__init__

    def __init__(self, *args, transfer_group=None, **kwargs):
        original(self, *args, **kwargs)
        self.transfer_group = transfer_group

    intent.__init__ = __init__
    intent._accepts_transfer_group = True


def install(app: web.Application) -> None:
    """Add the Connect endpoints to localstripe's application (before it starts)."""
    _accept_transfer_group()
    app.router.add_post("/v1/accounts", create_account)
    app.router.add_get("/v1/accounts/{id}", retrieve_account)
    app.router.add_delete("/v1/accounts/{id}", delete_account)
    app.router.add_post("/v1/transfers", create_transfer)
    app.router.add_get("/v1/transfers/{id}", retrieve_transfer)
    app.router.add_get("/v1/transfers", list_transfers)
    app.router.add_post("/_local/forget-idempotency-keys", forget_idempotency_keys)
