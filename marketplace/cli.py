"""Flask CLI commands: `flask --app wsgi <group> <command>`."""

from pathlib import Path

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup

from . import seed
from .extensions import db
from .models import Role
from .models.types import utcnow
from .services import (
    accounts,
    catalog,
    ledger,
    maintenance_rules,
    notifications,
    payments,
    reconcile,
    reminders,
    vouchers,
)
from .services.maintenance import RULES_CSV, RulesFileError
from .timeutil import local_today

users_cli = AppGroup("users", help="Manage accounts.")
seed_cli = AppGroup("seed", help="Fill the database with demo or benchmark data.")
catalog_cli = AppGroup("catalog", help="The vehicle catalog.")
maintenance_cli = AppGroup("maintenance", help="Maintenance rules.")
orders_cli = AppGroup("orders", help="Orders.")
vouchers_cli = AppGroup("vouchers", help="Vouchers.")
payouts_cli = AppGroup("payouts", help="Paying the shops what they earned.")
payments_cli = AppGroup("payments", help="Payments at Stripe.")
reminders_cli = AppGroup("reminders", help="Owners' reminders.")

DEMO_ACCOUNTS = (
    ("owner@demo.example.com", "owner-demo-pass", "王车主", Role.OWNER),
    ("shop@demo.example.com", "shop-demo-pass", "李店长", Role.SHOP_STAFF),
    ("admin@demo.example.com", "admin-demo-pass", "平台管理员", Role.ADMIN),
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
    """Create the demo accounts and, once, the demo marketplace (safe to run again)."""
    users = {}
    for email, password, name, role in DEMO_ACCOUNTS:
        user = accounts.find_user_by_email(email)
        if user is None:
            user = accounts.register(email, password, name, role=role)
        users[role] = user
    made = seed.seed_demo_marketplace(users[Role.SHOP_STAFF], users[Role.ADMIN])
    visits = seed.seed_demo_history(users[Role.SHOP_STAFF], utcnow())
    seed.seed_demo_garage(users[Role.OWNER], local_today())
    db.session.commit()
    click.echo("Demo accounts (email / password / role):")
    for email, password, _name, role in DEMO_ACCOUNTS:
        click.echo(f"  {email:<27} {password:<18} {role.value}")
    for email, _name in seed.DEMO_MANAGERS:
        click.echo(f"  {email:<27} {seed.DEMO_PASSWORD:<18} {Role.SHOP_STAFF.value}")
    if made["shops"]:
        click.echo(
            f"Demo marketplace: {made['chains']} chains, {made['shops']} shops, "
            f"{made['listings']} listings."
        )
    if visits:
        click.echo(
            f"Demo history: {visits} past visits by {len(seed.DEMO_CUSTOMERS)} customers "
            f"(customerNN@demo.example.com, password {seed.DEMO_PASSWORD}) at the first outlet."
        )


@seed_cli.command("bench")
@click.option("--shops", type=click.IntRange(1, 50_000), default=5000, show_default=True)
@click.option("--listings", type=click.IntRange(0, 1_000_000), default=100_000, show_default=True)
def seed_bench(shops: int, listings: int) -> None:
    """Add a large set of approved shops and listings by bulk inserts (for benchmarks)."""
    made = seed.seed_bench(shops, listings)
    db.session.commit()
    click.echo(
        f"Bench data: {made['chains']} chains, {made['shops']} shops, "
        f"{made['listings']} listings, {made['listing_items']} listing items."
    )


@catalog_cli.command("import")
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=catalog.CATALOG_DIR,
    show_default=True,
    help="Folder with brands.csv, makers.csv, series.csv, variants.csv and supplement/.",
)
def catalog_import(file: Path | None, directory: Path) -> None:
    """Load the bundled vehicle catalog, or FILE: an Autohome-style export (one row per
    variant, the columns of the bundled supplement). Idempotent: rows are upserted by id and
    none is removed, so garage cars keep their variants."""
    try:
        report = catalog.import_export(file) if file else catalog.import_catalog(directory)
    except catalog.CatalogFileError as error:
        db.session.rollback()
        raise click.ClickException(f"{error}; nothing imported.") from None
    db.session.commit()
    for table in report.inserted:
        click.echo(
            f"{table:<9} {report.inserted[table]:>6} added  {report.updated[table]:>6} updated"
            f"  {report.unchanged[table]:>6} unchanged"
        )
    years = sorted((y for y in report.per_year if y), reverse=True)[:10]
    click.echo("variants per model year: " + ", ".join(f"{y} {report.per_year[y]}" for y in years))
    click.echo(f"variants: {report.variants}; left unparsed from the variant name:")
    for name, count in report.unparsed.items():
        share = 100 * count / report.variants if report.variants else 0
        click.echo(f"  {name:<16} {count:>6} ({share:.1f}%)")
    if report.rejected:
        click.echo(f"rows left out: {len(report.rejected)}")
        for line, reason in report.rejected[:20]:
            click.echo(f"  line {line}: {reason}")


@maintenance_cli.command("import-rules")
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=RULES_CSV
)
def import_rules(file: Path) -> None:
    """Load maintenance rules from a CSV (the bundled file by default).

    Rules with the same key are replaced; a file with any problem loads nothing.
    """
    try:
        result = maintenance_rules.import_rules_file(file)
    except RulesFileError as error:
        db.session.rollback()
        click.echo(f"{file}: nothing imported.", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from error
    db.session.commit()
    click.echo(f"{file}: {result.added} rules added, {result.replaced} replaced.")


@orders_cli.command("expire-unpaid")
def orders_expire_unpaid() -> None:
    """Close orders not paid in time (ORDER_PAYMENT_MINUTES) and release their stock.

    A payment that succeeded at Stripe but was never reported marks its order paid instead."""
    counts = payments.expire_unpaid(utcnow())
    db.session.commit()
    click.echo(
        f"expired {counts['expired']}, found paid {counts['paid']}, "
        f"left for the next run {counts['errors']}"
    )


@vouchers_cli.command("expire")
def vouchers_expire() -> None:
    """Expire unused vouchers past their date, refund those whose listing promises it, and
    retry refunds that failed before."""
    counts = vouchers.expire_due(utcnow())
    db.session.commit()
    click.echo(
        f"expired {counts['expired']}, refunded {counts['refunded']}, "
        f"refunds failing {counts['failed']}"
    )


@payouts_cli.command("run")
def payouts_run() -> None:
    """Pay each shop with a payout account its payable balance as Stripe Connect transfers
    (one per order, transfer_group from the order, idempotency key from the payout). Shops
    without an account accumulate. Running it again pays nobody twice."""
    counts = ledger.run_payouts(utcnow(), current_app.config["MARKETPLACE_CURRENCY"])
    db.session.commit()
    if counts.get("locked"):
        click.echo("another payouts run is under way: nothing done (it will pay everyone)")
        return
    click.echo(
        f"paid {counts['paid']} payouts, {counts['amount_fen']} fen; "
        f"shops without a payout account {counts['no_account']}; "
        f"nothing due {counts['nothing_due']}; failed (retried next run) {counts['failed']}"
    )


@payments_cli.command("reconcile")
@click.option("--days", type=click.IntRange(1, 90), default=7, show_default=True)
def payments_reconcile(days: int) -> None:
    """Compare the last DAYS of payments, refunds and payouts with Stripe: finish what an
    outage or a lost answer left undone, and print what needs a person. Idempotent: run it
    hourly (and after an incident)."""
    report = reconcile.reconcile(utcnow(), days)
    db.session.commit()
    for line in report.repaired:
        click.echo(f"repaired: {line}")
    for line in report.problems:
        click.echo(f"PROBLEM: {line}")
    click.echo(
        f"checked {report.checked}; repaired {len(report.repaired)}; "
        f"problems {len(report.problems)}"
    )
    if report.problems:
        raise SystemExit(1)


def _external_url(endpoint: str, **values) -> str:
    """An absolute link for an email sent outside a request (PUBLIC_BASE_URL)."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


@reminders_cli.command("send")
def reminders_send() -> None:
    """Make today's reminders (maintenance due, insurance renewal, annual inspection, vouchers
    expiring, tomorrow's bookings) and email those owners want by email. Run it daily; a
    second run the same day sends nothing new."""
    counts = reminders.send_reminders(local_today(), utcnow())
    emailed = notifications.send_pending_emails(utcnow(), _external_url)
    click.echo(
        f"vehicles {counts.vehicles}; maintenance {counts.maintenance_due}, "
        f"insurance {counts.insurance_renewal}, inspection {counts.inspection_due}, "
        f"vouchers {counts.voucher_expiring}, bookings {counts.booking_reminder}; "
        f"emails sent {emailed}"
    )


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(catalog_cli)
    app.cli.add_command(maintenance_cli)
    app.cli.add_command(orders_cli)
    app.cli.add_command(vouchers_cli)
    app.cli.add_command(payouts_cli)
    app.cli.add_command(payments_cli)
    app.cli.add_command(reminders_cli)
