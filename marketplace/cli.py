"""Flask CLI commands: `flask --app wsgi <group> <command>`."""

import click
from flask import Flask
from flask.cli import AppGroup

from .extensions import db
from .models import Role
from .services import accounts

users_cli = AppGroup("users", help="Manage accounts.")
seed_cli = AppGroup("seed", help="Fill the database with demo or benchmark data.")

DEMO_ACCOUNTS = (
    ("owner@demo.test", "owner-demo-pass", "王车主", Role.OWNER),
    ("shop@demo.test", "shop-demo-pass", "李店长", Role.SHOP_STAFF),
    ("admin@demo.test", "admin-demo-pass", "平台管理员", Role.ADMIN),
)


@users_cli.command("create-admin")
@click.option("--email", prompt=True, help="The admin's email (an existing account is promoted).")
@click.option("--name", "display_name", default="Admin", show_default=True)
@click.password_option(help="The admin's password (asked twice when not given).")
def create_admin(email: str, display_name: str, password: str) -> None:
    """Create an admin account, or make an existing account an admin."""
    if not accounts.PASSWORD_MIN <= len(password) <= accounts.PASSWORD_MAX:
        raise click.BadParameter(
            f"needs {accounts.PASSWORD_MIN} to {accounts.PASSWORD_MAX} characters",
            param_hint="password",
        )
    user = accounts.create_admin(email, password, display_name)
    db.session.commit()
    click.echo(f"admin ready: {user.email}")


@seed_cli.command("demo")
def seed_demo() -> None:
    """Create the demo accounts (keeps existing data; safe to run again)."""
    click.echo("Demo accounts (email / password / role):")
    for email, password, name, role in DEMO_ACCOUNTS:
        user = accounts.find_user_by_email(email)
        if user is None:
            user = accounts.register(email, password, name, role=role)
        click.echo(f"  {email:<20} {password:<18} {role.value}")
    db.session.commit()


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_cli)
