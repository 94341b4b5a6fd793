"""What you buy fits your car: cards, pages and cart lines say so; the cart and the order
refuse what does not fit; oil viscosity and tyre size count where both sides state them."""

import re

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import CartLine, GarageVehicle, Listing, Order
from marketplace.services import fitment
from marketplace.services.fitment import FitmentError

from ..conftest import COROLLA_CVT, MODEL3, PASSWORD


def card_fits(page: str) -> dict[int, str]:
    """listing id → data-fit of its card ("yes", "no", "all")."""
    cards = re.findall(
        r'data-listing-id="(\d+)">(.*?)</li>\s*(?=<li class="card listing-card"|</ul>)', page, re.S
    )
    return {
        int(i): (re.search(r'data-fit="(\w+)"', body) or [None, "none"])[1] for i, body in cards
    }


def test_search_shows_what_fits_the_selected_car_with_a_switch_to_all(client, shops):
    listings = shops["listings"]
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    fitting = card_fits(client.get("/listings/").get_data(as_text=True))
    assert listings["toyota_a"] in fitting and listings["oil_a"] in fitting
    assert listings["ev_b"] not in fitting, "an EV-only package is not shown for a 卡罗拉"
    assert set(fitting.values()) <= {"yes", "all"}
    every = client.get("/listings/?fits=0").get_data(as_text=True)
    shown = card_fits(every)
    assert shown[listings["ev_b"]] == "no" and shown[listings["toyota_a"]] == "yes"
    assert shown[listings["wash_a"]] == "all"
    assert "不适用于您的" in every and "仅适用于纯电动" in every
    assert 'name="fits"' in client.get("/listings/").get_data(as_text=True)


def test_a_listing_that_does_not_fit_cannot_be_added_or_ordered(app, client, shops):
    listings = shops["listings"]
    client.post("/vehicles/select", data={"variant_id": MODEL3})
    refused = client.post("/cart/add", data={"listing_id": listings["toyota_a"], "quantity": 1})
    assert refused.status_code == 302 and "/listings/" in refused.headers["Location"]
    detail = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "不适用于您的" in detail and "/vehicles/" in detail
    with client.session_transaction() as session:
        assert not session.get("cart")
    ok = client.post("/cart/add", data={"listing_id": listings["ev_b"], "quantity": 1})
    assert ok.headers["Location"].endswith("/cart/")


def test_the_order_is_checked_against_each_lines_car(app, client, make_user, shops, localstripe):
    listings = shops["listings"]
    make_user("fit@example.com")
    client.login("fit@example.com")
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    client.post("/cart/add", data={"listing_id": listings["oil_a"], "quantity": 1})
    with app.app_context():  # the line was made for the car, then the car's fuel is corrected
        line = db.session.scalar(select(CartLine))
        vehicle = db.session.get(GarageVehicle, line.vehicle_id)
        assert vehicle.variant_id == COROLLA_CVT
        vehicle.variant_id = MODEL3
        db.session.commit()
    page = client.get("/cart/").get_data(as_text=True)
    assert 'data-fit="no"' in page and "选择其他车辆" in page
    total = re.search(r'name="expected_total"[^>]*value="(\d+)"', page).group(1)
    response = client.post("/cart/checkout", data={"expected_total": total})
    assert response.status_code == 302 and response.headers["Location"].endswith("/cart/")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def _set_listing(app, listing_id, **values):
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        for name, value in values.items():
            setattr(listing, name, value)
        db.session.commit()


def _garage_car(app, client, make_user, variant_id, **spec):
    make_user("spec@example.com")
    client.login("spec@example.com")
    client.post("/vehicles/select", data={"variant_id": variant_id})
    with app.app_context():
        vehicle = db.session.scalar(select(GarageVehicle))
        for name, value in spec.items():
            setattr(vehicle, name, value)
        db.session.commit()
        return vehicle.id


def test_oil_viscosity_counts_when_both_sides_state_it(app, client, make_user, shops):
    listings = shops["listings"]
    _set_listing(app, listings["oil_a"], oil_viscosity="10W-40")
    _set_listing(app, listings["big_a"], oil_viscosity="0W-20")
    vehicle_id = _garage_car(app, client, make_user, COROLLA_CVT)
    unknown = card_fits(client.get("/listings/?item=engine_oil").get_data(as_text=True))
    assert listings["oil_a"] in unknown and listings["big_a"] in unknown
    page = client.get("/listings/?item=engine_oil").get_data(as_text=True)
    assert "请核对机油规格" in page, "the car's oil is unknown: check the spec"
    client.post(
        f"/garage/{vehicle_id}/edit", data={"oil_viscosity": "0w20", "tyre_size": "205/55 r16"}
    )
    with app.app_context():
        vehicle = db.session.get(GarageVehicle, vehicle_id)
        assert (vehicle.oil_viscosity, vehicle.tyre_size) == ("0W-20", "205/55R16")
    known = card_fits(client.get("/listings/?item=engine_oil").get_data(as_text=True))
    assert listings["big_a"] in known and listings["oil_a"] not in known
    every = client.get(f"/listings/{listings['oil_a']}").get_data(as_text=True)
    assert "10W-40" in every and "0W-20" in every and 'data-fit="no"' in every
    refused = client.post("/cart/add", data={"listing_id": listings["oil_a"], "quantity": 1})
    assert "/listings/" in refused.headers["Location"]


def test_the_matchers_cover_picks_matching_oil(app, client, make_user, shops):
    listings = shops["listings"]
    _set_listing(app, listings["oil_a"], oil_viscosity="10W-40")
    _set_listing(app, listings["big_a"], oil_viscosity="0W-20")
    vehicle_id = _garage_car(app, client, make_user, COROLLA_CVT, oil_viscosity="0W-20")
    url = (  # 8,000 km: the oil (every 8,047 km for a 卡罗拉) is due
        f"/maintenance/result?vehicle={vehicle_id}&variant={COROLLA_CVT}&km=8000&months=5&city=北京"
    )
    page = client.get(url).get_data(as_text=True)
    covered = {
        int(i) for i in re.findall(r'<li><a href="/listings/\d+" data-listing-id="(\d+)"', page)
    }
    assert listings["oil_a"] not in covered, "a 10W-40 package is not a cover for a 0W-20 car"
    with app.app_context():
        db.session.get(GarageVehicle, vehicle_id).oil_viscosity = None
        db.session.commit()
    unsure = client.get(url).get_data(as_text=True)
    assert "data-check-spec" in unsure


def test_tyre_size_counts_when_both_sides_state_it(app, client, make_user, shops):
    tyres = shops["listings"]["tire_b"]
    _set_listing(app, tyres, tyre_size="225/45R17")
    _garage_car(app, client, make_user, COROLLA_CVT, tyre_size="205/55R16")
    assert tyres not in card_fits(client.get("/listings/?category=tires").get_data(as_text=True))
    every = card_fits(client.get("/listings/?category=tires&fits=0").get_data(as_text=True))
    assert every[tyres] == "no"


@pytest.mark.parametrize(
    ("text", "normal"),
    [("0W-20", "0W-20"), ("0w20", "0W-20"), (" 5W-30 ", "5W-30"), ("", None), (None, None)],
)
def test_viscosities_are_normalised(text, normal):
    assert fitment.viscosity(text) == normal


@pytest.mark.parametrize("text", ["0W-99", "W-20", "10W40X", "SAE 30", "0W-200"])
def test_impossible_viscosities_are_refused(text):
    with pytest.raises(FitmentError) as refused:
        fitment.viscosity(text)
    assert refused.value.code == "bad_viscosity"


@pytest.mark.parametrize(
    ("text", "normal"),
    [("225/45 R17", "225/45R17"), ("225/45r17", "225/45R17"), ("245/40 ZR19", "245/40R19")],
)
def test_tyre_sizes_are_normalised(text, normal):
    assert fitment.tyre_size(text) == normal


@pytest.mark.parametrize("text", ["999/99 R99", "225/45", "223/45 R17", "225/45 R30", "R17"])
def test_impossible_tyre_sizes_are_refused(text):
    with pytest.raises(FitmentError):
        fitment.tyre_size(text)


def test_bad_specs_on_a_listing_or_a_car_change_nothing(app, client, make_user, shops):
    vehicle_id = _garage_car(app, client, make_user, COROLLA_CVT, oil_viscosity="0W-20")
    bad = client.post(f"/garage/{vehicle_id}/edit", data={"oil_viscosity": "0W-99"})
    assert "SAE" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(GarageVehicle, vehicle_id).oil_viscosity == "0W-20"
    client.post("/auth/logout")
    client.login("manager-a@example.com")
    listing_id = shops["listings"]["oil_a"]
    page = client.get(f"/merchant/listings/{listing_id}/edit").get_data(as_text=True)
    fields = dict(re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    fields.update({"items": "engine_oil", "oil_viscosity": "0W-99", "tyre_size": "999/99 R99"})
    response = client.post(f"/merchant/listings/{listing_id}/edit", data=fields)
    assert response.status_code in (200, 400)
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        assert (listing.oil_viscosity, listing.tyre_size) == (None, None)


def test_signing_in_from_checkout_returns_to_the_cart_with_its_lines(app, client, make_user, shops):
    make_user("guest@example.com")
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    client.post("/cart/add", data={"listing_id": shops["listings"]["oil_a"], "quantity": 2})
    page = client.get("/cart/").get_data(as_text=True)
    total = re.search(r'name="expected_total"[^>]*value="(\d+)"', page).group(1)
    asked = client.post("/cart/checkout", data={"expected_total": total})
    assert asked.status_code == 302 and "/auth/login" in asked.headers["Location"]
    login_page = client.get(asked.headers["Location"]).get_data(as_text=True)
    login_form = re.search(r'<form[^>]*action="/auth/login[^"]*".*?</form>', login_page, re.S)
    next_value = re.search(r'name="next"[^>]*value="([^"]*)"', login_form.group(0)).group(1)
    assert next_value == "/cart/checkout"
    landed = client.post(
        "/auth/login",
        data={"email": "guest@example.com", "password": PASSWORD, "next": next_value},
    )
    assert landed.status_code == 302 and landed.headers["Location"] == "/cart/"
    cart_page = client.get("/cart/")
    assert cart_page.status_code == 200
    assert f'data-listing-id="{shops["listings"]["oil_a"]}"' in cart_page.get_data(as_text=True)
    with app.app_context():
        line = db.session.scalar(select(CartLine))
        assert line.quantity == 2 and line.vehicle_id is not None


def test_any_post_only_next_lands_on_a_page(app, client, make_user, shops):
    make_user("next@example.com")
    for target, landing in [
        ("/cart/checkout", "/cart/"),
        ("/garage/1/services", "/garage/1"),
        ("/listings/", "/listings/"),
        ("//evil.example.com/x", None),
    ]:
        response = client.post(
            "/auth/login",
            data={"email": "next@example.com", "password": PASSWORD, "next": target},
        )
        assert response.headers["Location"] == (landing or "/"), target
        client.post("/auth/logout")


def test_the_search_forms_switch_turns_fitting_off_and_on(client, shops):
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    ev = shops["listings"]["ev_b"]
    assert ev not in card_fits(client.get("/listings/?fits=0&fits=1").get_data(as_text=True))
    page = client.get("/listings/?fits=0").get_data(as_text=True)
    assert ev in card_fits(page) and "data-show-all" not in page
    assert "data-show-all" in client.get("/listings/").get_data(as_text=True)
