"""Fixtures for the booking tests: the two approved shops (open 08:30–20:00 every day, from
their applications), an owner with unused vouchers made directly in the database, and the
shops' people signed in."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Shop, ShopStaff, StaffRole, User, VoucherStatus

from ..reviews.helpers import make_voucher

OWNER = "booking-owner@example.com"
OTHER_OWNER = "other-booking-owner@example.com"
TECH_A = "booking-tech-a@example.com"


@pytest.fixture
def people(app, shops, make_user):
    make_user(OWNER, name="王小明")
    make_user(OTHER_OWNER, name="李四")
    make_user(TECH_A, name="技师")
    with app.app_context():
        tech = db.session.scalar(select(User).where(User.email == TECH_A))
        db.session.add(ShopStaff(shop_id=shops["a"], user_id=tech.id, role=StaffRole.TECHNICIAN))
        db.session.commit()
    return shops


def signed_in(app, email):
    client = app.test_client()
    client.login(email)
    return client


@pytest.fixture
def owner(app, people):
    return signed_in(app, OWNER)


@pytest.fixture
def other_owner(app, people):
    return signed_in(app, OTHER_OWNER)


@pytest.fixture
def manager_a(app, people):
    return signed_in(app, "manager-a@example.com")


@pytest.fixture
def tech_a(app, people):
    return signed_in(app, TECH_A)


def unused_voucher(app, listing_id: int, email: str = OWNER, **kwargs) -> int:
    """A paid, unused voucher of the listing for `email`; its id."""
    return make_voucher(
        app, email, listing_id, status=VoucherStatus.ISSUED, redeemed_ago=None, **kwargs
    )


ZONE = ZoneInfo("Asia/Shanghai")  # the test config's MARKETPLACE_TIMEZONE


def local(day: date, clock: str) -> datetime:
    """The aware UTC moment of "HH:MM" on `day` in the marketplace's time zone."""
    hours, minutes = (int(p) for p in clock.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=ZONE).astimezone(UTC)


def days_from_today(app, days: int) -> date:
    return datetime.now(ZONE).date() + timedelta(days=days)


def shop(app, shop_id: int) -> Shop:
    return db.session.get(Shop, shop_id)


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))
