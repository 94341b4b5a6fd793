"""A car the catalog does not list: described by its owner, then used by the matcher,
fitment, checkout and reminders like a catalog variant."""

import re
from datetime import date

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import GarageVehicle, Order, UnlistedCar
from tests.payments.helpers import add_and_order

TODAY_YEAR = date.today().year

QIN_PLUS = {
    "brand_id": "",
    "brand_name": "比亚迪",
    "series_name": "秦PLUS",
    "model_year": "2024",
    "fuel_type": "phev",
    "transmission": "",
    "displacement": "1.5",
}
MODEL_Y = {
    "brand_id": "133",
    "brand_name": "",
    "series_name": "Model Y",
    "model_year": "2024",
    "fuel_type": "bev",
    "transmission": "single_speed",
    "displacement": "",
}


def signed_in(client, make_user, email="unlisted@example.com"):
    make_user(email)
    client.login(email)
    client.post("/language", data={"lang": "en"})
    return client


def add_unlisted(client, **fields):
    return client.post("/garage/unlisted", data=fields)


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(GarageVehicle)),
            db.session.scalar(select(func.count()).select_from(UnlistedCar)),
        )


def test_selection_pages_offer_the_unlisted_path(client, small_catalog):
    for url in ("/vehicles/", "/vehicles/brands/3", "/vehicles/series/526?year=2019"):
        page = client.get(url).get_data(as_text=True)
        assert "data-not-listed" in page and "/garage/unlisted" in page, url
    series_page = client.get("/vehicles/series/526?year=2019").get_data(as_text=True)
    assert "/garage/unlisted?brand_id=3&amp;series=%E5%8D%A1%E7%BD%97%E6%8B%89" in series_page


def test_a_guest_is_asked_to_sign_in_first(client, small_catalog):
    response = client.get("/garage/unlisted?brand_id=3")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_an_owner_adds_an_unlisted_car_which_becomes_the_selected_car(
    app, client, make_user, small_catalog
):
    signed_in(client, make_user)
    form = client.get("/garage/unlisted?brand_id=133&series=Model%20Y").get_data(as_text=True)
    assert 'value="Model Y"' in form and '<option selected value="133">' in form
    response = add_unlisted(client, **MODEL_Y, registered_on="2024-03-01")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        vehicle = db.session.scalar(select(GarageVehicle))
        car = vehicle.unlisted_car
        assert vehicle.variant_id is None and vehicle.is_default
        assert (car.brand_id, car.brand_name, car.series_name) == (133, "特斯拉", "Model Y")
        assert (car.model_year, car.fuel_type, car.displacement_cc) == (2024, "bev", None)
        assert vehicle.label == "特斯拉 Model Y 2024款"
    home = client.get("/").get_data(as_text=True)
    assert "特斯拉 Model Y 2024款" in home


def test_the_matcher_uses_the_unlisted_cars_facts(app, client, make_user, small_catalog):
    signed_in(client, make_user)
    add_unlisted(client, **QIN_PLUS)
    with app.app_context():
        vehicle_id = db.session.scalar(select(GarageVehicle.id))
    form = client.get(f"/maintenance/?vehicle={vehicle_id}").get_data(as_text=True)
    assert "比亚迪 秦PLUS 2024款" in form and 'name="fuel"' not in form
    page = client.get(f"/maintenance/result?vehicle={vehicle_id}&km=30000&months=24")
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text[:2000]
    assert "比亚迪 秦PLUS 2024款" in text
    assert 'data-item="engine_oil"' in text, "a plug-in hybrid has an engine"
    signed_in(client, make_user, "ev@example.com")
    add_unlisted(client, **MODEL_Y)
    with app.app_context():
        ev_id = db.session.scalar(
            select(GarageVehicle.id).order_by(GarageVehicle.id.desc()).limit(1)
        )
    ev = client.get(f"/maintenance/result?vehicle={ev_id}&km=30000&months=24")
    assert ev.status_code == 200
    assert 'data-item="engine_oil"' not in ev.get_data(as_text=True)
    assert 'data-item="cabin_filter"' in ev.get_data(as_text=True)


def test_fitment_by_brand_and_fuel_and_checkout_for_the_unlisted_car(
    app, client, make_user, shops, localstripe
):
    signed_in(client, make_user)
    add_unlisted(client, **{**MODEL_Y, "series_name": "Model Y L", "model_year": "2025"})
    listings = shops["listings"]
    found = client.get("/listings/?fits=1").get_data(as_text=True)
    ids = {int(i) for i in re.findall(r'data-listing-id="(\d+)"', found)}
    assert listings["ev_b"] in ids, "an EV-only listing fits the electric car"
    assert listings["oil_a"] not in ids, "a petrol/hybrid listing does not"
    assert listings["toyota_a"] not in ids, "a Toyota-only listing does not fit a Tesla"
    number = add_and_order(client, listings["ev_b"])
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        vehicle = db.session.scalar(select(GarageVehicle))
        line = order.lines[0]
        assert (line.variant_id, line.vehicle_id) == (None, vehicle.id)
        assert line.vehicle_label == "特斯拉 Model Y L 2025款"


def test_bad_descriptions_are_refused_and_change_nothing(app, client, make_user, small_catalog):
    signed_in(client, make_user)
    cases = [
        ({"series_name": ""}, "Please type the model name"),
        ({"brand_name": ""}, "Please choose the brand"),
        ({"model_year": "1970"}, "Please choose a model year from 1980"),
        ({"model_year": str(TODAY_YEAR + 2)}, "Please choose a model year from 1980"),
        ({"model_year": "twenty"}, "Not a valid integer"),
        ({"fuel_type": "steam"}, "Not a valid choice"),
        ({"fuel_type": "bev", "displacement": "1.5"}, "a battery-electric car has none"),
        ({"displacement": "12"}, "Between 0.6 and 8.4 litres"),
        ({"brand_id": "999999"}, "Not a valid choice"),
        ({"registered_on": "2019-05-01"}, "cannot have been registered before 2023"),
        ({"vin": "LGXCE4CB6S013455"}, "17 characters"),
        ({"plate": "京O12345"}, "not a valid mainland China plate"),
    ]
    for change, expected in cases:
        response = add_unlisted(client, **{**QIN_PLUS, **change})
        text = response.get_data(as_text=True)
        assert response.status_code == 400, (change, text[:500])
        assert expected in text, (change, re.findall(r'class="errors"[^<]*<li>([^<]*)', text))
    assert counts(app) == (0, 0)


def test_a_vin_that_contradicts_the_car_is_refused(app, client, make_user, small_catalog):
    signed_in(client, make_user)
    # a real BYD 宋PLUS VIN (2025): BYD's WMI, year code S
    byd_vin = "LGXCE4CB6S0134553"
    wrong_maker = add_unlisted(client, **{**MODEL_Y, "model_year": "2025", "vin": byd_vin})
    assert wrong_maker.status_code == 400
    assert "another maker than 特斯拉" in wrong_maker.get_data(as_text=True)
    wrong_year = add_unlisted(client, **{**QIN_PLUS, "model_year": "2021", "vin": byd_vin})
    assert wrong_year.status_code == 400
    assert "model year 2025" in wrong_year.get_data(as_text=True)
    assert counts(app) == (0, 0)
    right = add_unlisted(client, **{**QIN_PLUS, "model_year": "2025", "vin": byd_vin.lower()})
    assert right.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(GarageVehicle.vin)) == byd_vin


def test_admins_see_the_most_entered_unlisted_cars(app, client, make_user, small_catalog):
    from marketplace.models import Role

    for n in range(3):
        signed_in(client, make_user, f"qin{n}@example.com")
        add_unlisted(client, **QIN_PLUS)
        client.post("/auth/logout")
    signed_in(client, make_user, "y@example.com")
    add_unlisted(client, **MODEL_Y)
    client.post("/auth/logout")
    make_user("admin@example.com", role=Role.ADMIN)
    client.login("admin@example.com")
    client.post("/language", data={"lang": "en"})
    page = client.get("/admin/unlisted-cars").get_data(as_text=True)
    rows = re.findall(r'data-unlisted-row="([^"]+)" data-count="(\d+)"', page)
    assert rows[:2] == [("比亚迪 秦PLUS 2024|phev", "3"), ("特斯拉 Model Y 2024|bev", "1")]
    client.post("/auth/logout")
    client.login("y@example.com")
    assert client.get("/admin/unlisted-cars").status_code in (403, 404)


def test_a_double_submit_adds_the_car_once(app, client, make_user, small_catalog):
    signed_in(client, make_user)
    first = add_unlisted(client, **QIN_PLUS)
    second = add_unlisted(client, **QIN_PLUS)
    assert first.headers["Location"] == second.headers["Location"]
    assert counts(app) == (1, 1)
    with_plate = add_unlisted(client, **QIN_PLUS, plate="沪AD12345")
    assert with_plate.status_code == 302 and counts(app) == (2, 2), "a second car, with a plate"
