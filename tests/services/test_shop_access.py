"""The one rule for who may see or manage a shop, asked by every page."""

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Shop, ShopStaff, StaffRole, User
from marketplace.services.shops import Need, access, find_shop

from ..conftest import second_outlet


def user(email):
    return db.session.scalar(select(User).where(User.email == email))


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (
            "manager-a@example.com",
            {Need.VIEW, Need.MANAGE, Need.VIEW_OR_ADMIN, Need.MANAGE_OR_ADMIN},
        ),
        ("tech@example.com", {Need.VIEW, Need.VIEW_OR_ADMIN}),
        ("admin@example.com", {Need.VIEW_OR_ADMIN, Need.MANAGE_OR_ADMIN}),
        ("manager-b@example.com", set()),
        ("owner@example.com", set()),
    ],
)
def test_who_may_do_what_with_shop_a(app, shops, make_user, who, allowed):
    make_user("tech@example.com")
    make_user("owner@example.com")
    with app.app_context():
        db.session.add(
            ShopStaff(
                shop_id=shops["a"], user_id=user("tech@example.com").id, role=StaffRole.TECHNICIAN
            )
        )
        db.session.flush()
        shop = db.session.get(Shop, shops["a"])
        rights = access(user(who), shop)
        assert {need for need in Need if rights.allows(need)} == allowed
        for need in Need:
            found = find_shop(user(who), shops["a"], need)
            assert (found is shop) == (need in allowed)
            assert find_shop(user(who), 999_999, need) is None


def test_the_chain_admin_manages_every_outlet_of_the_chain(app, shops):
    with app.app_context():
        shop = db.session.get(Shop, shops["a"])
        outlet = second_outlet(shop)
        rights = access(shop.chain.admin, outlet)
        assert rights.chain_admin and rights.can_manage and not rights.staff
