"""Kept pages in Chromium: a page served from the page cache carries a CSRF token that works."""

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} not found (Debian package chromium)"
)


@pytest.fixture
def config(config):
    config.PAGE_CACHE_SECONDS = 30
    return config


def test_the_language_switch_works_on_a_kept_page(live_server, open_page, shops):
    url = f"{live_server}/listings/{shops['listings']['oil_a']}"
    assert open_page().goto(url).headers["x-page-cache"] == "miss"
    page = open_page()  # another visitor
    response = page.goto(url)
    assert response.headers["x-page-cache"] == "hit"
    expect(page.locator("h1")).to_have_text("小保养套餐 机油+机滤 全合成")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="What is included")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == url
