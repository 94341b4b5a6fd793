"""Redeeming at the shop: exactly once, only by the right shop, undone within the hour."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    AuditEntry,
    EntryStatus,
    GarageVehicle,
    LedgerEntry,
    OdometerReading,
    Order,
    OrderStatus,
    ReadingSource,
    Redemption,
    User,
    Voucher,
    VoucherStatus,
)
from marketplace.services import codes

from ..conftest import COROLLA_CVT
from ..payments.helpers import REFUND_FORM
from .conftest import OWNER, TECH_A2, TECH_B, buy, confirm, look_up, signed_in, voucher


def grouped_with_dashes(code):
    return f" {code[:4]}-{code[4:8]} {code[8:]} "


def test_staff_look_up_and_redeem_once(app, buyer, tech_a, world, localstripe):
    (code,) = buy(app, buyer, localstripe, world.listings["oil_a"])
    page = look_up(tech_a, grouped_with_dashes(code)).get_data(as_text=True)
    assert "小保养套餐 机油+机滤 全合成" in page
    assert "王**" in page and "王小明" not in page
    assert "b***@example.com" in page and OWNER not in page
    response = confirm(tech_a, code)
    assert response.status_code == 302 and "/merchant/redemptions/" in response.headers["Location"]
    found = voucher(app, code)
    assert found.status is VoucherStatus.REDEEMED and found.redeemed_at is not None
    # the owner sees it at once
    assert 'data-status="redeemed"' in buyer.get("/account/vouchers").get_data(as_text=True)
    # a second look-up says so; a second confirmation is refused
    page = look_up(tech_a, code).get_data(as_text=True)
    assert 'data-blocker="already_redeemed"' in page and 'name="request_id"' not in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Redemption.id))) == 1
        entry = db.session.scalar(select(LedgerEntry))
        assert (entry.gross_fen, entry.commission_fen, entry.amount_fen) == (29900, 2392, 27508)
        assert entry.status is EntryStatus.OPEN
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert "voucher.redeem" in actions
        order = db.session.scalar(select(Order).where(Order.id == found.order_id))
        assert order.status is OrderStatus.COMPLETED


def test_a_double_submit_is_one_redemption(app, buyer, tech_a, world, localstripe):
    (code,) = buy(app, buyer, localstripe, world.listings["wash_a"])
    first = confirm(tech_a, code, request_id="f" * 32)
    again = tech_a.post(
        "/merchant/redeem/confirm",
        data={"code": code, "shop": world.a, "request_id": "f" * 32, "odometer": ""},
    )
    assert first.headers["Location"] == again.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Redemption.id))) == 1
        assert db.session.scalar(select(func.count(LedgerEntry.id))) == 1


def test_other_shops_get_not_found_and_chain_outlets_only_when_allowed(
    app, buyer, world, localstripe
):
    with app.app_context():
        from marketplace.models import Listing

        db.session.get(Listing, world.listings["big_a"]).chain_redeemable = True
        db.session.commit()
    (own_shop_only,) = buy(app, buyer, localstripe, world.listings["oil_a"])
    (chain_wide,) = buy(app, buyer, localstripe, world.listings["big_a"])
    wrong = "123456789012"
    while codes.is_valid(wrong):  # pragma: no cover - a valid wrong code is another case
        wrong = wrong[:-1] + str((int(wrong[-1]) + 1) % 10)
    missing = codes.new_code()
    tech_b = signed_in(app, TECH_B)
    tech_a2 = signed_in(app, TECH_A2)
    not_found = "此门店无法核销该券码"
    for client, code in ((tech_b, own_shop_only), (tech_b, chain_wide), (tech_a2, own_shop_only)):
        response = look_up(client, code)
        assert response.status_code == 422 and not_found in response.get_data(as_text=True)
    assert not_found in look_up(tech_b, missing).get_data(as_text=True)
    # the other outlet of the chain may redeem the chain-wide voucher
    assert confirm(tech_a2, chain_wide).status_code == 302
    found = voucher(app, chain_wide)
    assert found.status is VoucherStatus.REDEEMED
    with app.app_context():
        redemption = db.session.scalar(select(Redemption))
        assert redemption.shop_id == world.a2
        entry = db.session.scalar(select(LedgerEntry))
        assert entry.shop_id == world.a2, "the outlet that served is paid"
    # an owner, or a shop's technician asking for another shop, gets a 404
    assert signed_in(app, OWNER).get("/merchant/redeem").status_code == 404
    assert look_up(tech_b, own_shop_only, shop=world.a).status_code == 404


def test_bad_codes_get_clear_messages_and_change_nothing(app, buyer, tech_a, world, localstripe):
    (code,) = buy(app, buyer, localstripe, world.listings["oil_a"])
    typo = code[:5] + str((int(code[5]) + 1) % 10) + code[6:]
    swapped = code[:3] + code[4] + code[3] + code[5:]
    cases = {
        "12345678901a": "券码为 12 位数字",
        code[:11]: "券码为 12 位数字",
        code + "0": "券码为 12 位数字",
        "": "请输入券码",
        typo: "校验位不符",
    }
    if swapped != code:
        cases[swapped] = "校验位不符"
    for text, message in cases.items():
        response = look_up(tech_a, text)
        page = response.get_data(as_text=True)
        assert response.status_code in (200, 422) and message in page, text
        assert 'name="request_id"' not in page
    assert voucher(app, code).status is VoucherStatus.ISSUED
    with app.app_context():
        assert db.session.scalar(select(func.count(Redemption.id))) == 0
        wrong = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "voucher.wrong_code")
        ).all()
        assert len(wrong) == len(cases) - 1  # the empty form never reached a look-up
        assert all(code not in str(e.data) for e in wrong), "logged codes are masked"


def test_expired_and_refunded_vouchers_cannot_be_redeemed(app, buyer, tech_a, world, localstripe):
    first, second = buy(app, buyer, localstripe, world.listings["oil_a"], 2)
    with app.app_context():
        v = db.session.scalar(select(Voucher).where(Voucher.code == first))
        v.expires_at = v.issued_at - timedelta(seconds=1)
        db.session.commit()
    page = look_up(tech_a, first).get_data(as_text=True)
    assert 'data-blocker="expired"' in page
    refund = buyer.post(f"/account/vouchers/{voucher(app, second).id}/refund", data=REFUND_FORM)
    assert refund.status_code == 302
    assert voucher(app, second).status is VoucherStatus.REFUNDED
    page = look_up(tech_a, second).get_data(as_text=True)
    assert 'data-blocker="refunded"' in page
    # a forged confirmation for either is refused too
    for code in (first, second):
        response = tech_a.post(
            "/merchant/redeem/confirm",
            data={"code": code, "shop": world.a, "request_id": "a" * 32, "odometer": ""},
        )
        assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Redemption.id))) == 0
        assert db.session.scalar(select(func.count(LedgerEntry.id))) == 0


def test_odometer_joins_the_cars_history_and_a_lower_one_is_flagged(
    app, buyer, tech_a, world, localstripe
):
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == OWNER))
        car = GarageVehicle(owner_id=owner.id, variant_id=COROLLA_CVT, is_default=True)
        db.session.add(car)
        db.session.flush()
        db.session.add(
            OdometerReading(
                vehicle_id=car.id,
                km=30000,
                read_on=car.created_at.date() - timedelta(days=90),
                source=ReadingSource.OWNER,
            )
        )
        db.session.commit()
        car_id = car.id
    first, second, third = buy(app, buyer, localstripe, world.listings["wash_a"], 3)
    for text, message in (("abc", "请按整公里数填写"), ("-5", "不能为负数")):
        response = confirm(tech_a, first, odometer=text)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert voucher(app, first).status is VoucherStatus.ISSUED
    assert confirm(tech_a, first, odometer="35,200").status_code == 302
    assert confirm(tech_a, second, odometer="31000").status_code == 302
    assert confirm(tech_a, third).status_code == 302
    with app.app_context():
        readings = db.session.scalars(
            select(OdometerReading)
            .where(OdometerReading.vehicle_id == car_id)
            .order_by(OdometerReading.km)
        ).all()
        assert [(r.km, r.source) for r in readings] == [
            (30000, ReadingSource.OWNER),
            (35200, ReadingSource.SHOP),
        ]
        notes = dict(
            db.session.execute(select(Redemption.odometer_km, Redemption.odometer_note)).all()
        )
        assert notes == {35200: "recorded", 31000: "lower", None: ""}
    page = buyer.get("/account/vouchers").get_data(as_text=True)
    assert "31,000" in page and "低于" in page


def test_undo_within_the_hour_then_only_an_admin(app, buyer, tech_a, world, localstripe):
    first, second = buy(app, buyer, localstripe, world.listings["oil_a"], 2)
    receipt = confirm(tech_a, first).headers["Location"]
    redemption_id = int(receipt.rsplit("/", 1)[1])
    assert tech_a.post(f"{receipt}/undo", data={"reason": ""}).status_code == 302
    assert voucher(app, first).status is VoucherStatus.REDEEMED, "a reason is required"
    assert tech_a.post(f"{receipt}/undo", data={"reason": "扫错了券"}).status_code == 302
    assert voucher(app, first).status is VoucherStatus.ISSUED
    with app.app_context():
        entry = db.session.scalar(select(LedgerEntry))
        assert entry.status is EntryStatus.CANCELLED
        assert db.session.get(Redemption, redemption_id).undo_reason == "扫错了券"
        assert "voucher.redeem_undo" in db.session.scalars(select(AuditEntry.action)).all()
    # it can be redeemed again; after the hour the shop cannot undo, an admin can
    receipt = confirm(tech_a, first).headers["Location"]
    with app.app_context():
        latest = db.session.scalar(select(Redemption).where(Redemption.undone_at.is_(None)))
        latest.redeemed_at -= timedelta(hours=1, seconds=1)
        db.session.commit()
    tech_a.post(f"{receipt}/undo", data={"reason": "太晚了"})
    assert voucher(app, first).status is VoucherStatus.REDEEMED
    other_shop = signed_in(app, TECH_B)
    assert other_shop.get(receipt).status_code == 404
    assert other_shop.post(f"{receipt}/undo", data={"reason": "x"}).status_code == 404
    admin = signed_in(app, "admin@example.com")
    assert admin.post(f"{receipt}/undo", data={"reason": "客户投诉未服务"}).status_code == 302
    assert voucher(app, first).status is VoucherStatus.ISSUED
    assert voucher(app, second).status is VoucherStatus.ISSUED


@pytest.fixture
def limits_on(app):
    """The rate limiter switched on (before the app serves its first request)."""
    from marketplace.extensions import limiter

    app.config["RATELIMIT_ENABLED"] = True
    app.config["REDEEM_WRONG_CODE_LIMIT"] = "3 per minute"
    limiter.init_app(app)


def test_wrong_codes_are_rate_limited_per_staff_member(
    limits_on, app, buyer, tech_a, world, localstripe
):
    (code,) = buy(app, buyer, localstripe, world.listings["wash_a"])
    for _ in range(3):
        assert look_up(tech_a, codes.new_code()).status_code == 422
    response = look_up(tech_a, code)
    assert response.status_code == 429
    assert "错误券码过多" in response.get_data(as_text=True)
    assert confirm_blocked(tech_a, code, world)
    # the shop's count is shared by its staff; another outlet of the chain is not affected
    chain_admin = signed_in(app, "manager-a@example.com")
    assert look_up(chain_admin, code, shop=world.a).status_code == 429
    assert look_up(chain_admin, code, shop=world.a2).status_code == 422
    assert voucher(app, code).status is VoucherStatus.ISSUED


def confirm_blocked(client, code, world):
    response = client.post(
        "/merchant/redeem/confirm",
        data={"code": code, "shop": world.a, "request_id": "b" * 32, "odometer": ""},
    )
    return response.status_code == 429


def test_the_shop_lists_and_exports_its_redemptions(app, buyer, tech_a, world, localstripe):
    codes_bought = buy(app, buyer, localstripe, world.listings["wash_a"], 2)
    (oil,) = buy(app, buyer, localstripe, world.listings["oil_a"])
    for code in [*codes_bought, oil]:
        confirm(tech_a, code, odometer="1000")
    manager = signed_in(app, "manager-a@example.com")
    page = manager.get(f"/merchant/shops/{world.a}/redemptions").get_data(as_text=True)
    assert 'data-count="3"' in page and f'data-total="{3900 * 2 + 29900}"' in page
    page = manager.get(
        f"/merchant/shops/{world.a}/redemptions?period=all&listing={world.listings['oil_a']}"
    ).get_data(as_text=True)
    assert 'data-count="1"' in page
    response = manager.get(f"/merchant/shops/{world.a}/redemptions?period=7d&format=csv")
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert len(lines) == 4 and all(c in response.get_data(as_text=True) for c in codes_bought)
    assert signed_in(app, TECH_B).get(f"/merchant/shops/{world.a}/redemptions").status_code == 404


def test_an_undone_redemption_takes_its_review_with_it(app, buyer, tech_a, world, localstripe):
    from ..reviews.helpers import review_count, write

    (code,) = buy(app, buyer, localstripe, world.listings["wash_a"])
    receipt = confirm(tech_a, code).headers["Location"]
    assert write(buyer, voucher(app, code).id, text="洗得很干净").status_code == 302
    assert review_count(app) == 1
    tech_a.post(f"{receipt}/undo", data={"reason": "误核销，顾客未到店"})
    assert voucher(app, code).status is VoucherStatus.ISSUED
    assert review_count(app) == 0, "without a visit there is nothing to review"


def test_redeeming_records_the_items_done_and_an_undo_removes_them(
    app, buyer, tech_a, world, localstripe
):
    from marketplace.models import ServiceRecord

    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == OWNER))
        db.session.add(GarageVehicle(owner_id=owner.id, variant_id=COROLLA_CVT, is_default=True))
        db.session.commit()
    (code,) = buy(app, buyer, localstripe, world.listings["oil_a"])
    receipt = confirm(tech_a, code, odometer="41000").headers["Location"]
    with app.app_context():
        done = db.session.scalars(select(ServiceRecord).order_by(ServiceRecord.item)).all()
        assert [(s.item, s.km, s.source) for s in done] == [
            ("engine_oil", 41000, ReadingSource.SHOP),
            ("oil_filter", 41000, ReadingSource.SHOP),
        ]
    tech_a.post(f"{receipt}/undo", data={"reason": "录错了"})
    with app.app_context():
        assert db.session.scalar(select(func.count(ServiceRecord.id))) == 0


def test_the_desk_and_the_receipt_in_english(app, buyer, tech_a, world, localstripe):
    (code,) = buy(app, buyer, localstripe, world.listings["oil_a"])
    tech_a.post("/language", data={"lang": "en"})
    page = look_up(tech_a, code).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Confirm the service" in page and "Redeem CN¥299.00" in page and "王**" in page
    receipt = confirm(tech_a, code, odometer="12000").headers["Location"]
    page = tech_a.get(receipt).get_data(as_text=True)
    assert (
        "Redeemed at" in page and "Odometer: 12,000 km" in page and "Undo this redemption" in page
    )
    buyer.post("/language", data={"lang": "en"})
    assert "Odometer read by the shop: 12,000 km." in buyer.get("/account/vouchers").get_data(
        as_text=True
    )
