"""Double submits and first-time races: the same result, never a 500.

The parallel tests fire the same form from several signed-in clients at once and run on
PostgreSQL only (as in tests/payments/test_concurrency.py); the others run on both databases.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from marketplace.extensions import db
from marketplace.models import (
    CartLine,
    Chain,
    GarageVehicle,
    InsurancePolicy,
    Listing,
    NotificationKind,
    NotificationPreference,
    Shop,
    ShopStaff,
    StaffInvitation,
    StaffRole,
    User,
)
from marketplace.timeutil import local_today

from .conftest import COROLLA_CVT, LICENCES, PASSWORD
from .parallel import in_parallel, on_postgresql

OWNER = "owner@example.com"

APPLICATION = {
    "chain_name": "途安连锁",
    "name": "国贸店",
    "city": "北京",
    "district": "朝阳区",
    "address": "建国门外大街1号",
    "latitude": "39.91",
    "longitude": "116.46",
    "opening_hours": "08:30-20:00",
    "phone": "13800138000",
    "licence_number": LICENCES[0],
}


def clients(app, email: str, n: int):
    """`n` clients signed in as `email`, each with its CSRF token fetched beforehand."""
    made = []
    for _ in range(n):
        client = app.test_client()
        client.login(email, PASSWORD)
        made.append((client, client.csrf_token()))
    return made


def post_all(signed_in, url: str, data: dict):
    """POST the same form from every client at once; the responses in order."""
    return in_parallel(
        [(lambda c=c, t=t: c.post(url, data={**data, "csrf_token": t})) for c, t in signed_in]
    )


def no_server_errors(responses) -> None:
    codes = [r.status_code for r in responses]
    assert all(code < 500 for code in codes), codes


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def add_car(app, email: str = OWNER) -> int:
    owner = user_id(app, email)
    with app.app_context():
        car = GarageVehicle(owner_id=owner, variant_id=COROLLA_CVT, is_default=True)
        db.session.add(car)
        db.session.commit()
        return car.id


def set_stock(app, listing_id: int, stock: int | None) -> None:
    with app.app_context():
        db.session.get(Listing, listing_id).stock = stock
        db.session.commit()


def cart_quantity(app, email: str, listing_id: int) -> int | None:
    with app.app_context():
        return db.session.scalar(
            select(CartLine.quantity).where(
                CartLine.user_id == user_id(app, email), CartLine.listing_id == listing_id
            )
        )


# --- 1. reminder settings ----------------------------------------------------------------------


@on_postgresql
def test_first_save_of_reminder_settings_at_once(app, make_user):
    make_user(OWNER)
    chosen = [f"{kind}:in_app" for kind in NotificationKind.ALL] + [
        f"{NotificationKind.ALL[0]}:email"
    ]
    responses = post_all(
        clients(app, OWNER, 8), "/account/notifications/settings", {"chosen": chosen}
    )
    no_server_errors(responses)
    assert {r.status_code for r in responses} == {302}
    with app.app_context():
        rows = db.session.scalars(select(NotificationPreference)).all()
        assert sorted(row.kind for row in rows) == sorted(NotificationKind.ALL)
        assert all(row.in_app for row in rows)
        assert {row.kind for row in rows if row.email} == {NotificationKind.ALL[0]}


# --- 2. staff invitations ----------------------------------------------------------------------


def invite(app, shop_id: int, email: str) -> int:
    with app.app_context():
        manager = db.session.get(Shop, shop_id).chain.admin_id
        invitation = StaffInvitation(
            shop_id=shop_id, email=email, role=StaffRole.TECHNICIAN, invited_by_id=manager
        )
        db.session.add(invitation)
        db.session.commit()
        return invitation.id


@on_postgresql
def test_accepting_an_invitation_twice_at_once(app, shops, make_user):
    make_user("tech@example.com")
    invitation = invite(app, shops["a"], "tech@example.com")
    responses = post_all(
        clients(app, "tech@example.com", 6), f"/merchant/invitations/{invitation}/accept", {}
    )
    no_server_errors(responses)
    joined = [r for r in responses if r.status_code == 302]
    assert joined, [r.status_code for r in responses]
    assert {r.headers["Location"] for r in joined} == {f"/merchant/shops/{shops['a']}"}
    # one that only looked after the first had committed sees an accepted invitation (404)
    assert {r.status_code for r in responses} <= {302, 404}
    tech = user_id(app, "tech@example.com")
    assert count(app, ShopStaff, ShopStaff.user_id == tech) == 1
    with app.app_context():
        member = db.session.scalar(select(ShopStaff).where(ShopStaff.user_id == tech))
        assert (member.shop_id, member.role) == (shops["a"], StaffRole.TECHNICIAN)


@on_postgresql
def test_two_invitations_accepted_at_once_join_one_shop(app, shops, make_user):
    make_user("tech@example.com")
    first = invite(app, shops["a"], "tech@example.com")
    second = invite(app, shops["b"], "tech@example.com")
    (one, token_one), (two, token_two) = clients(app, "tech@example.com", 2)
    responses = in_parallel(
        [
            lambda: one.post(
                f"/merchant/invitations/{first}/accept", data={"csrf_token": token_one}
            ),
            lambda: two.post(
                f"/merchant/invitations/{second}/accept", data={"csrf_token": token_two}
            ),
        ]
    )
    no_server_errors(responses)
    assert count(app, ShopStaff, ShopStaff.user_id == user_id(app, "tech@example.com")) == 1
    assert count(app, StaffInvitation, StaffInvitation.accepted_at.is_not(None)) == 1


# --- 3. shop applications with a new chain name -----------------------------------------------


@on_postgresql
def test_one_applicant_submitting_a_new_chain_twice_at_once(app, make_user):
    make_user("founder@example.com")
    responses = post_all(clients(app, "founder@example.com", 6), "/merchant/apply", APPLICATION)
    no_server_errors(responses)
    assert {r.status_code for r in responses} == {302}
    assert count(app, Chain) == 1
    assert count(app, Shop) == 1
    shop_id = _only_shop_id(app)
    assert {r.headers["Location"] for r in responses} == {f"/merchant/shops/{shop_id}"}
    assert count(app, ShopStaff) == 1


def _only_shop_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Shop.id))


@on_postgresql
def test_two_applicants_racing_for_one_new_chain_name(app, make_user):
    make_user("first@example.com")
    make_user("second@example.com")
    first = clients(app, "first@example.com", 3)
    second = clients(app, "second@example.com", 3)
    forms = {"first@example.com": APPLICATION} | {
        "second@example.com": {**APPLICATION, "name": "望京店", "licence_number": LICENCES[1]}
    }
    calls = [
        (
            lambda c=c, t=t, data=forms[email]: c.post(
                "/merchant/apply", data={**data, "csrf_token": t}
            )
        )
        for email, signed_in in (("first@example.com", first), ("second@example.com", second))
        for c, t in signed_in
    ]
    responses = in_parallel(calls)
    no_server_errors(responses)
    assert count(app, Chain) == 1 and count(app, Shop) == 1
    with app.app_context():
        winner = db.session.scalar(select(Chain)).admin.email
    by_first, by_second = responses[:3], responses[3:]
    won, lost = (by_first, by_second) if winner == "first@example.com" else (by_second, by_first)
    assert {r.status_code for r in won} == {302}
    assert {r.status_code for r in lost} == {200}
    assert all("属于其他商家" in r.get_data(as_text=True) for r in lost)


def test_a_repeated_application_is_filed_once(app, make_user):
    make_user("founder@example.com")
    client = app.test_client()
    client.login("founder@example.com")
    first = client.post("/merchant/apply", data=APPLICATION)
    again = client.post("/merchant/apply", data=APPLICATION)
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert count(app, Shop) == 1
    other_outlet = client.post(
        "/merchant/apply", data={**APPLICATION, "name": "望京店", "licence_number": LICENCES[1]}
    )
    assert other_outlet.status_code == 302
    assert count(app, Shop) == 2 and count(app, Chain) == 1


# --- 4. insurance ----------------------------------------------------------------------------


@on_postgresql
def test_first_insurance_save_at_once(app, small_catalog, make_user):
    make_user(OWNER)
    car = add_car(app)
    with app.app_context():
        ends = (local_today() + timedelta(days=200)).isoformat()
    responses = post_all(
        clients(app, OWNER, 8), f"/garage/{car}/insurance", {"insurer": "平安", "expires_on": ends}
    )
    no_server_errors(responses)
    assert {r.status_code for r in responses} == {302}
    with app.app_context():
        policies = db.session.scalars(select(InsurancePolicy)).all()
        assert [(p.vehicle_id, p.insurer, p.expires_on.isoformat()) for p in policies] == [
            (car, "平安", ends)
        ]


# --- 5. the cart ------------------------------------------------------------------------------


@on_postgresql
def test_ten_adds_of_one_unit_at_once_make_ten(app, make_user, shops):
    make_user(OWNER)
    listing = shops["listings"]["wash_a"]
    responses = post_all(
        clients(app, OWNER, 10), "/cart/add", {"listing_id": listing, "quantity": 1}
    )
    no_server_errors(responses)
    assert {r.headers["Location"] for r in responses} == {"/cart/"}
    assert cart_quantity(app, OWNER, listing) == 10
    assert count(app, CartLine) == 1


@on_postgresql
def test_parallel_adds_stop_at_the_line_limit(app, make_user, shops):
    make_user(OWNER)
    listing = shops["listings"]["wash_a"]
    responses = post_all(
        clients(app, OWNER, 12), "/cart/add", {"listing_id": listing, "quantity": 1}
    )
    no_server_errors(responses)
    added = [r for r in responses if r.headers["Location"] == "/cart/"]
    refused = [r for r in responses if r.headers["Location"] == f"/listings/{listing}"]
    assert (len(added), len(refused)) == (10, 2)
    assert cart_quantity(app, OWNER, listing) == 10


@on_postgresql
def test_parallel_adds_stop_at_the_stock(app, make_user, shops):
    make_user(OWNER)
    listing = shops["listings"]["wash_a"]
    set_stock(app, listing, 4)
    responses = post_all(
        clients(app, OWNER, 7), "/cart/add", {"listing_id": listing, "quantity": 1}
    )
    no_server_errors(responses)
    assert sum(r.headers["Location"] == "/cart/" for r in responses) == 4
    assert cart_quantity(app, OWNER, listing) == 4


def test_adds_to_one_line_and_refusals(app, make_user, shops):
    make_user(OWNER)
    client = app.test_client()
    client.login(OWNER)
    listing = shops["listings"]["wash_a"]
    for quantity in (3, 4):
        response = client.post("/cart/add", data={"listing_id": listing, "quantity": quantity})
        assert response.headers["Location"] == "/cart/"
    assert cart_quantity(app, OWNER, listing) == 7
    too_many = client.post(
        "/cart/add", data={"listing_id": listing, "quantity": 4}, follow_redirects=True
    )
    assert "请选择 1 到 10 的数量。" in too_many.get_data(as_text=True)
    assert cart_quantity(app, OWNER, listing) == 7
    set_stock(app, listing, 8)
    short = client.post(
        "/cart/add", data={"listing_id": listing, "quantity": 2}, follow_redirects=True
    )
    assert "仅剩 8 份。" in short.get_data(as_text=True)
    assert cart_quantity(app, OWNER, listing) == 7
    assert (
        client.post("/cart/add", data={"listing_id": listing, "quantity": 1}).headers["Location"]
        == "/cart/"
    )
    assert cart_quantity(app, OWNER, listing) == 8


# --- 6. the error page after a database error ---------------------------------------------------


def add_broken_route(app) -> None:
    """/_test/broken/<how>: a database error nothing catches, after reading the user."""

    @app.route("/_test/broken/<how>")
    def broken(how: str):
        me = db.session.scalar(select(User).where(User.email == OWNER))
        if how == "statement":
            # the id is taken and the required columns are missing
            db.session.execute(text("INSERT INTO users (id) VALUES (:id)"), {"id": me.id})
        else:
            kind = NotificationKind.ALL[0]
            db.session.add_all(
                [
                    NotificationPreference(user_id=me.id, kind=kind),
                    NotificationPreference(user_id=me.id, kind=kind),
                ]
            )
            db.session.flush()
        return "unreachable"


def assert_error_page(response) -> None:
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "<title>出错了" in page
    assert "我们这边出了点问题，请稍后再试。" in page
    assert ">车主</a>" in page, "the page shows who is signed in"


@pytest.mark.parametrize("how", ["statement", "flush"])
def test_a_database_error_still_renders_the_error_page(app, make_user, how):
    """A failed statement (PostgreSQL aborts the transaction) or a failed flush (the session
    wants a rollback) must not break the 500 page, which queries the user."""
    make_user(OWNER)
    add_broken_route(app)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # TESTING would re-raise it
    client = app.test_client()
    client.login(OWNER)
    assert_error_page(client.get(f"/_test/broken/{how}"))
    assert count(app, NotificationPreference) == 0


def test_unhandled_errors_reach_the_error_page_in_production(app, config, make_app, make_user):
    make_user(OWNER)
    config.TESTING = False
    production = make_app(config)
    assert not (production.testing or production.debug)
    add_broken_route(production)
    client = production.test_client()
    client.login(OWNER)
    for how in ("statement", "flush"):
        assert_error_page(client.get(f"/_test/broken/{how}"))
