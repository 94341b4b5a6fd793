"""Stripe webhooks replayed or forged; open redirects through `next`; CSRF across sessions."""

import json
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import OrderStatus, StripeEvent

from ..conftest import PASSWORD
from ..payments.helpers import add_and_order, deliver, events_for, order_state, pay, signature
from .helpers import state, text_of

WEBHOOK = "/checkout/stripe/webhook"


def paid_event(app, buyer, localstripe, world) -> tuple[str, dict]:
    number = add_and_order(buyer, world.listings["wash_a"], 2)
    pay(buyer, localstripe, number)
    _, _, attempts = order_state(app, number)
    (event,) = events_for(localstripe, attempts[0].intent_id)
    return number, event


def post_raw(client, payload: bytes, header: str):
    return client.post(
        WEBHOOK,
        data=payload,
        headers={"Stripe-Signature": header},
        content_type="application/json",
        csrf=False,
    )


def test_a_captured_webhook_replayed_later_changes_nothing(app, buyer, world, localstripe):
    number, event = paid_event(app, buyer, localstripe, world)
    payload = json.dumps(event).encode()
    header = signature(payload)
    assert post_raw(buyer, payload, header).status_code == 200
    after_first = state(app)
    assert len(order_state(app, number)[1]) == 2
    # the very same request again (a replay within the tolerance): a harmless duplicate
    again = post_raw(buyer, payload, header)
    assert again.status_code == 200 and again.get_json()["outcome"] == "duplicate"
    # the same event re-signed with an old timestamp (captured an hour ago): refused
    stale = post_raw(buyer, payload, signature(payload, timestamp=int(time.time()) - 3600))
    assert stale.status_code == 400
    assert state(app) == after_first
    with app.app_context():
        assert db.session.scalar(select(func.count(StripeEvent.id))) == 1
    assert order_state(app, number)[0].status is OrderStatus.PAID


def test_a_forged_or_tampered_webhook_is_refused(app, buyer, world, localstripe):
    number, event = paid_event(app, buyer, localstripe, world)
    payload = json.dumps(event).encode()
    good = signature(payload)
    timestamp = good.split(",")[0]
    tampered = json.dumps({**event, "id": "evt_forged"}).encode()
    before = state(app)
    refused = [
        post_raw(buyer, tampered, good),  # a changed body under the original signature
        post_raw(buyer, payload, signature(payload, secret="whsec_guess")),
        post_raw(buyer, payload, signature(payload, secret="sk_test_marketplace")),
        post_raw(buyer, payload, f"{timestamp},v0={good.split('v1=')[1]}"),  # other scheme
        post_raw(buyer, payload, f"{timestamp},v1={'0' * 64}"),
        post_raw(buyer, payload, timestamp),
        post_raw(buyer, payload, ""),
        post_raw(buyer, payload + b" ", good),  # even whitespace is part of the signed body
    ]
    assert [r.status_code for r in refused] == [400] * len(refused)
    assert all(r.get_json() == {"error": "invalid"} for r in refused)
    assert state(app) == before
    order, vouchers, _ = order_state(app, number)
    assert order.status is OrderStatus.PENDING_PAYMENT and not vouchers
    with app.app_context():
        assert db.session.scalar(select(func.count(StripeEvent.id))) == 0
    # the genuine one still works afterwards
    assert deliver(buyer, event).status_code == 200
    assert order_state(app, number)[0].status is OrderStatus.PAID


BAD_NEXT = [
    "//evil.example",
    "//evil.example/auth/login",
    "https://evil.example",
    "http://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " //evil.example",
    "\t//evil.example",
    "https:evil.example",
    "data:text/html,<script>alert(1)</script>",
    "///evil.example",
    "/\r\nLocation: https://evil.example",
]


def _location_is_local(response) -> None:
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "evil.example" not in location.split("?")[0].lstrip("/").split("/")[0], location
    assert "\n" not in location and "\r" not in location
    assert not location.lower().startswith(("javascript:", "data:"))


@pytest.mark.parametrize("target", BAD_NEXT)
def test_sign_in_does_not_redirect_off_site(app, client, make_user, target):
    make_user("owner@example.com")
    response = client.post(
        f"/auth/login?next={target}",
        data={"email": "owner@example.com", "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    _location_is_local(response)
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", BAD_NEXT[:6])
def test_registration_language_and_vehicle_forms_do_not_redirect_off_site(app, client, target):
    response = client.post(
        "/auth/register",
        data={
            "email": "new@example.com",
            "display_name": "新用户",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "next": target,
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    response = client.post("/language", data={"lang": "en", "next": target})
    assert response.status_code == 302
    _location_is_local(response)


def test_the_login_page_does_not_echo_next_into_markup(client):
    page = text_of(client.get('/auth/login?next="><script>alert(1)</script>'))
    assert "<script>alert(1)" not in page
    assert "&#34;&gt;&lt;script&gt;" in page or "&quot;&gt;&lt;script&gt;" in page


def test_an_encoded_double_slash_stays_a_path_on_this_site(app, client, make_user):
    make_user("owner@example.com")
    response = client.post(
        "/auth/login",
        data={"email": "owner@example.com", "password": PASSWORD, "next": "/%2F%2Fevil.example"},
    )
    parts = urlsplit(response.headers["Location"])
    assert not parts.scheme and not parts.netloc and parts.path.startswith("/%2F")


def test_a_good_next_still_works(app, client, make_user):
    make_user("owner@example.com")
    response = client.post(
        "/auth/login",
        data={"email": "owner@example.com", "password": PASSWORD, "next": "/garage/?x=1"},
    )
    assert response.headers["Location"] == "/garage/?x=1"


def test_a_csrf_token_from_another_session_is_refused(app, make_user):
    """A token is bound to its session: the attacker's own valid token does not work."""
    make_user("owner@example.com")
    attacker, victim = app.test_client(), app.test_client()
    victim.login("owner@example.com")
    stolen = attacker.csrf_token()
    response = victim.post("/auth/logout", data={"csrf_token": stolen})
    assert response.status_code == 400
    assert victim.get("/account/").status_code == 200
    response = victim.post("/language", data={"lang": "en", "csrf_token": stolen})
    assert response.status_code == 400
    assert '<html lang="zh-CN">' in text_of(victim.get("/"))


def test_csrf_tokens_are_not_accepted_from_the_query_string_or_a_get(app, make_user):
    make_user("owner@example.com")
    client = app.test_client()
    client.login("owner@example.com")
    token = client.csrf_token()
    assert client.post(f"/auth/logout?csrf_token={token}", csrf=False).status_code == 400
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/account/").status_code == 200
