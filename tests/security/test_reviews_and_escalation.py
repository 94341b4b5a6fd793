"""Reviewing without a redeemed voucher; owners trying to become staff or admins."""

from datetime import timedelta

import pytest

from marketplace.models import Role, VoucherStatus

from ..conftest import PASSWORD
from ..reviews.helpers import make_voucher, review_count, write
from .conftest import INTRUDER, OWNER
from .helpers import state, user_id


@pytest.mark.parametrize(
    ("status", "redeemed_ago"),
    [
        (VoucherStatus.ISSUED, None),
        (VoucherStatus.REFUND_REQUESTED, None),
        (VoucherStatus.REFUNDED, None),
        (VoucherStatus.EXPIRED, None),
        (VoucherStatus.REDEEMED, timedelta(days=31)),  # the review window has closed
    ],
)
def test_no_review_without_a_redeemed_voucher(app, world, buyer, status, redeemed_ago):
    voucher_id = make_voucher(
        app, OWNER, world.listings["oil_a"], status=status, redeemed_ago=redeemed_ago
    )
    before = state(app)
    assert write(buyer, voucher_id, text="想先评价").status_code == 302
    assert review_count(app) == 0
    assert state(app) == before


def test_no_review_of_a_voucher_that_does_not_exist_or_twice(app, world, buyer):
    assert write(buyer, 999_999).status_code == 404
    voucher_id = make_voucher(app, OWNER, world.listings["oil_a"])
    assert write(buyer, voucher_id).status_code == 302
    assert write(buyer, voucher_id, overall="1", text="再刷一条").status_code == 302
    assert review_count(app) == 1


def test_shop_staff_cannot_review_their_own_shop(app, world, tech_a):
    voucher_id = make_voucher(app, OWNER, world.listings["oil_a"])
    assert write(tech_a, voucher_id).status_code == 404
    assert review_count(app) == 0


def test_registration_ignores_role_and_staff_fields(app, client):
    response = client.post(
        "/auth/register",
        data={
            "email": "mallory@example.com",
            "display_name": "mallory",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "role": "admin",
            "is_admin": "1",
            "shop_id": "1",
            "staff_role": "manager",
        },
    )
    assert response.status_code == 302
    roles = dict(state(app)["roles"])
    assert roles["mallory@example.com"] == Role.OWNER.value
    assert client.get("/admin/").status_code == 404
    assert client.get("/merchant/redeem").status_code == 404
    assert state(app)["staff"] == []


def test_an_owner_cannot_post_admin_forms(app, world, shops, intruder, make_user):
    before = state(app)
    pending = shops["pending"]
    for url, data in (
        (f"/admin/shops/{pending}", {"decision": "approve"}),
        (f"/admin/shops/{world.a}", {"decision": "suspend", "reason": "x"}),
        ("/admin/vouchers/1/refund", {"reason": "x"}),
        ("/admin/reviews/1", {"decision": "hide", "reason": "x"}),
        (f"/merchant/shops/{world.a}/payout-account", {}),
    ):
        assert intruder.post(url, data=data).status_code == 404, url
        assert intruder.get(url).status_code in (404, 405), url
    assert state(app) == before
    with app.app_context():
        from marketplace.extensions import db
        from marketplace.models import Shop, ShopStatus

        assert db.session.get(Shop, pending).status is ShopStatus.APPLIED
        assert db.session.get(Shop, world.a).status is ShopStatus.APPROVED


def test_someone_elses_staff_invitation_cannot_be_accepted(app, world, intruder):
    manager = app.test_client()
    manager.login("manager-a@example.com")
    response = manager.post(
        f"/merchant/shops/{world.a}/staff", data={"email": "friend@example.com", "role": "manager"}
    )
    assert response.status_code == 302
    from marketplace.extensions import db
    from marketplace.models import StaffInvitation

    with app.app_context():
        invitation = db.session.scalar(db.select(StaffInvitation.id))
    before = state(app)
    # the intruder guesses the invitation's number, and numbers around it
    for guess in (invitation, invitation + 1, 0):
        assert intruder.post(f"/merchant/invitations/{guess}/accept").status_code == 404
    assert "friend@example.com" not in intruder.get("/merchant/").get_data(as_text=True)
    assert state(app) == before
    assert intruder.get("/merchant/redeem").status_code == 404


def test_an_email_that_differs_only_in_case_does_not_take_an_invitation(app, world, make_user):
    manager = app.test_client()
    manager.login("manager-a@example.com")
    manager.post(f"/merchant/shops/{world.a}/staff", data={"email": "Boss@Example.com"})
    make_user("boss@example.org")
    other = app.test_client()
    other.login("boss@example.org")
    from marketplace.extensions import db
    from marketplace.models import StaffInvitation

    with app.app_context():
        ids = db.session.scalars(db.select(StaffInvitation.id)).all()
    for invitation in ids:
        assert other.post(f"/merchant/invitations/{invitation}/accept").status_code == 404


def test_a_technician_cannot_manage_their_own_shop(app, world, tech_a):
    before = state(app)
    assert tech_a.get(f"/merchant/shops/{world.a}/staff").status_code == 404
    response = tech_a.post(
        f"/merchant/shops/{world.a}/staff", data={"email": "x@example.com", "role": "manager"}
    )
    assert response.status_code == 404
    assert tech_a.post(f"/merchant/shops/{world.a}", data={"address": "x"}).status_code == 404
    assert tech_a.get(f"/merchant/listings/{world.listings['oil_a']}/edit").status_code == 404
    assert state(app) == before


def test_the_intruder_is_an_owner(app, intruder):
    assert dict(state(app)["roles"])[INTRUDER] == Role.OWNER.value
    assert user_id(app, INTRUDER) is not None
