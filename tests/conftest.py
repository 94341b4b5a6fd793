"""Fixtures: an app per test on one schema (SQLite file, or PostgreSQL via TEST_DATABASE_URL)."""

import os
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

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


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app(TestConfig(database_url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    yield


def _empty_tables() -> None:
    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


@pytest.fixture
def config(database_url) -> TestConfig:
    return TestConfig(database_url)


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
        import_rules_file()
        db.session.commit()
