"""Guessing numbers: another owner's orders, vouchers, reviews, notifications, cars; another
shop's console. Every answer is a 404 (as for a number that does not exist) and nothing changes."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import GarageVehicle, Notification, NotificationKind, Order, Voucher
from marketplace.models.types import utcnow
from marketplace.services import notifications

from ..conftest import COROLLA_CVT
from ..payments.helpers import REFUND_FORM
from ..reviews.helpers import make_voucher, write
from .conftest import INTRUDER, OWNER
from .helpers import state, text_of, user_id, without_tokens


def owners_things(app, world, buyer) -> dict:
    """OWNER's order and issued voucher, a redeemed voucher with a review, a car, a notice."""
    issued = make_voucher(app, OWNER, world.listings["oil_a"], status=_issued())
    redeemed = make_voucher(app, OWNER, world.listings["wash_a"])
    assert write(buyer, redeemed, text="很好").status_code == 302
    assert buyer.post("/vehicles/select", data={"variant_id": COROLLA_CVT}).status_code == 302
    with app.app_context():
        owner = db.session.get(Voucher, issued).owner
        note = notifications.notify(
            owner,
            NotificationKind.SHOP_MESSAGE,
            data={"shop": "驰安养车 望京店", "shop_id": world.a, "message": "好久不见"},
            link="/account/vouchers",
            now=utcnow(),
        )
        db.session.commit()
        voucher = db.session.get(Voucher, issued)
        from marketplace.models.reviews import Review

        return {
            "order": db.session.get(Order, voucher.order_id).number,
            "voucher": issued,
            "redeemed": redeemed,
            "review": db.session.scalar(select(Review.id)),
            "vehicle": db.session.scalar(select(GarageVehicle.id)),
            "notification": note.id,
        }


def _issued():
    from marketplace.models import VoucherStatus

    return VoucherStatus.ISSUED


def test_another_owners_order_pages_are_404(app, world, buyer, intruder):
    mine = owners_things(app, world, buyer)
    number = mine["order"]
    assert buyer.get(f"/account/orders/{number}").status_code == 200
    before = state(app)
    missing = "0000000000000000"
    intruder.get("/")  # the sign-in message is shown once, here
    for url in (
        "/account/orders/{}",
        "/checkout/{}",
        "/checkout/{}/authenticate",
        "/checkout/{}/return",
    ):
        response = intruder.get(url.format(number))
        assert response.status_code == 404, url
        # the same page as for a number that does not exist (the URL itself is echoed)
        guessed = intruder.get(url.format(missing))
        assert without_tokens(text_of(response), number) == without_tokens(
            text_of(guessed), missing
        )
    for url in (f"/checkout/{number}/pay", f"/checkout/{number}/cancel"):
        assert intruder.post(url, data={"token": "tok_visa"}).status_code == 404, url
    # their own lists do not show it either
    for url in ("/account/orders", "/account/vouchers", "/account/reviews"):
        assert number not in text_of(intruder.get(url))
    assert state(app) == before


def test_another_owners_voucher_cannot_be_refunded(app, world, buyer, intruder):
    mine = owners_things(app, world, buyer)
    before = state(app)
    missing = mine["voucher"] + 1000
    for voucher_id in (mine["voucher"], mine["redeemed"], missing):
        response = intruder.post(f"/account/vouchers/{voucher_id}/refund", data=REFUND_FORM)
        assert response.status_code == 404, voucher_id
    assert state(app) == before
    with app.app_context():
        code = db.session.get(Voucher, mine["voucher"]).code
    assert code not in text_of(intruder.get("/account/vouchers"))


def test_another_owners_reviews_cannot_be_written_or_edited(app, world, buyer, intruder):
    mine = owners_things(app, world, buyer)
    before = state(app)
    assert intruder.get(f"/reviews/voucher/{mine['redeemed']}").status_code == 404
    assert write(intruder, mine["redeemed"], text="冒名评价").status_code == 404
    assert intruder.get(f"/reviews/{mine['review']}/edit").status_code == 404
    response = intruder.post(
        f"/reviews/{mine['review']}/edit",
        data={
            "overall": "1",
            "quality": "1",
            "price_honesty": "1",
            "no_pressure": "1",
            "on_time": "1",
            "text": "改成差评",
        },
    )
    assert response.status_code == 404
    assert state(app) == before


def test_another_owners_notifications_cannot_be_followed_or_marked_read(
    app, world, buyer, intruder
):
    mine = owners_things(app, world, buyer)
    note = mine["notification"]
    assert intruder.get(f"/account/notifications/{note}/go").status_code == 404
    assert intruder.get(f"/account/notifications/{note + 999}/go").status_code == 404
    response = intruder.post("/account/notifications/read", data={"id": str(note)})
    assert response.status_code == 302
    intruder.post("/account/notifications/read", data={})  # "mark all": only their own
    with app.app_context():
        assert db.session.get(Notification, note).read_at is None
    assert f"/account/notifications/{note}/go" not in text_of(
        intruder.get("/account/notifications")
    )
    assert f"/account/notifications/{note}/go" in text_of(buyer.get("/account/notifications"))
    # the owner can
    assert buyer.get(f"/account/notifications/{note}/go").status_code == 302


def test_another_owners_car_is_404_everywhere(app, world, buyer, intruder):
    mine = owners_things(app, world, buyer)
    vehicle = mine["vehicle"]
    before = state(app)
    with app.app_context():
        readings_before = len(db.session.get(GarageVehicle, vehicle).readings)
    assert intruder.get(f"/garage/{vehicle}").status_code == 404
    assert intruder.get(f"/maintenance/?vehicle={vehicle}").status_code == 404
    response = intruder.get(f"/maintenance/result?vehicle={vehicle}&fuel=petrol&km=1000")
    assert response.status_code == 404
    for path, data in (
        ("edit", {"plate": "京A12345"}),
        ("readings", {"km": "99999", "read_on": "2024-01-01"}),
        ("services", {"item": "engine_oil", "done_on": "2024-01-01"}),
        ("insurance", {"insurer": "平安", "expires_on": "2030-01-01"}),
        ("select", {}),
        ("default", {}),
        ("delete", {}),
    ):
        assert intruder.post(f"/garage/{vehicle}/{path}", data=data).status_code == 404, path
    with app.app_context():
        found = db.session.get(GarageVehicle, vehicle)
        assert found is not None and len(found.readings) == readings_before
        assert found.plate is None
    assert state(app) == before


def test_another_shops_console_is_404(app, world, shops):
    """The manager of shop b tries shop a's console, listings, staff, money and reviews."""
    manager_b = app.test_client()
    manager_b.login("manager-b@example.com")
    a, listing = world.a, world.listings["oil_a"]
    before = state(app)
    for url in (
        f"/merchant/shops/{a}",
        f"/merchant/shops/{a}/listings/new",
        f"/merchant/listings/{listing}/edit",
        f"/merchant/shops/{a}/staff",
        f"/merchant/shops/{a}/redemptions",
        f"/merchant/shops/{a}/redemptions?format=csv",
        f"/merchant/shops/{a}/earnings",
        f"/merchant/shops/{a}/earnings/statement.csv?month=2024-01",
        f"/merchant/shops/{a}/dashboard",
        f"/merchant/shops/{a}/lost-customers",
        f"/merchant/reviews/shops/{a}",
        f"/listings/{shops['listings']['draft_b'] + 1000}",
    ):
        assert manager_b.get(url).status_code == 404, url
    posts = [
        (f"/merchant/shops/{a}", {"address": "x", "district": "x", "opening_hours": "x"}),
        (f"/merchant/shops/{a}/listings/new", {"title": "冒充", "category": "repair"}),
        (f"/merchant/listings/{listing}/edit", {"title": "冒充", "category": "repair"}),
        (f"/merchant/listings/{listing}/status/paused", {}),
        (f"/merchant/shops/{a}/staff", {"email": "spy@example.com", "role": "manager"}),
        (f"/merchant/shops/{a}/dashboard", {"months": "3"}),
        (f"/merchant/shops/{a}/payout-account", {}),
    ]
    for url, data in posts:
        assert manager_b.post(url, data=data).status_code == 404, url
    assert state(app) == before
    with app.app_context():
        from marketplace.models import Listing, ListingStatus

        assert db.session.get(Listing, listing).status is ListingStatus.ACTIVE


def test_a_draft_listing_is_404_to_the_public_and_other_shops(app, world, shops, intruder):
    draft = shops["listings"]["draft_b"]
    manager_a = app.test_client()
    manager_a.login("manager-a@example.com")
    assert app.test_client().get(f"/listings/{draft}").status_code == 404
    assert intruder.get(f"/listings/{draft}").status_code == 404
    assert manager_a.get(f"/listings/{draft}").status_code == 404
    assert intruder.post("/cart/add", data={"listing_id": draft, "quantity": 1}).status_code == 404


def test_the_intruders_email_is_a_distinct_account(app, intruder):
    assert user_id(app, INTRUDER) != user_id(app, OWNER)
