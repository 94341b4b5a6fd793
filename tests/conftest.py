"""Fixtures: an app per test on one schema (SQLite file, or PostgreSQL via TEST_DATABASE_URL)."""

import os
import re
import socket
import subprocess
import sys
import time

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text

from marketplace import create_app
from marketplace.config import TestConfig
from marketplace.extensions import db
from marketplace.models import Brand, Maker, Role, Series, Variant
from marketplace.services import accounts
from marketplace.services.maintenance_rules import import_rules_file

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "correct-horse-battery"


class Client(FlaskClient):
    """A test client that sends the CSRF token a browser would have, unless told not to."""

    def csrf_token(self) -> str:
        page = self.get("/").get_data(as_text=True)
        match = CSRF_RE.search(page)
        assert match, "no CSRF token on the home page"
        return match.group(1)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)) and "json" not in kwargs:
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)

    def login(self, email: str, password: str = PASSWORD):
        response = self.post("/auth/login", data={"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    )


def _ensure_database(database_url: str) -> None:
    """Create the PostgreSQL test database when the server has none of that name."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            )
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def _schema(database_url):
    _ensure_database(database_url)
    app = create_app(TestConfig(database_url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    yield


def _empty_tables() -> None:
    """Empty what the test wrote and restart the ids it used. On PostgreSQL only the tables
    with rows or a used id sequence are truncated: TRUNCATE costs per table, and a test
    touches few of the schema's tables."""
    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        if conn.dialect.name != "postgresql":
            for table in reversed(tables):
                conn.execute(table.delete())
            return
        with_rows = " UNION ALL ".join(
            f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables
        )
        used = set(conn.execute(text(with_rows)).scalars())
        used |= {
            name.removesuffix("_id_seq")
            for name in conn.execute(
                text(
                    "SELECT sequencename FROM pg_sequences "
                    "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
                )
            ).scalars()
        }
        names = ", ".join(f'"{t.name}"' for t in tables if t.name in used)
        if names:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


STRIPE_SECRET_KEY = "sk_test_marketplace"
STRIPE_PUBLISHABLE_KEY = "pk_test_marketplace"
WEBHOOK_SECRET = "whsec_test_marketplace"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_localstripe(*extra: str) -> tuple[subprocess.Popen, str]:
    """A local Stripe server on a free loopback port; returns the process and its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devtools.localstripe_server",
            "--port",
            str(port),
            "--quiet",
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the local Stripe server did not start") from None
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the local Stripe server did not answer in 20 s")


@pytest.fixture(scope="session")
def localstripe() -> str:
    """The tests' own local Stripe server (one per session)."""
    process, base = start_localstripe()
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def stripe_proxy(app, localstripe):
    """The app reaches the local Stripe server through a proxy that fails on demand."""
    from .faults import StripeProxy

    proxy = StripeProxy(localstripe)
    app.config["STRIPE_API_BASE"] = proxy.url
    app.extensions.pop("stripe_client", None)
    yield proxy
    proxy.close()


@pytest.fixture
def config(database_url, localstripe, tmp_path) -> TestConfig:
    config = TestConfig(database_url)
    config.MAIL_OUTBOX_DIR = str(tmp_path / "outbox")
    config.STRIPE_API_BASE = localstripe
    config.STRIPE_JS_URL = f"{localstripe}/js.stripe.com/v3/"
    config.STRIPE_SECRET_KEY = STRIPE_SECRET_KEY
    config.STRIPE_PUBLISHABLE_KEY = STRIPE_PUBLISHABLE_KEY
    config.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    config.STRIPE_MAX_RETRIES = 0
    config.STRIPE_TIMEOUT_SECONDS = 10
    return config


@pytest.fixture
def app(config, _schema):
    app = create_app(config)
    app.test_client_class = Client
    yield app
    with app.app_context():
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.fixture
def make_app(_schema):
    """Build extra apps from other settings; their connections are closed afterwards."""
    made = []

    def make(config):
        made.append(create_app(config))
        made[-1].test_client_class = Client
        return made[-1]

    yield make
    for extra in made:
        with extra.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Create a committed user and return their email."""

    def make(email: str = "owner@example.com", role: Role = Role.OWNER, name: str = "车主") -> str:
        with app.app_context():
            accounts.register(email, PASSWORD, name, role=role)
            db.session.commit()
        return email

    return make


COROLLA_CVT = 40001
COROLLA_MT = 40002
MODEL3 = 40003
CAMRY_HEV = 40004


@pytest.fixture
def small_catalog(app):
    """A few real cars (丰田 卡罗拉, 凯美瑞 双擎; 特斯拉 Model 3) and the bundled rules."""
    with app.app_context():
        db.session.add_all(
            [
                Brand(id=3, name="丰田", initial="F", pinyin="fengtian", pinyin_initials="ft"),
                Brand(id=133, name="特斯拉", initial="T", pinyin="tesila", pinyin_initials="tsl"),
                Maker(id=1, brand_id=3, name="一汽丰田"),
                Maker(id=2, brand_id=3, name="广汽丰田"),
                Maker(id=3, brand_id=133, name="特斯拉中国"),
                Series(
                    id=526,
                    brand_id=3,
                    maker_id=1,
                    name="卡罗拉",
                    pinyin="kaluola",
                    pinyin_initials="kll",
                ),
                Series(
                    id=110,
                    brand_id=3,
                    maker_id=2,
                    name="凯美瑞",
                    pinyin="kaimeirui",
                    pinyin_initials="kmr",
                ),
                Series(
                    id=5769,
                    brand_id=133,
                    maker_id=3,
                    name="Model 3",
                    pinyin="model3",
                    pinyin_initials="model3",
                ),
            ]
        )
        db.session.flush()
        db.session.add_all(
            [
                Variant(
                    id=COROLLA_CVT,
                    series_id=526,
                    name="2019款 1.2T S-CVT GL先锋版",
                    model_year=2019,
                    displacement_cc=1200,
                    aspiration="turbo",
                    fuel_type="petrol",
                    transmission="cvt",
                ),
                Variant(
                    id=COROLLA_MT,
                    series_id=526,
                    name="2017款 1.2T 手动 GL",
                    model_year=2017,
                    displacement_cc=1200,
                    aspiration="turbo",
                    fuel_type="petrol",
                    transmission="mt",
                ),
                Variant(
                    id=CAMRY_HEV,
                    series_id=110,
                    name="2019款 双擎 2.5HQ 旗舰版",
                    model_year=2019,
                    displacement_cc=2500,
                    aspiration="na",
                    fuel_type="hev",
                    transmission="cvt",
                ),
                Variant(
                    id=MODEL3,
                    series_id=5769,
                    name="2020款 标准续航后驱升级版",
                    model_year=2020,
                    fuel_type="bev",
                    transmission="single_speed",
                ),
            ]
        )
        bundled_rules()
        db.session.commit()


_RULE_ROWS: list[dict] = []


def bundled_rules() -> None:
    """Store the bundled maintenance rules: parsed and checked once per session, then
    inserted as the same rows."""
    from sqlalchemy import insert

    from marketplace.models import MaintenanceRule

    if _RULE_ROWS:
        db.session.execute(insert(MaintenanceRule), _RULE_ROWS)
        return
    import_rules_file()
    db.session.flush()
    columns = [c.key for c in MaintenanceRule.__table__.columns if c.key != "id"]
    _RULE_ROWS.extend(
        {name: getattr(rule, name) for name in columns}
        for rule in db.session.scalars(select(MaintenanceRule).order_by(MaintenanceRule.id))
    )


def second_outlet(shop):
    """Another approved outlet (亦庄店) of `shop`'s chain, flushed."""
    from marketplace.models import Shop, ShopStatus

    outlet = Shop(
        chain_id=shop.chain_id,
        slug="chian-second",
        name="亦庄店",
        address="科创十三街1号",
        city="北京",
        district="大兴区",
        latitude=39.79,
        longitude=116.51,
        opening_hours="09:00-18:00",
        phone="13800138001",
        licence_number=shop.licence_number,
        status=ShopStatus.APPROVED,
    )
    db.session.add(outlet)
    db.session.flush()
    return outlet


LICENCES = ("91350100M000100Y43", "91110000100012345L", "91310000631696382C")


@pytest.fixture
def shops(app, small_catalog, make_user):
    """Two approved outlets of two chains (北京, 上海), one applied, with a few listings.

    Returns the ids: {"a": shop, "b": shop, "pending": shop, "listings": {...}}.
    """
    from marketplace.models import ListingStatus, User
    from marketplace.services import shops as shop_service
    from marketplace.services.listings import ListingDraft, create_listing, set_status

    make_user("manager-a@example.com")
    make_user("manager-b@example.com")
    make_user("manager-c@example.com")
    make_user("admin@example.com", role=Role.ADMIN)
    with app.app_context():
        user = {
            email: db.session.scalar(select(User).where(User.email == email))
            for email in (
                "manager-a@example.com",
                "manager-b@example.com",
                "manager-c@example.com",
                "admin@example.com",
            )
        }
        admin = user["admin@example.com"]

        def outlet(manager, chain, name, city, district, lat, lng, licence):
            return shop_service.apply_for_shop(
                user[manager],
                chain_name=chain,
                name=name,
                address="建国路88号",
                city=city,
                district=district,
                latitude=lat,
                longitude=lng,
                opening_hours="08:30-20:00",
                phone="13800138000",
                licence_number=licence,
            )

        a = outlet(
            "manager-a@example.com",
            "驰安养车",
            "望京店",
            "北京",
            "朝阳区",
            39.99,
            116.47,
            LICENCES[0],
        )
        b = outlet(
            "manager-b@example.com",
            "快修侠",
            "徐汇店",
            "上海",
            "徐汇区",
            31.19,
            121.44,
            LICENCES[1],
        )
        pending = outlet(
            "manager-c@example.com",
            "新店连锁",
            "天河店",
            "广州",
            "天河区",
            23.13,
            113.32,
            LICENCES[2],
        )
        shop_service.approve(admin, a)
        shop_service.approve(admin, b)

        def listing(shop, title, category, price, items=(), sales=0, **extra):
            draft = ListingDraft(
                title=title,
                category=category,
                price_fen=price,
                list_price_fen=price + 5000,
                items=list(items),
                **extra,
            )
            made = create_listing(user[shop.chain.admin.email], shop, draft)
            set_status(user[shop.chain.admin.email], made, ListingStatus.ACTIVE)
            made.sales_count = sales
            return made

        made = {
            "oil_a": listing(
                a,
                "小保养套餐 机油+机滤 全合成",
                "maintenance",
                29900,
                ("engine_oil", "oil_filter"),
                sales=50,
                fit_fuels=["petrol", "hev"],
            ),
            "filter_a": listing(a, "空调滤芯更换", "maintenance", 6900, ("cabin_filter",), sales=5),
            "big_a": listing(
                a,
                "大保养套餐 机油机滤空滤空调滤",
                "maintenance",
                49900,
                ("engine_oil", "oil_filter", "air_filter", "cabin_filter"),
                sales=20,
            ),
            "wash_a": listing(a, "精致洗车", "cleaning", 3900, sales=300),
            "toyota_a": listing(
                a, "丰田专享 刹车油更换", "maintenance", 19900, ("brake_fluid",), fit_brand_ids=[3]
            ),
            "ev_b": listing(
                b, "新能源车 电池检测", "maintenance", 9900, ("battery_check",), fit_fuels=["bev"]
            ),
            "oil_b": listing(
                b, "小保养 机油机滤", "maintenance", 25900, ("engine_oil", "oil_filter"), sales=80
            ),
            "tire_b": listing(b, "四轮定位", "tires", 12800, sales=10),
        }
        draft = create_listing(
            user["manager-b@example.com"],
            b,
            ListingDraft(title="草稿套餐", category="repair", price_fen=100, list_price_fen=100),
        )
        db.session.commit()
        return {
            "a": a.id,
            "b": b.id,
            "pending": pending.id,
            "listings": {key: value.id for key, value in made.items()} | {"draft_b": draft.id},
        }


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __len__(self):
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside the `with` block."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting
