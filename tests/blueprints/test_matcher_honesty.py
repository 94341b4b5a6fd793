"""The matcher for owners who don't know their service history: nothing silently "ok",
one answer (the last 保养) anchors the oil service, and every word in the reader's language."""

import re
from datetime import date

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import GarageVehicle, ServiceRecord

from ..conftest import COROLLA_CVT, MODEL3
from .test_maintenance_pages import result, rows, years_ago

HAN = re.compile(r"[\u4e00-\u9fff]")


def texts(page: str, css: str) -> list[str]:
    found = re.findall(rf'<p class="{css}">(.*?)</p>', page, flags=re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", t).strip() for t in found]


def test_a_95000_km_five_year_car_without_history_is_not_silently_ok(client, small_catalog):
    page = result(client, variant=COROLLA_CVT, km=95_000, registered=years_ago(5)).get_data(
        as_text=True
    )
    found = rows(page)
    assert found["engine_oil"] == "unknown" and found["brake_fluid"] == "unknown"
    assert "ok" not in found.values(), found
    assert "data-unknown-history" in page and "data-last-service-form" in page
    assert 'data-done-at="engine_oil"' in page


def test_the_last_service_anchors_the_oil_service(client, small_catalog):
    page = result(
        client, variant=COROLLA_CVT, km=95_000, registered=years_ago(5), last_km=90_000
    ).get_data(as_text=True)
    found = rows(page)
    assert found["engine_oil"] in ("ok", "upcoming", "due", "overdue")
    assert found["oil_filter"] == found["engine_oil"]
    assert found["brake_fluid"] == "unknown", "one answer anchors only the oil service"
    assert "data-last-service-form" not in page
    dont_know = result(
        client, variant=COROLLA_CVT, km=95_000, registered=years_ago(5), last_unknown="y"
    ).get_data(as_text=True)
    assert rows(dont_know)["engine_oil"] == "unknown"


def test_a_reached_milestone_is_due(client, small_catalog):
    # CVT fluid every 40,000 km: at the point itself it is due, not done (it was "ok")
    page = result(client, variant=COROLLA_CVT, km=40_000, months=11).get_data(as_text=True)
    assert rows(page)["transmission_fluid"] == "due"
    before = result(client, variant=COROLLA_CVT, km=39_999, months=11).get_data(as_text=True)
    assert rows(before)["transmission_fluid"] == "due"


def test_one_click_done_at_answers_for_a_guest(client, small_catalog):
    first = result(client, variant=COROLLA_CVT, km=95_000, registered=years_ago(5))
    link = re.search(r'href="(\?[^"]+)" data-done-at="brake_fluid"', first.get_data(as_text=True))
    assert link, "a guest gets a link that answers in the URL"
    url = "/maintenance/result" + link.group(1).replace("&amp;", "&")
    after = client.get(url).get_data(as_text=True)
    assert rows(after)["brake_fluid"] != "unknown"
    bad = client.get(url.replace("done=brake_fluid", "done=wiper_blades"))
    assert bad.status_code == 400


def test_one_click_done_at_records_it_in_the_garage(app, client, make_user, small_catalog):
    make_user("history@example.com")
    client.login("history@example.com")
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    with app.app_context():
        vehicle = db.session.scalar(select(GarageVehicle))
        vehicle.registered_on = date.fromisoformat(years_ago(5))
        vehicle_id = vehicle.id
        db.session.commit()
    url = f"/maintenance/result?vehicle={vehicle_id}&variant={COROLLA_CVT}&km=95000"
    page = client.get(url).get_data(as_text=True)
    form = re.search(
        r'<form method="post" action="([^"]+)"[^>]*data-done-at="brake_fluid">(.*?)</form>',
        page,
        flags=re.S,
    )
    assert form, "a garage car records the answer"
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form.group(2)))
    assert fields["item"] == "brake_fluid" and fields["next"].startswith("/maintenance/result")
    response = client.post(form.group(1), data=fields)
    assert response.status_code == 302 and response.headers["Location"].startswith(
        "/maintenance/result"
    )
    with app.app_context():
        assert db.session.scalars(select(ServiceRecord.item)).all() == ["brake_fluid"]
    assert rows(client.get(url).get_data(as_text=True))["brake_fluid"] != "unknown"
    prefilled = client.get(f"/maintenance/?vehicle={vehicle_id}").get_data(as_text=True)
    assert 'name="last_km"' in prefilled


def test_a_mileage_below_the_last_reading_is_flagged(app, client, make_user, small_catalog):
    make_user("reading@example.com")
    client.login("reading@example.com")
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    with app.app_context():
        vehicle_id = db.session.scalar(select(GarageVehicle.id))
    client.post(
        f"/garage/{vehicle_id}/readings", data={"km": 52_000, "read_on": date.today().isoformat()}
    )
    page = client.get(
        f"/maintenance/result?vehicle={vehicle_id}&variant={COROLLA_CVT}&km=50000&months=40"
    ).get_data(as_text=True)
    assert "data-lower-reading" in page and f"/garage/{vehicle_id}" in page
    fine = client.get(
        f"/maintenance/result?vehicle={vehicle_id}&variant={COROLLA_CVT}&km=53000&months=40"
    ).get_data(as_text=True)
    assert "data-lower-reading" not in fine


def test_bad_last_service_answers_are_refused(client, small_catalog):
    too_far = result(client, variant=COROLLA_CVT, km=50_000, months=30, last_km=60_000)
    assert too_far.status_code == 400
    future = result(client, variant=COROLLA_CVT, km=50_000, months=30, last_on="2999-01-01")
    assert future.status_code == 400


def test_the_chinese_page_has_no_english_sentences(client, small_catalog):
    for variant in (COROLLA_CVT, MODEL3):
        page = result(client, variant=variant, km=45_000, registered=years_ago(3)).get_data(
            as_text=True
        )
        lines = texts(page, "reason") + texts(page, "source muted")
        assert lines, page[:500]
        for line in lines:
            assert HAN.search(line), line
            leftover = re.findall(r"\b(?:generic|default|manual|interval|OEM|figure|page)\b", line)
            assert not leftover, line


def test_the_english_page_shows_english_sources(client, small_catalog):
    client.post("/language", data={"lang": "en"})
    page = result(client, variant=COROLLA_CVT, km=45_000, registered=years_ago(3)).get_data(
        as_text=True
    )
    for line in texts(page, "source muted"):
        assert not HAN.search(line.replace("丰田", "").replace("卡罗拉", "")), line
