"""WeChat Pay and Alipay for the local Stripe server, as Stripe's test mode runs them.

localstripe knows only cards and SEPA debits. This adds the two wallets, with the same API
calls and answers the app makes and gets from Stripe:

- `POST /v1/payment_intents` takes `payment_method_types[]`, `payment_method_data[type]`
  (`wechat_pay` or `alipay`) and `payment_method_options`; the intent waits for its
  confirmation (`requires_confirmation`);
- `POST /v1/payment_intents/{id}/confirm` (with `return_url`, which Alipay needs) answers
  `requires_action`: WeChat Pay with `next_action.wechat_pay_display_qr_code` (`data`, the
  text of the QR code, and `hosted_instructions_url`), Alipay with
  `next_action.redirect_to_url` (`url`, `return_url`); `payment_intent.requires_action` is
  sent;
- the QR code and the redirect lead to a test page, `GET /_local/wallets/{id}`, where the
  payer authorizes or fails the payment (Stripe's test pages have the same two buttons).
  Authorized: the intent is charged, `succeeded`, and `payment_intent.succeeded` is sent.
  Failed: the intent goes back to `requires_payment_method` with `last_payment_error`, and
  `payment_intent.payment_failed` is sent. Alipay then returns to `return_url` with
  `payment_intent`, `payment_intent_client_secret` and `redirect_status`, as Stripe does;
- a cancelled intent, or one already decided, cannot be authorized (the page says so);
- `GET /_local/wallets/{id}/instructions` stands in for Stripe's hosted WeChat Pay
  instructions (the QR code, to scan or save).

Refunds of a wallet payment work as for cards (the charge is an ordinary one).
"""

import html
from urllib.parse import urlencode, urlsplit

import segno
from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError
from localstripe.resources import Charge, Event, PaymentIntent, PaymentMethod
from localstripe.webhooks import schedule_webhook

WALLETS = ("wechat_pay", "alipay")
CONFIRM_PATH = "/v1/payment_intents/{id}/confirm"
_FAILED = {
    "code": "payment_intent_payment_attempt_failed",
    "message": "The customer did not authorize the payment.",
}


def _as_list(value):
    """`payment_method_types[0]=…` arrives as {"0": …}; Stripe means a list."""
    if isinstance(value, dict):
        return [value[key] for key in sorted(value, key=lambda k: int(k) if k.isdigit() else 0)]
    if isinstance(value, str):
        return [value]
    return value


def _accept_wallet_methods() -> None:
    if getattr(PaymentMethod, "_accepts_wallets", False):
        return
    original = PaymentMethod.__init__

    def __init__(self, type=None, billing_details=None, metadata=None, **kwargs):
        if type not in WALLETS:
            return original(
                self, type=type, billing_details=billing_details, metadata=metadata, **kwargs
            )
        details = kwargs.pop(type, None) or {}
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        resources.StripeObject.__init__(self)
        self.type = type
        self.billing_details = billing_details or {}
        setattr(self, type, dict(details) if isinstance(details, dict) else {})
        self.customer = None
        self.metadata = metadata or {}

    PaymentMethod.__init__ = __init__
    PaymentMethod._accepts_wallets = True


def _accept_wallet_intents() -> None:
    if getattr(PaymentIntent, "_accepts_wallets", False):
        return
    original = PaymentIntent.__init__

    def __init__(
        self,
        *args,
        payment_method_types=None,
        payment_method_data=None,
        payment_method_options=None,
        return_url=None,
        **kwargs,
    ):
        types = _as_list(payment_method_types) or ["card"]
        wallet = None
        if payment_method_data is not None:
            wallet = (
                payment_method_data.get("type") if isinstance(payment_method_data, dict) else None
            )
            if wallet not in WALLETS or wallet not in types or kwargs.get("payment_method"):
                raise UserError(400, "Bad request: payment_method_data")
        elif any(t not in ("card", "sepa_debit") for t in types):
            raise UserError(400, "Bad request: payment_method_types")
        original(self, *args, payment_method_options=payment_method_options, **kwargs)
        self.payment_method_types = types
        self.payment_method_options = payment_method_options or {}
        self._return_url = return_url
        self._wallet_error = None
        if wallet:
            self.payment_method = PaymentMethod(type=wallet).id

    PaymentIntent.__init__ = __init__

    card_error = PaymentIntent.last_payment_error

    def last_payment_error(self):
        return getattr(self, "_wallet_error", None) or card_error.fget(self)

    PaymentIntent.last_payment_error = property(last_payment_error)
    PaymentIntent._accepts_wallets = True


def _wallet_of(intent: PaymentIntent) -> str | None:
    """The wallet an intent was made for (None for cards)."""
    methods = getattr(intent, "payment_method_types", None) or []
    return next((m for m in methods if m in WALLETS), None)


def _page_url(base: str, intent: PaymentIntent, suffix: str = "") -> str:
    return f"{base}/_local/wallets/{intent.id}{suffix}?" + urlencode(
        {"secret": intent.client_secret}
    )


def _confirm_wallet(base: str, intent: PaymentIntent, data: dict) -> None:
    if intent.status != "requires_confirmation":
        raise UserError(
            400,
            f"You cannot confirm this PaymentIntent because it has a status of {intent.status}.",
            {"code": "payment_intent_unexpected_state"},
        )
    wallet = _wallet_of(intent)
    return_url = data.get("return_url") or intent._return_url
    if wallet == "alipay" and not return_url:
        raise UserError(400, "Missing required param: return_url.", {"code": "parameter_missing"})
    if return_url and urlsplit(return_url).scheme not in ("http", "https"):
        raise UserError(400, "Invalid URL: return_url", {"code": "url_invalid"})
    intent._return_url = return_url
    intent._wallet_error = None
    if wallet == "wechat_pay":
        intent.next_action = {
            "type": "wechat_pay_display_qr_code",
            "wechat_pay_display_qr_code": {
                "data": _page_url(base, intent),
                "hosted_instructions_url": _page_url(base, intent, "/instructions"),
                "image_data_url": segno.make(_page_url(base, intent), error="m").png_data_uri(
                    scale=4
                ),
            },
        }
    else:
        intent.next_action = {
            "type": "redirect_to_url",
            "redirect_to_url": {"url": _page_url(base, intent), "return_url": return_url},
        }
    schedule_webhook(Event("payment_intent.requires_action", intent))


def _confirm_handler(base: str, card_confirm):
    async def confirm(request):
        intent = store_intent(request.match_info["id"])
        if intent is None or _wallet_of(intent) is None:
            return await card_confirm(request)
        data = await server.get_post_data(request) or {}
        data.pop("payment_method_options", None)
        unexpected = set(data) - {"return_url"}
        if unexpected:
            raise UserError(400, "Unexpected " + ", ".join(sorted(unexpected)))
        _confirm_wallet(base, intent, data)
        return server.json_response(intent._export())

    return confirm


def store_intent(intent_id: str) -> PaymentIntent | None:
    return resources.store.get(f"payment_intent:{intent_id}")


def _page(title: str, body: str, status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        content_type="text/html",
        text=(
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>"
            "body{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}"
            "button{font-size:1.1rem;padding:.7rem 1rem;margin:.3rem 0;width:100%}"
            "</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{body}</body></html>"
        ),
    )


def _intent_for_page(request) -> PaymentIntent:
    intent = store_intent(request.match_info["id"])
    if intent is None or _wallet_of(intent) is None:
        raise web.HTTPNotFound(text="No such payment")
    return intent


async def _secret(request) -> str:
    if request.method == "POST":
        form = await request.post()
        return str(form.get("secret", ""))
    return request.query.get("secret", "")


def _names(intent) -> tuple[str, str]:
    wallet = _wallet_of(intent)
    name = "WeChat Pay" if wallet == "wechat_pay" else "Alipay"
    amount = f"{intent.amount / 100:.2f} {intent.currency.upper()}"
    return name, amount


async def _waiting(request):
    """The page's intent, checked against its secret: (intent, wallet name, amount, None),
    or a 409 page in the last place when it no longer waits to be authorized."""
    intent = _intent_for_page(request)
    if await _secret(request) != intent.client_secret:
        raise web.HTTPUnauthorized(text="Unauthorized")
    name, amount = _names(intent)
    if intent.status == "requires_action":
        return intent, name, amount, None
    refusal = _page(
        f"{name} test payment",
        f'<p id="state" data-status="{intent.status}">This payment is no longer waiting '
        f"to be authorized: it is {html.escape(intent.status)}.</p>",
        status=409,
    )
    return intent, name, amount, refusal


async def test_page(request):
    """The test payment page the QR code or the redirect opens."""
    intent, name, amount, refusal = await _waiting(request)
    if refusal is not None:
        return refusal
    secret = html.escape(intent.client_secret)
    buttons = "".join(
        f'<form method="post" action="/_local/wallets/{intent.id}/{action}">'
        f'<input type="hidden" name="secret" value="{secret}">'
        f'<button type="submit" id="{action}">{label}</button></form>'
        for action, label in (
            ("authorize", "Authorize test payment"),
            ("fail", "Fail test payment"),
        )
    )
    return _page(
        f"{name} test payment",
        f"<p>This is a test payment page of the local Stripe server. Pay {amount}?</p>{buttons}",
    )


async def decide(request):
    """Authorize or fail the payment, send its webhook, and go back (Alipay) or say so."""
    intent, name, amount, refusal = await _waiting(request)
    if refusal is not None:
        return refusal
    authorized = request.match_info["action"] == "authorize"
    intent.next_action = None
    if authorized:
        charge = Charge(
            amount=intent.amount,
            currency=intent.currency,
            customer=intent.customer,
            source=intent.payment_method,
        )
        charge.payment_intent = intent.id
        intent.latest_charge = charge
        charge._initialize_charge(intent._on_success, None, None)
    else:
        intent.payment_method = None
        intent._wallet_error = dict(_FAILED)
        schedule_webhook(Event("payment_intent.payment_failed", intent))
    resources.store.dump_to_disk()
    outcome = "succeeded" if authorized else "failed"
    if intent._return_url and _wallet_of(intent) != "wechat_pay":
        query = urlencode(
            {
                "payment_intent": intent.id,
                "payment_intent_client_secret": intent.client_secret,
                "redirect_status": outcome,
            }
        )
        separator = "&" if "?" in intent._return_url else "?"
        raise web.HTTPSeeOther(intent._return_url + separator + query)
    said = f"Test payment of {amount} authorized." if authorized else "Test payment failed."
    return _page(f"{name} test payment", f'<p id="state" data-status="{outcome}">{said}</p>')


async def instructions(request):
    """Stand-in for Stripe's hosted WeChat Pay instructions: the QR code to scan or save."""
    intent = _intent_for_page(request)
    if await _secret(request) != intent.client_secret:
        raise web.HTTPUnauthorized(text="Unauthorized")
    action = intent.next_action or {}
    data = (action.get("wechat_pay_display_qr_code") or {}).get("data")
    if not data:
        return _page("WeChat Pay", f"<p>This payment is {html.escape(intent.status)}.</p>", 409)
    svg = segno.make(data, error="m").svg_inline(scale=6, border=2)
    return _page(
        "WeChat Pay",
        f"<p>Scan with WeChat, or save the picture and open it from WeChat's scanner.</p>{svg}"
        f'<p><a href="{html.escape(data)}">Open the test payment page</a></p>',
    )


@web.middleware
async def _payer_pages(request, handler):
    """The payer's pages need no API key (the intent's client secret is the check)."""
    if request.path.startswith("/_local/wallets/"):
        return await request.match_info.handler(request)
    return await handler(request)


def install(app: web.Application, base_url: str) -> None:
    """Add the wallets to localstripe's application (before it starts); `base_url` is the
    server's own address, for the links in the QR codes and redirects."""
    _accept_wallet_methods()
    _accept_wallet_intents()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        if route.method == "POST" and info.get("formatter") == CONFIRM_PATH:
            route._handler = _confirm_handler(base_url.rstrip("/"), route.handler)
    app.middlewares.insert(0, _payer_pages)
    app.router.add_get("/_local/wallets/{id}", test_page)
    app.router.add_post("/_local/wallets/{id}/{action:authorize|fail}", decide)
    app.router.add_get("/_local/wallets/{id}/instructions", instructions)
