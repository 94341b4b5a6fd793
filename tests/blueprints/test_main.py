"""The layout, the language switch and money formatting."""

import pytest

from marketplace.extensions import db
from marketplace.i18n import money
from marketplace.models import Role
from marketplace.services import accounts

from ..conftest import PASSWORD


def test_home_is_chinese_by_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "选择车型" in page
    assert 'name="viewport"' in page


def test_language_switch_to_english_and_back(client):
    response = client.post("/language", data={"lang": "en", "next": "/auth/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Select your vehicle" in page
    client.post("/language", data={"lang": "zh_CN"})
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"lang": "xx"})
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


def test_signed_in_users_keep_their_language(app, make_user):
    make_user("owner@example.com")
    client = app.test_client()
    client.login("owner@example.com")
    client.post("/language", data={"lang": "en"})
    other_device = app.test_client()
    other_device.login("owner@example.com")
    assert '<html lang="en">' in other_device.get("/").get_data(as_text=True)


def test_no_outside_assets_in_the_layout(client):
    page = client.get("/").get_data(as_text=True)
    for marker in ("http://", "https://", "//cdn"):
        assert f'src="{marker}' not in page and f'href="{marker}' not in page


@pytest.mark.parametrize(
    ("locale", "fen", "expected"),
    [("zh_CN", 12345, "¥123.45"), ("en", 12345, "CN¥123.45"), ("zh_CN", 0, "¥0.00")],
)
def test_money_is_formatted_from_fen(app, locale, fen, expected):
    with app.test_request_context():
        from flask import session

        session["lang"] = locale
        assert money(fen) == expected


def test_money_uses_the_configured_currency(app):
    app.config["MARKETPLACE_CURRENCY"] = "JPY"
    with app.test_request_context():
        assert money(500).endswith("500")


def test_seeded_roles_show_in_admin_counts(app, make_user):
    make_user("admin@example.com", role=Role.ADMIN)
    with app.app_context():
        accounts.register("o2@example.com", PASSWORD, "车主二")
        db.session.commit()
    client = app.test_client()
    client.login("admin@example.com")
    page = client.get("/admin/").get_data(as_text=True)
    assert "车主" in page and "管理员" in page
