"""Selecting a vehicle: brand → series → model year → variant, as a guest and signed in."""

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import GarageVehicle

from ..conftest import COROLLA_CVT, MODEL3


def test_brands_are_grouped_by_initial(client, small_catalog):
    page = client.get("/vehicles/").get_data(as_text=True)
    assert 'id="letter-F"' in page and 'id="letter-T"' in page
    assert (
        page.index('id="letter-F"') < page.index('data-brand-id="3"') < page.index('id="letter-T"')
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("丰田", "丰田"),
        ("fengtian", "丰田"),
        ("FT", "丰田"),
        ("feng", "丰田"),
        ("kaluola", "卡罗拉"),
        ("kll", "卡罗拉"),
        ("卡罗", "卡罗拉"),
        ("model", "Model 3"),
        ("tsl", "特斯拉"),
    ],
)
def test_search_by_chinese_pinyin_and_initials(client, small_catalog, query, expected):
    page = client.get("/vehicles/", query_string={"q": query}).get_data(as_text=True)
    assert expected in page


@pytest.mark.parametrize("query", ["zzzz", "%", "_", "'; DROP TABLE brands; --", "丰" * 500])
def test_search_with_nothing_found_or_odd_input(client, small_catalog, query):
    response = client.get("/vehicles/", query_string={"q": query})
    assert response.status_code == 200
    assert 'data-brand-id="3"' not in response.get_data(as_text=True) or query.startswith("丰")


def test_brand_series_year_variant_steps(client, small_catalog):
    brand = client.get("/vehicles/brands/3").get_data(as_text=True)
    assert "一汽丰田" in brand and "广汽丰田" in brand and 'data-series-id="526"' in brand
    series = client.get("/vehicles/series/526").get_data(as_text=True)
    assert "2019" in series and "2017" in series
    assert "data-variant-id" not in series, "variants only once the year is chosen"
    year = client.get("/vehicles/series/526?year=2019").get_data(as_text=True)
    assert f'data-variant-id="{COROLLA_CVT}"' in year
    assert "2017款 1.2T 手动" not in year
    assert client.get("/vehicles/series/526?year=1999").status_code == 404
    assert client.get("/vehicles/series/999999").status_code == 404
    assert client.get("/vehicles/brands/999999").status_code == 404


def test_guest_selection_shows_in_header_and_moves_to_garage_on_sign_in(
    app, client, small_catalog, make_user
):
    assert "未选择车型" in client.get("/").get_data(as_text=True)
    response = client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "丰田 卡罗拉 2019款 1.2T S-CVT GL先锋版" in page
    make_user("owner@example.com")
    client.login("owner@example.com")
    with app.app_context():
        vehicles = db.session.scalars(select(GarageVehicle)).all()
        assert [(v.variant_id, v.is_default) for v in vehicles] == [(COROLLA_CVT, True)]
    assert "卡罗拉" in client.get("/garage/").get_data(as_text=True)
    # signing in again with the same car selected must not duplicate it
    client.post("/auth/logout")
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    client.login("owner@example.com")
    with app.app_context():
        assert len(db.session.scalars(select(GarageVehicle)).all()) == 1


def test_signed_in_selection_adds_to_garage_and_selects(app, client, small_catalog, make_user):
    make_user("owner@example.com")
    client.login("owner@example.com")
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    client.post("/vehicles/select", data={"variant_id": MODEL3})
    page = client.get("/").get_data(as_text=True)
    assert "Model 3" in page.split("</header>")[0]
    with app.app_context():
        rows = db.session.scalars(select(GarageVehicle).order_by(GarageVehicle.id)).all()
        assert [(v.variant_id, v.is_default) for v in rows] == [
            (COROLLA_CVT, True),
            (MODEL3, False),
        ]


@pytest.mark.parametrize("value", ["999999", "abc", ""])
def test_selecting_an_unknown_variant_is_a_404(client, small_catalog, value):
    assert client.post("/vehicles/select", data={"variant_id": value}).status_code == 404
    assert "未选择车型" in client.get("/").get_data(as_text=True)


def test_select_redirects_only_inside_the_site(client, small_catalog):
    response = client.post(
        "/vehicles/select", data={"variant_id": COROLLA_CVT, "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/maintenance/"
