"""Garage entries that cannot be true are refused with a message and change nothing."""

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import GarageVehicle, ServiceRecord
from tests.conftest import COROLLA_CVT, MODEL3


def owner_with(app, client, make_user, variant_id):
    make_user("checks@example.com")
    client.login("checks@example.com")
    client.post("/language", data={"lang": "en"})
    client.post("/vehicles/select", data={"variant_id": variant_id})
    with app.app_context():
        return db.session.scalar(select(GarageVehicle.id))


def test_engine_items_cannot_be_recorded_on_a_battery_electric_car(
    app, client, make_user, small_catalog
):
    vehicle_id = owner_with(app, client, make_user, MODEL3)
    for item in ("engine_oil", "spark_plugs"):
        response = client.post(
            f"/garage/{vehicle_id}/services", data={"item": item, "done_on": "2024-05-01"}
        )
        assert response.status_code == 200  # the car's page again, with the message
        assert "has no engine" in response.get_data(as_text=True)
    ok = client.post(
        f"/garage/{vehicle_id}/services", data={"item": "cabin_filter", "done_on": "2024-05-01"}
    )
    assert ok.status_code == 302
    with app.app_context():
        items = db.session.scalars(select(ServiceRecord.item)).all()
        assert items == ["cabin_filter"]


def test_registration_before_the_model_year_can_be_sold_is_refused(
    app, client, make_user, small_catalog
):
    vehicle_id = owner_with(app, client, make_user, COROLLA_CVT)  # a 2019款
    early = client.post(f"/garage/{vehicle_id}/edit", data={"registered_on": "2017-12-31"})
    assert early.status_code == 200
    assert "cannot have been registered before 2018" in early.get_data(as_text=True)
    fine = client.post(f"/garage/{vehicle_id}/edit", data={"registered_on": "2018-09-01"})
    assert fine.status_code == 302
    with app.app_context():
        assert str(db.session.get(GarageVehicle, vehicle_id).registered_on) == "2018-09-01"


def test_a_vin_is_checked_against_the_garage_car(app, client, make_user, small_catalog):
    vehicle_id = owner_with(app, client, make_user, MODEL3)  # 特斯拉 Model 3, 2020款
    cases = [
        ("LRW3E7FS5PC69535", "17 characters"),
        ("LRW3E7FS5PC6953O5", "never the letters I, O or Q"),
        ("LRW3E7FS6PC695355", "check digit"),
        ("LRW3E7FS5PC695355", "model year 2023"),  # a real 2023 Model 3 VIN
        ("LGXCE4CB6S0134553", "another maker than 特斯拉"),  # a BYD
    ]
    for vin, expected in cases:
        response = client.post(f"/garage/{vehicle_id}/edit", data={"vin": vin})
        assert response.status_code == 200, vin
        assert expected in response.get_data(as_text=True), (vin, expected)
    with app.app_context():
        assert db.session.get(GarageVehicle, vehicle_id).vin is None
    # a 2020 Model 3 built in Shanghai: real WMI, year code L; check digit computed
    from marketplace.services.vin import check_digit

    body = "LRW3E7EA0LC000000"
    vin = body[:8] + check_digit(body) + body[9:]
    saved = client.post(f"/garage/{vehicle_id}/edit", data={"vin": vin.lower()})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(GarageVehicle, vehicle_id).vin == vin
        assert db.session.scalar(select(func.count()).select_from(GarageVehicle)) == 1
