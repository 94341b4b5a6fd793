"""Public pages kept rendered for anonymous visitors (marketplace/page_cache.py)."""

import re

import pytest
from sqlalchemy import select

from marketplace import page_cache
from marketplace.extensions import db
from marketplace.models import Listing, ListingStatus, Shop, User
from marketplace.page_cache import PageStore
from marketplace.services.listings import set_status

from ..conftest import CSRF_RE, MODEL3

SEARCH = "/listings/?q=保养&sort=price"


@pytest.fixture
def config(config):
    config.PAGE_CACHE_SECONDS = 30
    return config


def listing_url(shops, name="oil_a") -> str:
    return f"/listings/{shops['listings'][name]}"


def token(page: str) -> str:
    match = CSRF_RE.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def found(response) -> list[int]:
    page = response.get_data(as_text=True)
    return [int(i) for i in re.findall(r'class="card listing-card" data-listing-id="(\d+)"', page)]


def without_tokens(page: str) -> str:
    return CSRF_RE.sub("", page)


def test_a_second_anonymous_visitor_gets_the_kept_page_without_a_query(app, shops, count_queries):
    first, second = app.test_client(), app.test_client()
    for url in (SEARCH, listing_url(shops), "/listings/?category=maintenance&city=北京"):
        miss = first.get(url)
        assert miss.status_code == 200 and miss.headers["X-Page-Cache"] == "miss"
        with count_queries() as queries:
            hit = second.get(url)
        assert hit.status_code == 200 and hit.headers["X-Page-Cache"] == "hit"
        assert len(queries) == 0, queries.statements
        assert without_tokens(hit.get_data(as_text=True)) == without_tokens(
            miss.get_data(as_text=True)
        )


def test_each_visitor_gets_a_csrf_token_of_their_own_that_works(app, shops):
    first, second = app.test_client(), app.test_client()
    first.get(SEARCH)
    page = second.get(SEARCH).get_data(as_text=True)
    assert page_cache._TOKEN_SLOT not in page
    mine = token(page)
    assert mine != token(first.get(SEARCH).get_data(as_text=True))
    switched = second.post("/language", data={"lang": "en", "csrf_token": mine}, csrf=False)
    assert switched.status_code == 302
    forged = app.test_client().post(
        "/language", data={"lang": "en", "csrf_token": mine}, csrf=False
    )
    assert forged.status_code == 400


def test_language_and_selected_car_are_part_of_the_key(app, shops):
    url = listing_url(shops)
    assert "全合成" in app.test_client().get(url).get_data(as_text=True)
    english = app.test_client()
    english.post("/language", data={"lang": "en", "next": url})
    page = english.get(url)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "What is included" in page.get_data(as_text=True)

    driver = app.test_client()
    driver.post("/vehicles/select", data={"variant_id": MODEL3})
    driver.get("/")  # shows the "selected" message
    page = driver.get(url)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "不适用于您的" in page.get_data(as_text=True)
    assert "不适用于您的" not in app.test_client().get(url).get_data(as_text=True)


def test_signed_in_users_and_waiting_messages_always_get_a_fresh_page(app, client, shops):
    url = listing_url(shops)
    app.test_client().get(url)
    client.login("manager-a@example.com")
    client.get("/")  # shows the welcome message
    page = client.get(url)
    assert "X-Page-Cache" not in page.headers
    assert "退出" in page.get_data(as_text=True)  # the header's sign-out button

    guest = app.test_client()
    added = guest.post("/cart/add", data={"listing_id": shops["listings"]["oil_a"], "quantity": 1})
    assert added.status_code == 302
    page = guest.get(url)
    assert "X-Page-Cache" not in page.headers
    assert "已加入购物车" in page.get_data(as_text=True)
    assert guest.get(url).headers["X-Page-Cache"] == "hit"  # the message was shown once


def test_a_change_flushed_by_this_process_shows_at_once(app, shops):
    url, oil = listing_url(shops), shops["listings"]["oil_a"]
    visitor = app.test_client()
    assert "¥299.00" in visitor.get(url).get_data(as_text=True)
    assert oil in found(visitor.get(SEARCH))
    with app.app_context():
        db.session.get(Listing, oil).price_fen = 27900
        db.session.commit()
    page = visitor.get(url)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "¥279.00" in page.get_data(as_text=True)

    visitor.get(SEARCH)
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.email == "manager-a@example.com"))
        set_status(manager, db.session.get(Listing, oil), ListingStatus.PAUSED)
        db.session.commit()
    assert visitor.get(url).status_code == 404
    assert oil not in found(visitor.get(SEARCH))


def test_a_change_made_elsewhere_shows_when_the_page_expires(app, shops, monkeypatch):
    url = listing_url(shops)
    clock = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    visitor = app.test_client()
    visitor.get(url)
    with app.app_context():  # another process: a plain UPDATE, no ORM object flushed here
        db.session.execute(
            Listing.__table__.update()
            .where(Listing.id == shops["listings"]["oil_a"])
            .values(price_fen=19900)
        )
        db.session.commit()
    clock[0] += 29
    assert "¥299.00" in visitor.get(url).get_data(as_text=True)
    clock[0] += 2
    page = visitor.get(url)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "¥199.00" in page.get_data(as_text=True)


def test_not_found_is_never_kept(app, shops):
    with app.app_context():
        slug = db.session.get(Shop, shops["pending"]).slug
    for url in ("/listings/999999", f"/shops/{slug}", listing_url(shops, "draft_b")):
        assert app.test_client().get(url).status_code == 404
        assert app.test_client().get(url).status_code == 404
    assert len(app.extensions["page_cache"]) == 0


def test_shop_pages_and_query_strings_are_kept_apart(app, shops):
    with app.app_context():
        slug = db.session.get(Shop, shops["a"]).slug
    visitor = app.test_client()
    assert visitor.get(f"/shops/{slug}").headers["X-Page-Cache"] == "miss"
    assert visitor.get(f"/shops/{slug}").headers["X-Page-Cache"] == "hit"
    assert visitor.get(f"/shops/{slug}?stars=5").headers["X-Page-Cache"] == "miss"
    cheap = visitor.get("/listings/?sort=price").get_data(as_text=True)
    dear = visitor.get("/listings/?sort=price_desc").get_data(as_text=True)
    assert cheap != dear


def test_the_city_is_remembered_on_a_kept_page_too(app, shops):
    app.test_client().get("/listings/?city=上海")
    visitor = app.test_client()
    assert visitor.get("/listings/?city=上海").headers["X-Page-Cache"] == "hit"
    with visitor.session_transaction() as session:
        assert session["city"] == "上海"


def test_the_cache_can_be_turned_off(make_app, config, shops):
    config.PAGE_CACHE_SECONDS = 0
    app = make_app(config)
    visitor = app.test_client()
    visitor.get(SEARCH)
    assert "X-Page-Cache" not in visitor.get(SEARCH).headers
    assert len(app.extensions["page_cache"]) == 0


def test_the_store_keeps_to_its_budget_dropping_the_least_recently_used():
    page = "页" * 1000
    size = len(page.encode("utf-16")) + 100  # more than getsizeof of one page
    store = PageStore(max_bytes=3 * size)
    for key in ("a", "b", "c"):
        store.put((key,), page, expires=100)
    assert store.get(("a",), now=1) == page  # "a" is now the most recently used
    store.put(("d",), page, expires=100)
    assert store.get(("b",), now=1) is None
    assert [store.get((k,), now=1) is not None for k in "acd"] == [True, True, True]
    assert store.size <= store.max_bytes
    assert store.get(("a",), now=100) is None  # expired
    store.put(("huge",), page * 10, expires=100)
    assert store.get(("huge",), now=1) is None
    store.clear()
    assert len(store) == 0 and store.size == 0


def test_the_home_page_is_kept_per_remembered_city(app, shops):
    shanghai, anywhere = app.test_client(), app.test_client()
    shanghai.get("/listings/?city=上海")
    first = shanghai.get("/")
    assert first.headers["X-Page-Cache"] == "miss"
    assert shanghai.get("/").headers["X-Page-Cache"] == "hit"
    page = anywhere.get("/")
    assert page.headers["X-Page-Cache"] == "miss"
    in_shanghai = found(first)
    assert shops["listings"]["oil_b"] in in_shanghai
    assert shops["listings"]["wash_a"] not in in_shanghai  # 北京
    assert shops["listings"]["wash_a"] in found(page)


def test_kept_pages_follow_the_browser_language(app, shops):
    english, chinese = app.test_client(), app.test_client()
    url = listing_url(shops)
    first = english.get(url, headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    again = chinese.get(url, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en">' in first and '<html lang="zh-CN">' in again
