"""My garage: several cars, one default, plates, readings that never go backwards."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import GarageVehicle, OdometerReading, ServiceRecord
from marketplace.services.garage import normalize_plate, valid_plate

from ..conftest import COROLLA_CVT, MODEL3


@pytest.fixture
def owner(client, small_catalog, make_user):
    make_user("owner@example.com")
    client.login("owner@example.com")
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    client.post("/vehicles/select", data={"variant_id": MODEL3})
    return client


def vehicle_ids(app):
    with app.app_context():
        return db.session.scalars(select(GarageVehicle.id).order_by(GarageVehicle.id)).all()


def readings(app):
    with app.app_context():
        return db.session.scalars(select(OdometerReading.km).order_by(OdometerReading.id)).all()


@pytest.mark.parametrize(
    ("plate", "ok"),
    [
        ("京A12345", True),
        ("沪AD12345", True),
        ("粤B12345D", True),
        ("苏E0A1B2", True),
        ("浙AF12345", True),
        ("京I12345", False),
        ("京A1234", False),
        ("京A1234567", False),
        ("AA12345", False),
        ("京a12345", False),
    ],
)
def test_plate_format(plate, ok):
    assert valid_plate(plate) is ok


def test_plate_is_normalized():
    assert normalize_plate(" 京a·123 45 ") == "京A12345"
    assert normalize_plate("  ") is None


def test_garage_lists_cars_with_default_first(owner, app):
    page = owner.get("/garage/").get_data(as_text=True).split('class="garage-list"')[1]
    assert page.count("data-garage-vehicle-id") == 2
    assert page.index("卡罗拉") < page.index("Model 3")
    assert "默认" in page


def test_edit_plate_and_registration(owner, app):
    first, _ = vehicle_ids(app)
    response = owner.post(
        f"/garage/{first}/edit", data={"plate": "京a 12345", "registered_on": "2019-05-01"}
    )
    assert response.status_code == 302
    with app.app_context():
        vehicle = db.session.get(GarageVehicle, first)
        assert (vehicle.plate, vehicle.registered_on) == ("京A12345", date(2019, 5, 1))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"plate": "ABC123"}, "不是有效的"),
        ({"registered_on": "2999-01-01"}, "不能晚于今天"),
        ({"registered_on": "1975-01-01"}, "1980"),
        ({"registered_on": "not-a-date"}, "日期"),
    ],
)
def test_bad_vehicle_details_are_refused(owner, app, data, message):
    first, _ = vehicle_ids(app)
    response = owner.post(f"/garage/{first}/edit", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        vehicle = db.session.get(GarageVehicle, first)
        assert vehicle.plate is None and vehicle.registered_on is None


def test_two_cars_cannot_share_a_plate(owner, app):
    first, second = vehicle_ids(app)
    owner.post(f"/garage/{first}/edit", data={"plate": "京A12345"})
    response = owner.post(f"/garage/{second}/edit", data={"plate": "京A12345"})
    assert "已有车辆使用该车牌" in response.get_data(as_text=True)


def test_readings_never_go_backwards(owner, app):
    first, _ = vehicle_ids(app)
    today = date.today()
    day = lambda n: (today - timedelta(days=n)).isoformat()  # noqa: E731
    assert (
        owner.post(
            f"/garage/{first}/readings", data={"km": "30000", "read_on": day(100)}
        ).status_code
        == 302
    )
    assert (
        owner.post(
            f"/garage/{first}/readings", data={"km": "36000", "read_on": day(10)}
        ).status_code
        == 302
    )
    response = owner.post(f"/garage/{first}/readings", data={"km": "29000", "read_on": day(5)})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "29,000" in body and "36,000" in body and "低于" in body
    response = owner.post(f"/garage/{first}/readings", data={"km": "40000", "read_on": day(50)})
    assert "高于" in response.get_data(as_text=True)
    assert (
        owner.post(
            f"/garage/{first}/readings", data={"km": "33000", "read_on": day(50)}
        ).status_code
        == 302
    )
    assert readings(app) == [30000, 36000, 33000]


@pytest.mark.parametrize(
    "km",
    ["-1", "2000001", "abc", "", "1e9"],
)
def test_bad_odometer_values_are_refused(owner, app, km):
    first, _ = vehicle_ids(app)
    response = owner.post(
        f"/garage/{first}/readings", data={"km": km, "read_on": date.today().isoformat()}
    )
    assert response.status_code == 200
    assert 'class="errors"' in response.get_data(as_text=True)
    assert readings(app) == []


def test_reading_in_the_future_is_refused(owner, app):
    first, _ = vehicle_ids(app)
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    response = owner.post(f"/garage/{first}/readings", data={"km": "100", "read_on": tomorrow})
    assert "不能晚于今天" in response.get_data(as_text=True)
    assert readings(app) == []


def test_record_a_service(owner, app):
    first, _ = vehicle_ids(app)
    response = owner.post(
        f"/garage/{first}/services",
        data={"item": "engine_oil", "done_on": "2024-03-01", "km": "42000"},
    )
    assert response.status_code == 302
    response = owner.post(
        f"/garage/{first}/services", data={"item": "unicorn_oil", "done_on": "2024-03-01"}
    )
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalars(select(ServiceRecord.item)).all() == ["engine_oil"]


def test_default_and_selection(owner, app):
    first, second = vehicle_ids(app)
    owner.post(f"/garage/{second}/default")
    with app.app_context():
        defaults = db.session.scalars(
            select(GarageVehicle.id).where(GarageVehicle.is_default)
        ).all()
        assert defaults == [second]
    owner.post(f"/garage/{first}/select")
    header = owner.get("/").get_data(as_text=True).split("</header>")[0]
    assert "卡罗拉" in header


def test_the_selected_car_comes_with_the_user(owner, app, make_user, count_queries):
    """The user and their selected car are read in one statement: the car chosen in this
    session, the default when none is, and never one that is not theirs."""
    from marketplace.selection import GARAGE_KEY

    def header() -> str:
        return owner.get("/vehicles/").get_data(as_text=True).split("</header>")[0]

    first, second = vehicle_ids(app)  # 卡罗拉, then Model 3, which is selected now
    owner.post(f"/garage/{first}/default")
    with count_queries() as queries:
        assert "Model 3" in header()
    garage = [s for s in queries.statements if "garage_vehicles" in s]
    assert len(garage) == 1 and "FROM users" in garage[0] and "variants" in garage[0]
    with owner.session_transaction() as session:
        session.pop(GARAGE_KEY)
    assert "卡罗拉" in header(), "no car chosen in this session: the default"
    make_user("other@example.com")
    other = app.test_client()
    other.login("other@example.com")
    other.post("/vehicles/select", data={"variant_id": MODEL3})
    with app.app_context():
        theirs = db.session.scalar(select(func.max(GarageVehicle.id)))
    with owner.session_transaction() as session:
        session[GARAGE_KEY] = theirs
    assert "卡罗拉" in header(), "another owner's car is never the selection"
    with owner.session_transaction() as session:
        session[GARAGE_KEY] = second
    assert "Model 3" in header()


def test_removing_the_default_promotes_another(owner, app):
    first, second = vehicle_ids(app)
    owner.post(f"/garage/{first}/readings", data={"km": "100", "read_on": date.today().isoformat()})
    assert owner.post(f"/garage/{first}/delete").status_code == 302
    with app.app_context():
        assert db.session.scalars(
            select(GarageVehicle.id).where(GarageVehicle.is_default)
        ).all() == [second]
        assert db.session.scalar(select(func.count()).select_from(OdometerReading)) == 0


def test_another_owners_car_is_a_404_everywhere(owner, app, make_user):
    first, _ = vehicle_ids(app)
    make_user("other@example.com")
    other = app.test_client()
    other.login("other@example.com")
    assert other.get(f"/garage/{first}").status_code == 404
    for action, data in [
        ("edit", {"plate": "京A99999"}),
        ("readings", {"km": "1", "read_on": "2024-01-01"}),
        ("services", {"item": "engine_oil", "done_on": "2024-01-01"}),
        ("select", {}),
        ("default", {}),
        ("delete", {}),
    ]:
        assert other.post(f"/garage/{first}/{action}", data=data).status_code == 404
    assert other.get(f"/maintenance/?vehicle={first}").status_code == 404
    assert (
        other.get(f"/maintenance/result?variant={COROLLA_CVT}&km=1&vehicle={first}").status_code
        == 404
    )
    assert len(vehicle_ids(app)) == 2 and readings(app) == []


def test_garage_needs_sign_in(client):
    response = client.get("/garage/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
