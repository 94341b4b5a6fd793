"""Browsing and searching listings: filters, sorts, search in Chinese and pinyin, performance."""

import re

import pytest
from sqlalchemy import select, text

from marketplace.extensions import db
from marketplace.models import Listing

from ..conftest import COROLLA_CVT, MODEL3


def ids(page: str) -> list[int]:
    main = page.split('class="grid listing-grid"')[-1] if "listing-grid" in page else ""
    return [
        int(x) for x in re.findall(r'<li class="card listing-card" data-listing-id="(\d+)"', main)
    ]


def browse(client, **params) -> list[int]:
    response = client.get("/listings/", query_string=params)
    assert response.status_code == 200
    return ids(response.get_data(as_text=True))


def test_only_public_listings_by_popularity(client, shops):
    found = browse(client)
    listing = shops["listings"]
    assert listing["draft_b"] not in found
    assert found[0] == listing["wash_a"], "most sold first"
    assert len(found) == len(listing) - 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "cleaning"}, ["wash_a"]),
        ({"category": "tires", "city": "上海"}, ["tire_b"]),
        ({"city": "上海", "sort": "price"}, ["ev_b", "tire_b", "oil_b"]),
        ({"district": "徐汇区", "sort": "price_desc"}, ["oil_b", "tire_b", "ev_b"]),
        (
            {"price_min": "100", "price_max": "259", "sort": "price"},
            ["tire_b", "toyota_a", "oil_b"],
        ),
        ({"item": ["engine_oil", "oil_filter"], "sort": "price"}, ["oil_b", "oil_a", "big_a"]),
        ({"item": "cabin_filter", "sort": "price"}, ["filter_a", "big_a"]),
        ({"q": "保养", "sort": "price"}, ["oil_b", "oil_a", "big_a"]),
        ({"q": "空调滤芯"}, ["filter_a"]),
        ({"q": "xiaobaoyang", "sort": "price"}, ["oil_b", "oil_a"]),
        ({"q": "xby", "sort": "price"}, ["oil_b", "oil_a"]),
        ({"q": "驰安", "category": "cleaning"}, ["wash_a"]),
        ({"q": "chian", "category": "cleaning"}, ["wash_a"]),
        ({"q": "四轮定位"}, ["tire_b"]),
    ],
)
def test_filters_and_search_combine(client, shops, params, expected):
    assert browse(client, **params) == [shops["listings"][key] for key in expected]


def test_fits_my_vehicle(client, shops):
    listing = shops["listings"]
    corolla = set(browse(client, variant=COROLLA_CVT))
    assert listing["toyota_a"] in corolla and listing["oil_a"] in corolla
    assert listing["ev_b"] not in corolla
    tesla = set(browse(client, variant=MODEL3))
    assert listing["ev_b"] in tesla
    assert not {listing["oil_a"], listing["toyota_a"]} & tesla
    client.post("/vehicles/select", data={"variant_id": MODEL3})
    assert set(browse(client, fits="1")) == tesla


def test_distance_sort(client, shops):
    near_shanghai = browse(client, sort="distance", lat="31.2", lng="121.45")
    first_shanghai = {shops["listings"][k] for k in ("ev_b", "oil_b", "tire_b")}
    assert set(near_shanghai[:3]) == first_shanghai
    near_beijing = browse(client, sort="distance", lat="39.9", lng="116.4")
    assert set(near_beijing[:3]) <= {
        shops["listings"][k] for k in ("oil_a", "filter_a", "big_a", "wash_a", "toyota_a")
    }


@pytest.mark.parametrize(
    ("params", "note"),
    [
        ({"page": "-1"}, None),
        ({"page": "abc"}, None),
        ({"page": "99999999999999999999"}, None),
        ({"sort": "nonsense"}, "没有这种排序方式"),
        ({"category": "spaceflight"}, "没有这个分类"),
        ({"q": "!!!???"}, "搜索词需包含文字或数字"),
        ({"q": "保" * 500}, None),
        ({"lat": "999", "lng": "0", "sort": "distance"}, "坐标超出范围"),
        ({"lat": "nan", "lng": "inf", "sort": "distance"}, "坐标超出范围"),
        ({"price_min": "-5"}, "¥0"),
        ({"price_min": "abc"}, "不是有效金额"),
        ({"min_rating": "abc"}, None),
        ({"q": "' OR 1=1 --"}, None),
        ({"q": '"; DROP TABLE listings; --'}, None),
        ({"q": "%_\\"}, None),
    ],
)
def test_bad_browse_input_gets_defaults_and_a_note(client, shops, params, note):
    response = client.get("/listings/", query_string=params)
    assert response.status_code == 200
    if note:
        assert note in response.get_data(as_text=True)
    with client.application.app_context():
        assert db.session.scalar(select(Listing).limit(1)) is not None


def test_pagination_keeps_the_filters(app, client, shops):
    from marketplace.services import listings as listing_service

    listing_service.PAGE_SIZE, saved = 2, listing_service.PAGE_SIZE
    try:
        page = client.get("/listings/", query_string={"city": "北京", "sort": "price"}).get_data(
            as_text=True
        )
        assert "第 1 页，共 3 页" in page
        assert "city=%E5%8C%97%E4%BA%AC&amp;sort=price&amp;page=2" in page
        second = browse(client, city="北京", sort="price", page=2)
        assert second == [shops["listings"]["toyota_a"], shops["listings"]["oil_a"]]
    finally:
        listing_service.PAGE_SIZE = saved


def _walk_pages(client, params) -> tuple[list[int], list[str]]:
    """Follow the pager's "next" links from page 1; the ids in order and each page's HTML."""
    found, pages, number = [], [], 1
    while True:
        page = client.get("/listings/", query_string={**params, "page": number}).get_data(
            as_text=True
        )
        pages.append(page)
        found += ids(page)
        if 'rel="next"' not in page:
            return found, pages
        assert f"page={number + 1}" in page
        number += 1
        assert number < 20, "the pager never ends"


@pytest.mark.parametrize(
    "params",
    [
        {"city": "北京", "sort": "price"},
        {"q": "baoyang"},  # full-text search: capped counts page by LIKE, the rest by FTS
        {"q": "xiaobaoyang", "sort": "price_desc"},
    ],
)
def test_capped_count_says_more_and_pages_to_the_end(app, client, shops, monkeypatch, params):
    from marketplace.services import listings as listing_service

    expected, _ = _walk_pages(client, params)  # with the real cap: every count is exact
    assert len(expected) >= 2, expected
    monkeypatch.setattr(listing_service, "PAGE_SIZE", 1)
    monkeypatch.setattr(listing_service, "COUNT_CAP", 1)
    found, pages = _walk_pages(client, params)
    assert found == expected, "same listings in the same order, one per page"
    # page n counts up to n + 1 matches: "n+" until the last page, which is exact
    for number, page in enumerate(pages[:-1], start=1):
        assert f"共 {number}+ 个套餐" in page and f"第 {number} 页，共 {number + 1}+ 页" in page
    last = len(pages)
    assert f"共 {last} 个套餐" in pages[-1] and f"第 {last} 页，共 {last} 页" in pages[-1]


def test_count_stops_at_the_cap(app, shops, monkeypatch, count_queries):
    from marketplace.services import listings as listing_service
    from marketplace.services.listings import Browse

    with app.test_request_context():
        _, exact = listing_service.browse(Browse(city="北京"))
        assert exact >= 3
        monkeypatch.setattr(listing_service, "COUNT_CAP", 1)
        monkeypatch.setattr(listing_service, "PAGE_SIZE", 1)
        assert Browse(city="北京").count_limit == 2
        with count_queries() as queries:
            page, total = listing_service.browse(Browse(city="北京"))
        assert (len(page), total) == (1, 2)
        assert any("LIMIT" in s and "count(" in s for s in queries.statements), queries.statements
        assert listing_service.browse(Browse(city="北京"), count=False)[1] == 1


def test_a_count_is_reused_until_a_change_or_its_time_is_up(app, shops, monkeypatch, count_queries):
    from marketplace.extensions import db
    from marketplace.models import Listing
    from marketplace.services import listings as listing_service
    from marketplace.services.listings import Browse

    def counted(request) -> tuple[int, int]:
        with count_queries() as queries:
            _page, total = listing_service.browse(request)
        return total, sum("count(" in s for s in queries.statements)

    with app.test_request_context():
        total, statements = counted(Browse(city="北京"))
        assert statements == 1 and total >= 3
        assert counted(Browse(city="北京", page=1, sort="price")) == (total, 0)
        assert counted(Browse(city="北京", category="tires"))[1] == 1  # another filter
        listing = db.session.get(Listing, shops["listings"]["oil_a"])
        assert listing.city == "北京" and listing.is_public
        listing.is_public = False
        db.session.flush()  # a change made by this process: counted again at once
        assert counted(Browse(city="北京")) == (total - 1, 1)
        db.session.rollback()  # and again once it is rolled back
        assert counted(Browse(city="北京")) == (total, 1)
        monkeypatch.setattr(listing_service.kept_counts, "ttl", -1.0)  # another process's change
        assert counted(Browse(city="北京")) == (total, 1)


def test_city_filter_lists_a_changed_city_at_once(app, client, shops):
    from marketplace.models import Shop

    assert '<option value="杭州"' not in client.get("/listings/").get_data(as_text=True)
    with app.app_context():
        db.session.get(Shop, shops["a"]).city = "杭州"
        db.session.commit()
    assert '<option value="杭州"' in client.get("/listings/").get_data(as_text=True)


def test_listing_page_shows_what_is_included_and_the_refund_policy(client, shops):
    page = client.get(f"/listings/{shops['listings']['oil_a']}").get_data(as_text=True)
    assert 'data-item="engine_oil"' in page and "未使用随时退" in page and "驰安养车" in page
    assert "¥299.00" in page and "¥349.00" in page
    assert client.get("/listings/999999").status_code == 404


def test_the_buy_form_sends_what_the_cart_reads(app, client, shops):
    """The listing page writes AddToCartForm's fields out (no form built per page view): the
    same names, the form's limits, and posted as the page has it, the units are in the cart."""
    from marketplace.blueprints.cart.forms import AddToCartForm
    from marketplace.models.orders import MAX_UNITS_PER_LINE

    listing_id = shops["listings"]["oil_a"]
    page = client.get(f"/listings/{listing_id}").get_data(as_text=True)
    form = re.search(r'<form class="buy-form".*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
    with app.test_request_context():
        assert set(fields) == {field.name for field in AddToCartForm()}
    assert fields["listing_id"] == str(listing_id) and fields["quantity"] == "1"
    assert f'max="{MAX_UNITS_PER_LINE}"' in form and 'min="1"' in form
    response = client.post("/cart/add", data={**fields, "quantity": "2"}, csrf=False)
    assert response.status_code == 302 and response.location.endswith("/cart/")
    cart_page = client.get("/cart/").get_data(as_text=True)
    assert f'data-listing-id="{listing_id}"' in cart_page and 'value="2"' in cart_page


def test_listing_says_whether_it_fits_the_selected_car(client, shops):
    client.post("/vehicles/select", data={"variant_id": MODEL3})
    page = client.get(f"/listings/{shops['listings']['oil_a']}").get_data(as_text=True)
    assert "不适用于您的" in page
    page = client.get(f"/listings/{shops['listings']['ev_b']}").get_data(as_text=True)
    assert "适用于您的" in page and "不适用于您的" not in page


def test_description_is_escaped_text(app, client, shops):
    with app.app_context():
        listing = db.session.get(Listing, shops["listings"]["wash_a"])
        listing.description = "<script>alert(1)</script>\n第二行"
        db.session.commit()
    page = client.get(f"/listings/{shops['listings']['wash_a']}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_shop_page(app, client, shops):
    with app.app_context():
        from marketplace.models import Shop

        slug = db.session.get(Shop, shops["a"]).slug
        pending = db.session.get(Shop, shops["pending"]).slug
    page = client.get(f"/shops/{slug}").get_data(as_text=True)
    assert "望京店" in page and "08:30–20:00" in page  # the week's hours, grouped
    assert page.count("data-listing-id") == 5
    assert client.get(f"/shops/{pending}").status_code == 404
    assert client.get("/shops/no-such-shop").status_code == 404


def test_query_count_does_not_grow_with_results(app, client, shops, count_queries, monkeypatch):
    from marketplace.services import listings as listing_service

    monkeypatch.setattr(listing_service.kept_counts, "ttl", -1.0)  # every request counts
    monkeypatch.setattr(listing_service.kept_pages, "ttl", -1.0)  # and finds its page
    client.get("/listings/")  # warm up
    with count_queries() as few:
        client.get("/listings/", query_string={"city": "上海"})
    with count_queries() as many:
        client.get("/listings/")
    assert len(few) == len(many)
    assert len(many) <= 4, many.statements


def test_listing_page_query_count(client, shops, count_queries):
    with count_queries() as queries:
        client.get(f"/listings/{shops['listings']['big_a']}")
    assert len(queries) <= 10, queries.statements  # 4 of them the shop's hours and bookings


def test_browse_plan_uses_an_index_for_filter_and_sort(app, shops):
    from marketplace.services.listings import Browse, browse_query

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the query-plan check reads SQLite's EXPLAIN QUERY PLAN")
        for sort in ("popular", "price", "rating"):
            query = browse_query(Browse(city="北京", category="maintenance", sort=sort), "sqlite")
            compiled = query.limit(20).compile(db.engine, compile_kwargs={"literal_binds": True})
            plan = " ".join(
                row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
            )
            assert "USE TEMP B-TREE" not in plan, (sort, plan)
            assert "ix_listings_browse" in plan, plan


def test_cheapest_set_per_shop_covers_all_due_items(app, shops):
    from marketplace.selection import load_variant
    from marketplace.services.listings import cheapest_bundles

    with app.app_context():
        corolla = load_variant(COROLLA_CVT)
        bundles = cheapest_bundles(
            ["engine_oil", "oil_filter", "cabin_filter"], car=corolla, city=None
        )
        assert [b.shop.id for b in bundles] == [shops["a"]]
        best = bundles[0]
        assert {listing.id for listing in best.listings} == {
            shops["listings"]["oil_a"],
            shops["listings"]["filter_a"],
        }
        assert best.total_fen == 29900 + 6900, "cheaper than the 499 big service"
        oil_only = cheapest_bundles(["engine_oil", "oil_filter"], car=corolla, city=None)
        assert [(b.shop.id, b.total_fen) for b in oil_only] == [
            (shops["b"], 25900),
            (shops["a"], 29900),
        ]
        in_beijing = cheapest_bundles(["engine_oil", "oil_filter"], car=corolla, city="北京")
        assert [b.shop.id for b in in_beijing] == [shops["a"]]
        battery = ["battery_check"]
        assert [
            b.shop.id for b in cheapest_bundles(battery, car=load_variant(MODEL3), city=None)
        ] == [shops["b"]]
        assert cheapest_bundles(battery, car=corolla, city=None) == [], "bev-only listing"


def test_matcher_result_offers_packages_and_bundles(client, shops):
    inputs = {"variant": COROLLA_CVT, "km": 7500, "months": 1}
    page = client.get("/maintenance/result", query_string=inputs).get_data(as_text=True)
    assert "item=engine_oil&amp;item=oil_filter" in page
    assert "data-shop-id" not in page and "选择您所在的城市" in page  # bundles are per city
    shanghai = re.search(r'<a href="(\?[^"]*city=%E4%B8%8A%E6%B5%B7)"', page)
    assert shanghai and "km=7500" in shanghai.group(1)
    page = client.get("/maintenance/result" + shanghai.group(1).replace("&amp;", "&"))
    page = page.get_data(as_text=True)
    assert (
        f'data-shop-id="{shops["b"]}"' in page
        and f'data-listing-id="{shops["listings"]["oil_b"]}"' in page
    )
    assert f'data-shop-id="{shops["a"]}"' not in page  # 北京
    again = client.get("/maintenance/result", query_string=inputs).get_data(as_text=True)
    assert f'data-shop-id="{shops["b"]}"' in again, "the chosen city is remembered"
    beijing = client.get("/maintenance/result", query_string=inputs | {"city": "北京"})
    assert f'data-shop-id="{shops["b"]}"' not in beijing.get_data(as_text=True)


def test_home_shows_categories_popular_and_due_offers(app, client, shops):
    page = client.get("/").get_data(as_text=True)
    assert "汽车美容" in page and f'data-listing-id="{shops["listings"]["wash_a"]}"' in page
    client.get("/listings/", query_string={"city": "上海"})
    page = client.get("/").get_data(as_text=True)
    assert "上海热门" in page and f'data-listing-id="{shops["listings"]["wash_a"]}"' not in page
    client.login("manager-c@example.com")
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    vehicle = client.get("/garage/").get_data(as_text=True)
    vehicle_id = re.search(r'data-garage-vehicle-id="(\d+)"', vehicle).group(1)
    client.post(f"/garage/{vehicle_id}/edit", data={"registered_on": "2023-01-01"})
    client.post(
        f"/garage/{vehicle_id}/services",
        data={"item": "engine_oil", "done_on": "2024-01-01", "km": "1000"},
    )
    from datetime import date

    client.post(
        f"/garage/{vehicle_id}/readings", data={"km": "30000", "read_on": date.today().isoformat()}
    )
    page = client.get("/").get_data(as_text=True)
    assert 'data-item="engine_oil" data-status="overdue"' in page
    assert f"/listings/{shops['listings']['oil_b']}" in page


def test_a_query_loses_its_control_characters():
    from marketplace.services.listings import normalize_query

    assert normalize_query("机油\x00滤芯\x1f") == "机油 滤芯"
    assert normalize_query("\x00\x07") == ""
