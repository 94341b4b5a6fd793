"""Owners, and a technician at shop a, for the dashboard tests."""

import pytest

from marketplace.extensions import db
from marketplace.models import ShopStaff, StaffRole

from .helpers import OWNERS, TECH_A, user_id


@pytest.fixture
def people(app, shops, make_user):
    """Six owners and a technician at shop a (who may see the console, not the dashboard)."""
    for email, name in OWNERS.items():
        make_user(email, name=name)
    make_user(TECH_A, name="技师")
    with app.app_context():
        db.session.add(
            ShopStaff(shop_id=shops["a"], user_id=user_id(TECH_A), role=StaffRole.TECHNICIAN)
        )
        db.session.commit()
    return shops
