"""The CLI commands of DESIGN.md §5 that exist so far."""

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Role, User


def test_seed_demo_prints_accounts_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    assert "owner@demo.test" in first.output and "admin-demo-pass" in first.output
    second = runner.invoke(args=["seed", "demo"])
    assert second.exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 3
        roles = set(db.session.scalars(select(User.role)))
        assert roles == {Role.OWNER, Role.SHOP_STAFF, Role.ADMIN}


def test_create_admin_creates_and_promotes(app, make_user):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "Boss@Example.com",
            "--password",
            "long-enough-pw",
        ]
    )
    assert result.exit_code == 0, result.output
    make_user("owner@example.com")
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "owner@example.com",
            "--password",
            "another-long-pw",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        admins = db.session.scalars(select(User.email).where(User.role == Role.ADMIN)).all()
        assert sorted(admins) == ["boss@example.com", "owner@example.com"]


def test_create_admin_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "--email", "boss@example.com", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "8" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
