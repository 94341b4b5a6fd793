"""The matcher's form and its shareable result page."""

import re
from datetime import date, timedelta

import pytest

from ..conftest import CAMRY_HEV, COROLLA_CVT, MODEL3


def rows(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-item="([a-z_]+)" data-status="([a-z]+)"', page))


def result(client, **params):
    return client.get("/maintenance/result", query_string=params)


def years_ago(n: int) -> str:
    today = date.today()
    return today.replace(year=today.year - n).isoformat()


def test_result_rows_carry_item_and_status(client, small_catalog):
    response = result(client, variant=COROLLA_CVT, km=48000, registered=years_ago(3))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    found = rows(page)
    assert {"engine_oil", "oil_filter", "brake_fluid", "transmission_fluid"} <= set(found)
    assert set(found.values()) <= {"overdue", "due", "upcoming", "ok", "unknown"}
    assert "依据" in page and "丰田 卡罗拉" in page


def test_an_electric_car_gets_no_engine_items(client, small_catalog):
    page = result(client, variant=MODEL3, km=30000, registered=years_ago(2)).get_data(as_text=True)
    found = rows(page)
    assert found, "an EV still has items (cabin filter, brake fluid, tires)"
    assert not {"engine_oil", "oil_filter", "spark_plugs", "timing_belt"} & set(found)


def test_fuel_and_transmission_instead_of_a_variant(client, small_catalog):
    page = result(client, fuel="diesel", transmission="mt", km=10000, months=12).get_data(
        as_text=True
    )
    assert "engine_oil" in rows(page)


@pytest.fixture
def oil_changed_at_40000(client, small_catalog, make_user):
    """A signed-in owner whose Corolla had its oil changed at 40,000 km two weeks ago."""
    make_user("owner@example.com")
    client.login("owner@example.com")
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    client.post("/garage/1/edit", data={"registered_on": years_ago(3)})
    two_weeks_ago = (date.today() - timedelta(days=14)).isoformat()
    client.post(
        "/garage/1/services", data={"item": "engine_oil", "done_on": two_weeks_ago, "km": "40000"}
    )
    with client.application.app_context():
        from marketplace.selection import load_variant
        from marketplace.services.maintenance_rules import plan_maintenance

        plan = plan_maintenance(
            car=load_variant(COROLLA_CVT),
            fuel_type=None,
            transmission=None,
            odometer_km=40000,
            today=date.today(),
        )
        return plan.rules["engine_oil"].every_km


def test_status_at_the_km_boundaries(client, oil_changed_at_40000):
    every = oil_changed_at_40000
    due_at = 40000 + every
    expected = {
        due_at - every // 4 - 1: "ok",
        due_at - every // 4: "upcoming",
        due_at - every // 10 - 1: "upcoming",
        due_at - every // 10: "due",
        due_at: "due",
        due_at + 1: "overdue",
    }
    for km, status in expected.items():
        page = result(
            client, variant=COROLLA_CVT, km=km, registered=years_ago(3), vehicle=1
        ).get_data(as_text=True)
        assert rows(page)["engine_oil"] == status, km


def test_history_from_the_garage_drives_the_reason(app, client, small_catalog, make_user):
    make_user("owner@example.com")
    client.login("owner@example.com")
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    vehicle_id = 1
    eight_months_ago = (date.today() - timedelta(days=245)).isoformat()
    client.post(f"/garage/{vehicle_id}/edit", data={"registered_on": years_ago(4)})
    client.post(
        f"/garage/{vehicle_id}/services",
        data={"item": "engine_oil", "done_on": eight_months_ago, "km": "42000"},
    )
    page = result(
        client, variant=COROLLA_CVT, km=53000, registered=years_ago(4), vehicle=vehicle_id
    ).get_data(as_text=True)
    assert rows(page)["engine_oil"] == "overdue"
    assert "上次在 42,000 km 更换，8 个月前" in page
    english = client.post("/language", data={"lang": "en"})
    assert english.status_code == 302
    page = result(
        client, variant=COROLLA_CVT, km=53000, registered=years_ago(4), vehicle=vehicle_id
    ).get_data(as_text=True)
    assert "Last done at 42,000 km, 8 months ago" in page


def test_form_is_prefilled_from_the_selected_garage_car(app, client, small_catalog, make_user):
    make_user("owner@example.com")
    client.login("owner@example.com")
    client.post("/vehicles/select", data={"variant_id": CAMRY_HEV})
    client.post("/garage/1/edit", data={"registered_on": "2020-06-01"})
    client.post("/garage/1/readings", data={"km": "61234", "read_on": date.today().isoformat()})
    page = client.get("/maintenance/").get_data(as_text=True)
    assert 'value="61234"' in page and 'value="2020-06-01"' in page
    assert f'name="variant" value="{CAMRY_HEV}"' in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"km": "-1"}, "0 到 2,000,000"),
        ({"km": "2000001"}, "0 到 2,000,000"),
        ({"km": "abc"}, "整数"),
        ({"km": ""}, "请输入行驶里程"),
        ({"registered": "2999-01-01"}, "不能晚于今天"),
        ({"registered": "1979-12-31"}, "1980"),
        ({"registered": "yesterday"}, "日期"),
        ({"variant": "999999"}, "999999"),
        ({"condition": "racing"}, "有效"),
        ({"months": "-3"}, "600"),
    ],
)
def test_bad_inputs_get_a_message_naming_the_field(client, small_catalog, params, message):
    query = {"variant": COROLLA_CVT, "km": "1000", "registered": "2020-01-01", **params}
    response = result(client, **query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "data-item=" not in response.get_data(as_text=True)


def test_no_vehicle_and_no_fuel_asks_for_one(client, small_catalog):
    response = result(client, km=1000)
    assert response.status_code == 400
    assert "请选择车型" in response.get_data(as_text=True)


def test_due_items_link_to_the_listings_search(client, small_catalog):
    page = result(client, variant=COROLLA_CVT, km=9500, months=11).get_data(as_text=True)
    assert f"/listings/?item=engine_oil&amp;variant={COROLLA_CVT}" in page
    assert client.get(f"/listings/?item=engine_oil&variant={COROLLA_CVT}").status_code == 200
