"""Browser tests: the app served on a loopback port, driven by Debian's Chromium.

The app is the usual per-test `app` (same database as the `shops` and `make_user` fixtures),
served by werkzeug in a thread. It has its own local Stripe server, whose webhook is
registered to that live app, so Stripe.js (localstripe's stand-in), the card form, the
server-side PaymentIntent and the webhook all run for real.

Chromium is `/usr/bin/chromium` (Debian's package; `.ci/run` installs it); Playwright never
downloads a browser. Without it the test modules skip themselves.

Each test runs at phone (390×844) and desktop (1280×800) size; `snap` saves its steps as
test-artifacts/screenshots/<test>/<step>-<width>.png (git-ignored), and the folders are
listed at the end of the pytest output. `journey` adds the people and the package of the
whole-journey tests; `open_page` opens another person's browser.
"""

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from marketplace.config import TestConfig
from marketplace.extensions import db
from marketplace.models import ListingStatus, Shop, ShopStaff, StaffRole, User

from ..conftest import (
    COROLLA_CVT,
    STRIPE_PUBLISHABLE_KEY,
    STRIPE_SECRET_KEY,
    WEBHOOK_SECRET,
    free_port,
    start_localstripe,
)

CHROMIUM = Path("/usr/bin/chromium")
# Screenshots: test-artifacts/screenshots/<test>/<step>-<width>.png (git-ignored).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
_written: dict[Path, int] = {}
VIEWPORTS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "user_agent": (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36"
        ),
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, headless unless --headed; no sandbox when running as root."""
    args = ["--disable-dev-shm-usage"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": args}


@pytest.fixture(scope="session")
def base_url(_live_port) -> str:
    """The live app. Also replaces pytest-playwright's own `base_url` fixture (used when
    pytest-base-url is absent), which pytest 9 deprecates: a session fixture defined as an
    instance method, a warning that `filterwarnings = error` would turn into an error."""
    return f"http://127.0.0.1:{_live_port}"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


class _CurrentApp:
    """What the live server serves: the running test's app, else 503."""

    def __init__(self) -> None:
        self.app = None

    def __call__(self, environ, start_response):
        app = self.app
        if app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no test is running"]
        return app(environ, start_response)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


@pytest.fixture(scope="session")
def _live_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def browser_stripe(_live_port) -> str:
    """A local Stripe server whose webhook goes to the live app (one per session)."""
    process, base = start_localstripe(
        "--webhook-url",
        f"http://127.0.0.1:{_live_port}/checkout/stripe/webhook",
        "--webhook-secret",
        WEBHOOK_SECRET,
    )
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def _live_server(_live_port):
    current = _CurrentApp()
    server = make_server(
        "127.0.0.1", _live_port, current, threaded=True, request_handler=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield current, f"http://127.0.0.1:{_live_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def config(database_url, browser_stripe) -> TestConfig:
    """As in tests/conftest.py, but Stripe is the browser tests' own local server."""
    config = TestConfig(database_url)
    config.STRIPE_API_BASE = browser_stripe
    config.STRIPE_JS_URL = f"{browser_stripe}/js.stripe.com/v3/"
    config.STRIPE_SECRET_KEY = STRIPE_SECRET_KEY
    config.STRIPE_PUBLISHABLE_KEY = STRIPE_PUBLISHABLE_KEY
    config.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    config.STRIPE_MAX_RETRIES = 0
    config.STRIPE_TIMEOUT_SECONDS = 10
    return config


@pytest.fixture
def live_server(app, _live_server) -> str:
    """Serve this test's app; returns its base URL."""
    current, base = _live_server
    current.app = app
    yield base
    current.app = None


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    return request.param


@pytest.fixture
def open_page(live_server, new_context, viewport):
    """open_page() → a page in a fresh context (another person) at this test's viewport."""

    def open_() -> Page:
        context = new_context(**VIEWPORTS[viewport])
        context.set_default_timeout(10_000)
        return context.new_page()

    return open_


@pytest.fixture
def browser_page(open_page):
    """A fresh page at the viewport's size; set up after the live server, closed before it."""
    return open_page()


@pytest.fixture
def snap(request, browser_page):
    """snap("01-listing"[, page]) saves a full-page screenshot of the page (by default the
    test's first one) as test-artifacts/screenshots/<test>/01-listing-<width>.png."""
    folder = SCREENSHOTS / request.node.originalname
    folder.mkdir(parents=True, exist_ok=True)

    def take(name: str, page=None) -> Path:
        page = page or browser_page
        path = folder / f"{name}-{page.viewport_size['width']}.png"
        page.screenshot(path=path, full_page=True)
        _written[folder] = _written.get(folder, 0) + 1
        return path

    return take


def pytest_terminal_summary(terminalreporter) -> None:
    """Say where the screenshots went."""
    if not _written:
        return
    terminalreporter.section("browser screenshots")
    for folder, count in sorted(_written.items()):
        terminalreporter.write_line(f"{folder}/ ({count} taken)")


# --- the people and the package of the whole-journey tests ---------------------------------

OWNER = "journey-owner@example.com"
OWNER_EN = "journey-owner-en@example.com"
TECH = "journey-tech@example.com"  # technician at 驰安养车 望京店 (shop a)
ADMIN = "admin@example.com"  # made by the `shops` fixture
COROLLA_SERIES = 526
CAR = {"brand": 3, "series": COROLLA_SERIES, "year": 2019, "variant": COROLLA_CVT}


@pytest.fixture
def journey(app, shops, make_user) -> dict:
    """The shops and listings of `shops`, plus: two owners, a technician at shop a, and at
    shop a an engine-oil package fitted to the 卡罗拉 (the catalog car the owners pick).

    Returns {"shop": id, "listing": id, "listings": {...}}."""
    from marketplace.services.listings import ListingDraft, create_listing, set_status

    make_user(OWNER, name="王小明")
    make_user(OWNER_EN, name="Li Lei")
    make_user(TECH, name="张师傅")
    with app.app_context():
        shop = db.session.get(Shop, shops["a"])
        manager = shop.chain.admin
        tech = db.session.scalar(select(User).where(User.email == TECH))
        db.session.add(ShopStaff(shop_id=shop.id, user_id=tech.id, role=StaffRole.TECHNICIAN))
        listing = create_listing(
            manager,
            shop,
            ListingDraft(
                title="卡罗拉专享 小保养 全合成机油+机滤",
                category="maintenance",
                description="含 0W-20 全合成机油 4 升与原厂机滤，工时费全包。",
                price_fen=26900,
                list_price_fen=33900,
                items=["engine_oil", "oil_filter"],
                fit_fuels=["petrol"],
                fit_series_ids=[COROLLA_SERIES],
            ),
        )
        set_status(manager, listing, ListingStatus.ACTIVE)
        db.session.commit()
        return {"shop": shop.id, "listing": listing.id, "listings": shops["listings"]}
