"""The CLI commands of DESIGN.md §5 that exist so far."""

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Redemption, Role, Shop, User


def test_seed_demo_prints_accounts_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    assert "owner@demo.example.com" in first.output and "admin-demo-pass" in first.output
    with app.app_context():
        visits = db.session.scalar(select(func.count()).select_from(Redemption))
    assert visits > 50 and "Demo history" in first.output
    second = runner.invoke(args=["seed", "demo"])
    assert second.exit_code == 0
    with app.app_context():
        # the three demo accounts, the managers of the three other demo chains, and the
        # dozen customers of the first outlet's history
        assert db.session.scalar(select(func.count()).select_from(User)) == 6 + 12
        assert db.session.scalar(select(func.count()).select_from(Redemption)) == visits
        assert db.session.scalar(select(func.count()).select_from(Shop)) == 30
        roles = set(db.session.scalars(select(User.role)))
        assert roles == {Role.OWNER, Role.SHOP_STAFF, Role.ADMIN}
    client = app.test_client()
    for email, password in (
        ("owner@demo.example.com", "owner-demo-pass"),
        ("shop@demo.example.com", "shop-demo-pass"),
        ("manager2@demo.example.com", "shop-demo-pass"),
    ):
        client.login(email, password)  # the printed accounts work on the sign-in form
        client.post("/auth/logout")


def test_make_run_sends_the_demo_reminders_once(app, small_catalog):
    """`make run` seeds the demo, then runs `reminders send`: the demo owner's notification
    centre has the car's maintenance and insurance reminders; running it again adds none."""
    from marketplace.models import GarageVehicle, Notification, NotificationKind

    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    first = runner.invoke(args=["reminders", "send"])
    assert first.exit_code == 0, first.output
    assert "maintenance 1" in first.output and "insurance 1" in first.output

    def kinds() -> list[str]:
        with app.app_context():
            owner = db.session.scalar(select(User).where(User.email == "owner@demo.example.com"))
            return sorted(
                db.session.scalars(
                    select(Notification.kind).where(Notification.user_id == owner.id)
                )
            )

    made = kinds()
    assert NotificationKind.MAINTENANCE_DUE in made and NotificationKind.INSURANCE_RENEWAL in made
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    second = runner.invoke(args=["reminders", "send"])
    assert second.exit_code == 0, second.output
    assert "maintenance 0" in second.output and "insurance 0" in second.output
    assert kinds() == made, "a second run sends nothing new"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(GarageVehicle)) == 1

    client = app.test_client()
    client.login("owner@demo.example.com", "owner-demo-pass")
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'data-kind="maintenance_due"' in page and 'data-kind="insurance_renewal"' in page


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


HEADER = (
    "key,item,every_km,every_months,first_km,first_months,condition,fuel_types,transmissions,"
    "brand,series,source,source_url,note\n"
)


def rule_keys(app):
    from marketplace.models import MaintenanceRule

    with app.app_context():
        return dict(db.session.execute(select(MaintenanceRule.key, MaintenanceRule.every_km)).all())


def test_import_rules_loads_the_bundled_file_and_replaces_by_key(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["maintenance", "import-rules"])
    assert result.exit_code == 0, result.output
    bundled = rule_keys(app)
    assert len(bundled) > 50 and "G-PETROL-ENGINE_OIL" in bundled
    again = runner.invoke(args=["maintenance", "import-rules"])
    assert f"0 rules added, {len(bundled)} replaced" in again.output
    custom = tmp_path / "rules.csv"
    custom.write_text(
        HEADER
        + "G-PETROL-ENGINE_OIL,engine_oil,7500,6,,,normal,petrol,,,,shop policy,,\n"
        + "X-NEW,cabin_filter,,12,,,normal,,,,,shop policy,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["maintenance", "import-rules", str(custom)])
    assert result.exit_code == 0, result.output
    assert "1 rules added, 1 replaced" in result.output
    after = rule_keys(app)
    assert after["G-PETROL-ENGINE_OIL"] == 7500 and "X-NEW" in after
    assert len(after) == len(bundled) + 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            HEADER.replace(",every_months", "") + "K,engine_oil,5000,,,normal,,,,,s,,\n",
            "every_months",
        ),
        (HEADER + "K,engine_oil,-5000,6,,,normal,,,,,s,,\n", "row 2, every_km"),
        (HEADER + "K,unicorn_oil,5000,6,,,normal,,,,,s,,\n", "row 2, item"),
        (
            HEADER + "K,engine_oil,5000,6,,,normal,,,,,s,,\nL,engine_oil,abc,6,,,normal,,,,,s,,\n",
            "row 3, every_km",
        ),
    ],
)
def test_a_bad_rules_file_names_row_and_field_and_loads_nothing(app, tmp_path, body, expected):
    path = tmp_path / "bad.csv"
    path.write_text(body, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["maintenance", "import-rules", str(path)])
    assert result.exit_code == 1
    assert expected in result.output
    assert "nothing imported" in result.output
    assert rule_keys(app) == {}


def test_catalog_import_is_idempotent_and_reports_unparsed_fields(app):
    from marketplace.models import Brand, Series, Variant

    runner = app.test_cli_runner()
    first = runner.invoke(args=["catalog", "import"])
    assert first.exit_code == 0, first.output
    assert "transmission" in first.output and "%" in first.output
    with app.app_context():
        counts = [
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Brand, Series, Variant)
        ]
        toyota = db.session.scalar(select(Brand).where(Brand.name == "丰田"))
        assert (toyota.pinyin, toyota.pinyin_initials) == ("fengtian", "ft")
    assert counts[0] > 200 and counts[1] > 2000 and counts[2] > 38000
    second = runner.invoke(args=["catalog", "import"])
    assert second.exit_code == 0
    assert "variants       0 added       0 updated" in second.output
    with app.app_context():
        again = [
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Brand, Series, Variant)
        ]
    assert again == counts


def test_seed_bench_command_adds_shops_and_listings(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "bench", "--shops", "12", "--listings", "40"])
    assert result.exit_code == 0, result.output
    assert "12 shops, 40 listings" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Shop)) == 12
    refused = runner.invoke(args=["seed", "bench", "--shops", "0"])
    assert refused.exit_code == 2
