"""Registration, sign-in, sign-out and password changes, as a visitor does them."""

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditEntry, Role, User

from ..conftest import PASSWORD


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def register(client, **overrides):
    data = {
        "email": "new@example.com",
        "display_name": "新车主",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    data.update(overrides)
    return client.post("/auth/register", data=data)


def test_register_creates_an_owner_and_signs_in(app, client):
    response = register(client, email="  New@Example.COM ")
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "new@example.com"
        assert user.role is Role.OWNER
        assert user.password_hash != PASSWORD and user.check_password(PASSWORD)
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert "user.registered" in actions
    page = client.get("/account/").get_data(as_text=True)
    assert "new@example.com" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-email"}, "有效"),
        ({"email": "a" * 250 + "@example.com"}, "254"),
        ({"email": ""}, "请输入"),
        ({"password": "", "confirm": ""}, "请输入密码"),
        ({"password": "short", "confirm": "short"}, "8"),
        ({"password": "x" * 200, "confirm": "x" * 200}, "128"),
        ({"confirm": "something-else"}, "不一致"),
        ({"display_name": "名" * 61}, "60"),
    ],
)
def test_register_rejects_bad_input_with_a_message_and_writes_nothing(
    app, client, overrides, message
):
    response = register(client, **overrides)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert user_count(app) == 0


def test_duplicate_email_in_any_case_is_refused(app, client, make_user):
    make_user("owner@example.com")
    response = register(client, email="OWNER@example.com")
    assert response.status_code == 200
    assert "已注册" in response.get_data(as_text=True)
    assert user_count(app) == 1


def test_messages_follow_the_chosen_language(app, client, make_user):
    make_user("owner@example.com")
    client.post("/language", data={"lang": "en", "next": "/auth/register"})
    response = register(client, email="Owner@Example.com")
    assert "An account with this email already exists." in response.get_data(as_text=True)


def test_login_and_logout(app, client, make_user):
    make_user("owner@example.com")
    response = client.post("/auth/login", data={"email": "OWNER@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    response = client.post("/auth/logout")
    assert response.status_code == 302
    response = client.get("/account/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_logout_is_not_a_get(client, make_user):
    make_user("owner@example.com")
    client.login("owner@example.com")
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/account/").status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("owner@example.com", "wrong-password"),
        ("nobody@example.com", PASSWORD),
        ("owner@example.com", "p" * 200),
    ],
)
def test_login_refuses_wrong_credentials_alike(client, make_user, email, password):
    make_user("owner@example.com")
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 200
    assert "邮箱或密码错误" in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 302


def test_inactive_account_cannot_sign_in(app, client, make_user):
    make_user("owner@example.com")
    with app.app_context():
        db.session.scalar(select(User)).is_active = False
        db.session.commit()
    response = client.post("/auth/login", data={"email": "owner@example.com", "password": PASSWORD})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/account/", "/account/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_parameter_never_leaves_the_site(client, make_user, target, expected):
    make_user("owner@example.com")
    response = client.post(
        "/auth/login", data={"email": "owner@example.com", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_change_password_signs_out_other_sessions(app, make_user):
    make_user("owner@example.com")
    first, second = app.test_client(), app.test_client()
    first.login("owner@example.com")
    second.login("owner@example.com")
    response = first.post(
        "/account/password",
        data={"current": PASSWORD, "new": "a-brand-new-secret", "confirm": "a-brand-new-secret"},
    )
    assert response.status_code == 302
    assert first.get("/account/").status_code == 200
    assert second.get("/account/").status_code == 302
    first.post("/auth/logout")
    first.login("owner@example.com", "a-brand-new-secret")


def test_change_password_needs_the_current_one(app, client, make_user):
    make_user("owner@example.com")
    client.login("owner@example.com")
    response = client.post(
        "/account/password",
        data={
            "current": "wrong-one-here",
            "new": "a-brand-new-secret",
            "confirm": "a-brand-new-secret",
        },
    )
    assert response.status_code == 200
    assert "当前密码错误" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User)).check_password(PASSWORD)


def test_a_missing_session_asks_to_sign_in(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_passwords_are_hashed_with_scrypt_outside_the_tests():
    from marketplace.config import Config
    from marketplace.models import User

    assert Config().PASSWORD_HASH_METHOD == "scrypt"
    user = User(email="x@example.com", display_name="x")
    user.set_password(PASSWORD)  # no app: the production default
    assert user.password_hash.startswith("scrypt:") and user.check_password(PASSWORD)
