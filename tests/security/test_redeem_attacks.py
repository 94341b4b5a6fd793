"""Redeeming someone else's voucher, and guessing codes past the rate limit."""

from marketplace.models import VoucherStatus
from marketplace.services import codes

from ..redemption.conftest import TECH_A, confirm, look_up, signed_in, voucher
from ..reviews.helpers import make_voucher
from .conftest import OWNER
from .helpers import audit_count, state, text_of, without_tokens

NOT_FOUND = "此门店无法核销该券码"  # "No voucher with this code can be redeemed at this outlet."


def issued_code(app, listing_id) -> str:
    voucher_id = make_voucher(app, OWNER, listing_id, status=VoucherStatus.ISSUED)
    with app.app_context():
        from marketplace.extensions import db
        from marketplace.models import Voucher

        return db.session.get(Voucher, voucher_id).code


def test_staff_of_another_shop_get_the_same_not_found_as_for_a_wrong_code(
    app, world, tech_b, buyer
):
    code = issued_code(app, world.listings["oil_a"])
    wrong = codes.new_code()
    before = state(app)
    theirs = look_up(tech_b, code)
    guessed = look_up(tech_b, wrong)
    assert theirs.status_code == guessed.status_code == 422
    assert NOT_FOUND in text_of(theirs)
    # nothing on the page tells "exists elsewhere" from "does not exist"
    assert without_tokens(text_of(theirs), code) == without_tokens(text_of(guessed), wrong)
    for page in (text_of(theirs),):
        assert "王" not in page and "小保养套餐" not in page and 'name="request_id"' not in page
    assert state(app) == before


def test_staff_of_another_shop_cannot_confirm_by_posting_the_form(app, world, tech_b, buyer):
    code = issued_code(app, world.listings["oil_a"])
    before = state(app)
    for shop in (world.b, world.a, ""):
        response = tech_b.post(
            "/merchant/redeem/confirm",
            data={"code": code, "shop": shop, "request_id": "a" * 32, "odometer": "1000"},
        )
        # their own shop: refused as not found; shop a, not theirs: 404
        assert response.status_code in (302, 404), (shop, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].endswith("/merchant/redeem")
            assert NOT_FOUND in text_of(tech_b.get("/merchant/redeem"))
    assert voucher(app, code).status is VoucherStatus.ISSUED
    after = state(app)
    assert after == before


def test_a_redemption_receipt_of_another_shop_is_404_and_cannot_be_undone(
    app, world, tech_b, buyer
):
    code = issued_code(app, world.listings["oil_a"])
    tech_a = signed_in(app, TECH_A)
    response = confirm(tech_a, code)
    receipt = response.headers["Location"]
    assert tech_a.get(receipt).status_code == 200
    before = state(app)
    assert tech_b.get(receipt).status_code == 404
    assert tech_b.post(f"{receipt}/undo", data={"reason": "顾客要求"}).status_code == 404
    assert buyer.get(receipt).status_code == 404
    assert voucher(app, code).status is VoucherStatus.REDEEMED
    assert state(app) == before


def test_an_owner_cannot_reach_the_redemption_desk(app, world, buyer):
    code = issued_code(app, world.listings["oil_a"])
    assert buyer.get("/merchant/redeem").status_code == 404
    assert look_up(buyer, code).status_code == 404
    response = buyer.post(
        "/merchant/redeem/confirm",
        data={"code": code, "shop": world.a, "request_id": "b" * 32, "odometer": ""},
    )
    assert response.status_code == 404
    assert voucher(app, code).status is VoucherStatus.ISSUED


def test_guessing_codes_is_stopped_per_staff_member(limits_on, app, world, tech_a, buyer):
    code = issued_code(app, world.listings["wash_a"])
    statuses = [look_up(tech_a, codes.new_code()).status_code for _ in range(3)]
    assert statuses == [422, 422, 422]
    # past the limit even the right code is refused, and confirming is refused too
    blocked = look_up(tech_a, code)
    assert blocked.status_code == 429
    assert code not in text_of(blocked) and 'name="request_id"' not in text_of(blocked)
    response = tech_a.post(
        "/merchant/redeem/confirm",
        data={"code": code, "shop": world.a, "request_id": "c" * 32, "odometer": ""},
    )
    assert response.status_code == 429
    assert voucher(app, code).status is VoucherStatus.ISSUED
    assert audit_count(app, "voucher.wrong_code") == 3


def test_guessing_codes_is_stopped_per_shop_across_staff_members(
    limits_on, app, world, make_user, buyer
):
    """Spreading the guesses over several accounts of one shop does not reset the count."""
    from marketplace.extensions import db
    from marketplace.models import ShopStaff, StaffRole, User

    helpers = [make_user(f"helper{n}@example.com") for n in range(3)]
    with app.app_context():
        for email in helpers:
            user = db.session.scalar(db.select(User).where(User.email == email))
            db.session.add(ShopStaff(shop_id=world.a, user_id=user.id, role=StaffRole.TECHNICIAN))
        db.session.commit()
    statuses = [look_up(signed_in(app, email), codes.new_code()).status_code for email in helpers]
    assert statuses == [422, 422, 422]
    code = issued_code(app, world.listings["wash_a"])
    fresh = signed_in(app, TECH_A)  # has not guessed yet, but the shop has
    assert look_up(fresh, code).status_code == 429
    # another shop is not affected
    assert look_up(signed_in(app, "tech-b@example.com"), codes.new_code()).status_code == 422


def test_typos_with_a_wrong_check_digit_count_towards_the_limit(limits_on, app, world, tech_a):
    wrong_check = [c[:-1] + str((int(c[-1]) + 1) % 10) for c in (codes.new_code(),) * 1]
    statuses = [look_up(tech_a, wrong_check[0]).status_code for _ in range(3)]
    statuses.append(look_up(tech_a, "not a code at all").status_code)
    assert statuses == [422, 422, 422, 429]
