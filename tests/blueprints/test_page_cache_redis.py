"""The page cache kept in Redis (PAGE_CACHE_URL), shared by workers: marketplace/page_cache.py.

Two apps built from the same settings stand for two workers (or two hosts). Each test keeps
its pages under a prefix of its own and deletes its keys afterwards.
"""

import dataclasses
import logging
import os
import secrets
import socket
import time

import pytest
import redis
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Listing, Shop, User
from marketplace.page_cache import RedisPageStore
from marketplace.services.listings import draft_from, update_listing

from ..conftest import CSRF_RE, free_port

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SEARCH = "/listings/?q=保养&sort=price"


def _redis_answers() -> bool:
    try:
        return bool(
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
        )
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(
    not _redis_answers(), reason=f"no Redis answers PING at {REDIS_URL} (set TEST_REDIS_URL)"
)


@pytest.fixture
def prefix():
    prefix = f"test-pages-{secrets.token_hex(8)}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def config(config, prefix):
    config.PAGE_CACHE_SECONDS = 30
    config.PAGE_CACHE_URL = REDIS_URL
    config.PAGE_CACHE_PREFIX = prefix
    return config


@pytest.fixture
def workers(make_app, config, shops):
    """Two workers with the same settings (`shops` made the data through the `app` fixture)."""
    return make_app(config), make_app(config)


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    yield client
    client.close()


def listing_url(shops, name="oil_a") -> str:
    return f"/listings/{shops['listings'][name]}"


def token(page: str) -> str:
    match = CSRF_RE.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def generation(client, prefix) -> int:
    return int(client.get(f"{prefix}generation") or 0)


def edit_title(app, listing_id: int, title: str) -> None:
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.email == "manager-a@example.com"))
        listing = db.session.get(Listing, listing_id)
        update_listing(manager, listing, dataclasses.replace(draft_from(listing), title=title))
        db.session.commit()


def test_a_page_rendered_by_one_worker_is_served_by_the_other(
    workers, shops, redis_client, prefix, app
):
    first, second = workers
    with app.app_context():
        slug = db.session.get(Shop, shops["a"]).slug
    for url in (SEARCH, listing_url(shops), f"/shops/{slug}", "/"):
        miss = first.test_client().get(url)
        assert miss.status_code == 200 and miss.headers["X-Page-Cache"] == "miss"
        hit = second.test_client().get(url)
        assert hit.status_code == 200 and hit.headers["X-Page-Cache"] == "hit", url
        assert CSRF_RE.sub("", hit.get_data(as_text=True)) == CSRF_RE.sub(
            "", miss.get_data(as_text=True)
        )
    pages = list(redis_client.scan_iter(match=f"{prefix}page:*"))
    assert len(pages) == 4
    assert all(0 < redis_client.pttl(key) <= 30_000 for key in pages)


def test_each_visitor_still_gets_a_csrf_token_of_their_own(workers, shops):
    first, second = workers
    url = listing_url(shops)
    mine = first.test_client().get(url).get_data(as_text=True)
    visitor = second.test_client()
    response = visitor.get(url)
    assert response.headers["X-Page-Cache"] == "hit"
    page = response.get_data(as_text=True)
    assert second.extensions["page_cache"].slot not in page
    theirs = token(page)
    assert theirs != token(mine)
    switched = visitor.post("/language", data={"lang": "en", "csrf_token": theirs}, csrf=False)
    assert switched.status_code == 302
    forged = second.test_client().post(
        "/language", data={"lang": "en", "csrf_token": theirs}, csrf=False
    )
    assert forged.status_code == 400


def test_a_change_committed_through_one_worker_shows_on_the_other_at_once(
    workers, shops, redis_client, prefix
):
    first, second = workers
    url, oil = listing_url(shops), shops["listings"]["oil_a"]
    visitor = second.test_client()
    visitor.get(url)
    assert visitor.get(url).headers["X-Page-Cache"] == "hit"
    before = generation(redis_client, prefix)
    edit_title(first, oil, "小保养套餐 新标题")
    assert generation(redis_client, prefix) == before + 1
    page = visitor.get(url)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "小保养套餐 新标题" in page.get_data(as_text=True)
    assert first.test_client().get(url).headers["X-Page-Cache"] == "hit"


def test_the_generation_moves_only_when_the_change_commits(workers, shops, redis_client, prefix):
    first, _ = workers
    oil = shops["listings"]["oil_a"]
    before = generation(redis_client, prefix)
    with first.app_context():
        db.session.get(Listing, oil).price_fen = 27900
        db.session.flush()
        db.session.rollback()
    assert generation(redis_client, prefix) == before  # rolled back: nothing changed
    with first.app_context():
        with db.session.begin_nested():
            db.session.get(Listing, oil).price_fen = 27900
        assert generation(redis_client, prefix) == before  # a savepoint: not committed yet
        db.session.commit()
    assert generation(redis_client, prefix) == before + 1


def test_kept_pages_expire_after_page_cache_seconds(make_app, config, shops, redis_client, prefix):
    config.PAGE_CACHE_SECONDS = 5  # long enough for a slow first render, short for the check
    worker = make_app(config)
    url = listing_url(shops)
    visitor = worker.test_client()
    assert visitor.get(url).headers["X-Page-Cache"] == "miss"
    assert visitor.get(url).headers["X-Page-Cache"] == "hit"
    pages = list(redis_client.scan_iter(f"{prefix}page:*"))
    assert pages and all(0 < redis_client.pttl(key) <= 5000 for key in pages)
    redis_client.delete(*pages)  # what Redis does when the PX runs out (no sleep here)
    assert visitor.get(url).headers["X-Page-Cache"] == "miss"


def test_pages_render_when_nothing_listens_at_page_cache_url(make_app, config, shops, caplog):
    config.PAGE_CACHE_URL = f"redis://127.0.0.1:{free_port()}/0"
    worker = make_app(config)
    store = worker.extensions["page_cache"]
    url = listing_url(shops)
    caplog.set_level(logging.WARNING)
    for _ in range(3):
        for path in (url, SEARCH, "/"):
            response = worker.test_client().get(path)
            assert response.status_code == 200
            assert response.headers["X-Page-Cache"] != "hit"
        store._retry_at = 0  # try Redis again on the next request
    edit_title(worker, shops["listings"]["oil_a"], "没有 Redis 也能改")  # the INCR fails quietly
    assert "没有 Redis 也能改" in worker.test_client().get(url).get_data(as_text=True)
    failures = [r for r in caplog.records if "Redis failed" in r.getMessage()]
    assert len(failures) == 1  # once per failure period


def test_a_redis_that_does_not_answer_costs_a_page_little(make_app, config, shops, caplog):
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        config.PAGE_CACHE_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        worker = make_app(config)
        url = listing_url(shops)
        started = time.monotonic()
        response = worker.test_client().get(url)
        assert response.status_code == 200 and response.headers["X-Page-Cache"] == "miss"
        assert time.monotonic() - started < 1.0
        assert worker.test_client().get(url).status_code == 200  # Redis is left alone a while

    store = worker.extensions["page_cache"]
    store.redis = redis.Redis.from_url(REDIS_URL, decode_responses=True)  # Redis is back
    store._retry_at = 0
    caplog.set_level(logging.WARNING)
    worker.test_client().get(url)
    assert worker.test_client().get(url).headers["X-Page-Cache"] == "hit"
    assert any("Redis answers again" in r.getMessage() for r in caplog.records)
    store.redis.close()


def test_page_cache_url_must_name_redis(make_app, config):
    config.PAGE_CACHE_URL = "memcached://127.0.0.1:11211"
    with pytest.raises(ValueError, match="PAGE_CACHE_URL"):
        make_app(config)


def test_workers_sharing_a_secret_key_share_the_token_slot():
    def slot(secret):
        return RedisPageStore(REDIS_URL, "x:", secret).slot

    assert slot("one") == slot("one") != slot("two")
