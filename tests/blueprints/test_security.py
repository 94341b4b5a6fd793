"""CSRF, security headers, role 404s, rate limits, error pages and the production key check."""

import re

import pytest
from sqlalchemy import func, select

from marketplace import create_app
from marketplace.config import Config, TestConfig
from marketplace.extensions import db
from marketplace.models import Role, User

from ..conftest import PASSWORD

FORM_POSTS = [
    (
        "/auth/register",
        {"email": "x@example.com", "display_name": "x", "password": PASSWORD, "confirm": PASSWORD},
    ),
    ("/auth/login", {"email": "x@example.com", "password": PASSWORD}),
    ("/language", {"lang": "en"}),
]


WEBHOOK = "/checkout/stripe/webhook"


def post_routes(app):
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint != "static"
    )


UNSUBSCRIBE = "/account/unsubscribe/<token>"


def test_every_post_route_refuses_a_missing_csrf_token(app, client, make_user):
    make_user("admin@example.com", role=Role.ADMIN)
    client.login("admin@example.com")
    routes = post_routes(app)
    assert "/auth/logout" in routes and "/language" in routes
    # Stripe's webhook carries no CSRF token: its signature is checked instead; a one-click
    # unsubscribe (RFC 8058) is posted by mail clients: its single-use token is the credential
    assert WEBHOOK in routes and UNSUBSCRIBE in routes
    for route in routes:
        url = re.sub(r"<(?:int:)?[a-z_]+>", "1", route)
        response = client.post(url, data={"anything": "1"}, csrf=False)
        assert response.status_code == 400, (route, response.status_code)
        if route == WEBHOOK:
            assert response.get_json() == {"error": "invalid"}
        elif route == UNSUBSCRIBE:
            assert "退订链接无效" in response.get_data(as_text=True)
        else:
            assert "表单已过期" in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 200, "a refused logout must not sign out"


@pytest.mark.parametrize(("url", "data"), FORM_POSTS)
def test_a_tampered_csrf_token_is_refused_and_nothing_changes(app, client, url, data):
    token = client.csrf_token()
    response = client.post(url, data={**data, "csrf_token": token[:-2] + "xx"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


def test_security_headers(client, config):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    stripe_origin = config.STRIPE_JS_URL.split("/js.stripe.com")[0]
    assert f"script-src 'self' {stripe_origin}" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_csp_follows_the_stripe_js_url(monkeypatch, database_url, make_app):
    monkeypatch.setenv("STRIPE_JS_URL", "http://127.0.0.1:8420/js.stripe.com/v3/")
    app = make_app(TestConfig(database_url))
    csp = app.test_client().get("/healthz").headers["Content-Security-Policy"]
    assert "script-src 'self' http://127.0.0.1:8420" in csp
    assert "js.stripe.com " not in csp.replace("127.0.0.1:8420", "")


def test_session_cookie_flags(client, make_user, monkeypatch, database_url):
    make_user("owner@example.com")
    client.login("owner@example.com")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    production = Config()
    assert production.SESSION_COOKIE_SECURE is True
    assert production.SESSION_COOKIE_HTTPONLY is True


def test_production_refuses_the_default_secret_key(monkeypatch, make_app, database_url):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Config())
    monkeypatch.setenv("SECRET_KEY", "a-real-long-random-secret-value-for-production")
    app = make_app(Config())
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "Strict-Transport-Security" in app.test_client().get("/healthz").headers


def test_admin_pages_are_404_for_everyone_but_admins(app, make_user):
    make_user("owner@example.com")
    make_user("staff@example.com", role=Role.SHOP_STAFF)
    make_user("admin@example.com", role=Role.ADMIN)
    anonymous = app.test_client()
    assert anonymous.get("/admin/").status_code == 404
    for email in ("owner@example.com", "staff@example.com"):
        client = app.test_client()
        client.login(email)
        assert client.get("/admin/").status_code == 404
        assert client.get("/admin/audit").status_code == 404
    admin = app.test_client()
    admin.login("admin@example.com")
    assert admin.get("/admin/").status_code == 200
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "user.signed_in" in page


def test_sign_in_is_rate_limited(app, client, make_user):
    make_user("owner@example.com")
    app.config["RATELIMIT_ENABLED"] = True
    from marketplace.extensions import limiter

    limiter.init_app(app)
    limit = int(app.config["AUTH_RATE_LIMIT"].split()[0])
    codes = [
        client.post(
            "/auth/login", data={"email": "owner@example.com", "password": "wrong-guess"}
        ).status_code
        for _ in range(limit + 1)
    ]
    assert codes[:limit] == [200] * limit
    assert codes[-1] == 429
    response = client.post("/auth/login", data={"email": "owner@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert "尝试次数过多" in response.get_data(as_text=True)
    assert client.get("/auth/login").status_code == 200, "only POSTs are limited"


def test_registration_is_rate_limited(app, client):
    app.config["RATELIMIT_ENABLED"] = True
    from marketplace.extensions import limiter

    limiter.init_app(app)
    limit = int(app.config["AUTH_RATE_LIMIT"].split()[0])
    codes = [
        client.post("/auth/register", data={"email": "bad"}).status_code for _ in range(limit + 1)
    ]
    assert codes[-1] == 429


@pytest.mark.parametrize(("lang", "title"), [("zh_CN", "页面不存在"), ("en", "Page not found")])
def test_404_page_in_both_languages(client, lang, title):
    client.post("/language", data={"lang": lang})
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert title in response.get_data(as_text=True)


def test_500_page_does_not_leak_details(app, client):
    @app.route("/boom")
    def boom():
        raise ValueError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body
    assert "出错了" in body


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_healthz_reports_a_dead_database(make_app, tmp_path):
    app = make_app(TestConfig(f"sqlite:///{tmp_path}/missing/dir/x.db"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503


def test_every_limit_is_on_a_post(app):
    """Reads skip the limiter (extensions._reads_are_not_limited): a limit on a GET would
    never be checked."""
    from marketplace.extensions import limiter

    decorated = limiter.limit_manager._decorated_limits
    assert decorated, "the sign-in and registration limits"
    for route, groups in decorated.items():
        for group in groups:
            assert group.methods and {m.upper() for m in group.methods} == {"POST"}, route
