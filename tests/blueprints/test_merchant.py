"""Merchants: applying, the admin's decision, staff, and listings with their permissions."""

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    AuditEntry,
    Listing,
    ListingStatus,
    Role,
    Shop,
    ShopStaff,
    ShopStatus,
    User,
)
from marketplace.services.shops import valid_licence

from ..conftest import LICENCES

APPLICATION = {
    "chain_name": "驰安养车",
    "name": "望京店",
    "city": "北京",
    "district": "朝阳区",
    "address": "望京街9号",
    "latitude": "39.99",
    "longitude": "116.47",
    "opening_hours": "08:30-20:00",
    "phone": "13800138000",
    "licence_number": LICENCES[0],
}

LISTING = {
    "title": "小保养套餐",
    "category": "maintenance",
    "description": "机油+机滤\n含工时",
    "price": "299",
    "list_price": "399.00",
    "validity_days": "180",
    "stock": "",
    "items": ["engine_oil", "oil_filter"],
    "fit_fuels": ["petrol"],
    "fit_brands": "",
    "fit_series": "",
    "refund_any_time": "y",
    "refund_on_expiry": "y",
}


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_licence_check_character():
    assert valid_licence("91350100M000100Y43")
    assert not valid_licence("91350100M000100Y44")
    assert not valid_licence("91350100M000100Y4")


def test_application_then_approval(app, make_user):
    make_user("manager@example.com")
    make_user("admin@example.com", role=Role.ADMIN)
    manager = app.test_client()
    manager.login("manager@example.com")
    response = manager.post("/merchant/apply", data=APPLICATION)
    assert response.status_code == 302
    with app.app_context():
        shop = db.session.scalar(select(Shop))
        assert shop.status is ShopStatus.APPLIED
        assert shop.chain.admin.email == "manager@example.com"
        shop_id = shop.id
    page = manager.get(f"/merchant/shops/{shop_id}").get_data(as_text=True)
    assert "待审核" in page
    admin = app.test_client()
    admin.login("admin@example.com")
    queue = admin.get("/admin/shops").get_data(as_text=True)
    assert f'data-shop-id="{shop_id}"' in queue
    assert admin.post(f"/admin/shops/{shop_id}", data={"decision": "approve"}).status_code == 302
    with app.app_context():
        shop = db.session.get(Shop, shop_id)
        assert shop.status is ShopStatus.APPROVED
        assert (
            db.session.scalar(select(User.role).where(User.email == "manager@example.com"))
            is Role.SHOP_STAFF
        )
        assert "shop.approved" in db.session.scalars(select(AuditEntry.action)).all()
    assert "已通过" in manager.get(f"/merchant/shops/{shop_id}").get_data(as_text=True)


def test_rejection_needs_a_reason_and_the_manager_sees_it(app, make_user):
    make_user("manager@example.com")
    make_user("admin@example.com", role=Role.ADMIN)
    manager = app.test_client()
    manager.login("manager@example.com")
    manager.post("/merchant/apply", data=APPLICATION)
    admin = app.test_client()
    admin.login("admin@example.com")
    response = admin.post("/admin/shops/1", data={"decision": "reject", "reason": ""})
    assert "请填写原因" in response.get_data(as_text=True)
    assert count(app, Shop, Shop.status == ShopStatus.APPLIED) == 1
    admin.post("/admin/shops/1", data={"decision": "reject", "reason": "营业执照照片不清晰"})
    page = manager.get("/merchant/shops/1").get_data(as_text=True)
    assert "未通过" in page and "营业执照照片不清晰" in page
    response = admin.post("/admin/shops/1", data={"decision": "approve"}, follow_redirects=True)
    assert "无法" in response.get_data(as_text=True)
    assert count(app, Shop, Shop.status == ShopStatus.REJECTED) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("licence_number", "12345", "统一社会信用代码"),
        ("licence_number", "91350100M000100Y44", "统一社会信用代码"),
        ("phone", "12345", "手机号"),
        ("latitude", "91", "-90"),
        ("longitude", "abc", "经度"),
        ("latitude", "nan", "数字"),
        ("name", "", "门店名称"),
        ("name", "店" * 61, "60"),
    ],
)
def test_bad_application_input(app, make_user, field, value, message):
    make_user("manager@example.com")
    client = app.test_client()
    client.login("manager@example.com")
    response = client.post("/merchant/apply", data={**APPLICATION, field: value})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(app, Shop) == 0


def test_a_chain_brand_belongs_to_its_admin(app, shops):
    other = app.test_client()
    other.login("manager-c@example.com")
    response = other.post("/merchant/apply", data={**APPLICATION, "licence_number": LICENCES[2]})
    assert "属于其他商家" in response.get_data(as_text=True)


def test_suspension_hides_listings_and_reinstating_shows_them(app, client, shops):
    admin = app.test_client()
    admin.login("admin@example.com")
    assert client.get(f"/listings/{shops['listings']['wash_a']}").status_code == 200
    admin.post(f"/admin/shops/{shops['a']}", data={"decision": "suspend", "reason": "投诉核查中"})
    assert client.get(f"/listings/{shops['listings']['wash_a']}").status_code == 404
    assert f'data-listing-id="{shops["listings"]["wash_a"]}"' not in client.get(
        "/listings/"
    ).get_data(as_text=True)
    with app.app_context():
        slug = db.session.get(Shop, shops["a"]).slug
    assert client.get(f"/shops/{slug}").status_code == 404
    admin.post(f"/admin/shops/{shops['a']}", data={"decision": "reinstate"})
    assert client.get(f"/listings/{shops['listings']['wash_a']}").status_code == 200


def test_admin_shop_pages_are_404_for_merchants(app, shops):
    merchant = app.test_client()
    merchant.login("manager-a@example.com")
    assert merchant.get("/admin/shops").status_code == 404
    assert (
        merchant.post(f"/admin/shops/{shops['pending']}", data={"decision": "approve"}).status_code
        == 404
    )
    assert count(app, Shop, Shop.status == ShopStatus.APPLIED) == 1


def test_listing_crud(app, shops):
    manager = app.test_client()
    manager.login("manager-a@example.com")
    response = manager.post(f"/merchant/shops/{shops['a']}/listings/new", data=LISTING)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        listing = db.session.scalars(select(Listing).order_by(Listing.id.desc())).first()
        assert (listing.price_fen, listing.list_price_fen, listing.status) == (
            29900,
            39900,
            ListingStatus.DRAFT,
        )
        assert listing.item_codes == ["engine_oil", "oil_filter"] and listing.fuel_codes == [
            "petrol"
        ]
        assert not listing.is_public
        listing_id = listing.id
    manager.post(f"/merchant/listings/{listing_id}/status/active")
    with app.app_context():
        assert db.session.get(Listing, listing_id).is_public
    edited = {**LISTING, "price": "259.5", "fit_series": "卡罗拉", "items": ["engine_oil"]}
    assert manager.post(f"/merchant/listings/{listing_id}/edit", data=edited).status_code == 302
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        assert listing.price_fen == 25950 and not listing.fits_all_models
        assert listing.item_codes == ["engine_oil"]
    form = manager.get(f"/merchant/listings/{listing_id}/edit").get_data(as_text=True)
    assert 'value="259.50"' in form and "卡罗拉" in form
    manager.post(f"/merchant/listings/{listing_id}/status/paused")
    with app.app_context():
        assert not db.session.get(Listing, listing_id).is_public


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"price": "-1"}, "¥0"),
        ({"price": "1000001", "list_price": "1000001"}, "¥1,000,000"),
        ({"price": "abc"}, "数"),
        ({"price": "9.999"}, "两位小数"),
        ({"list_price": "100"}, "不能低于"),
        ({"validity_days": "0"}, "1095"),
        ({"validity_days": "1096"}, "1095"),
        ({"stock": "-1"}, "不能为负"),
        ({"category": "spaceflight"}, "有效"),
        ({"fit_series": "不存在的车系"}, "不存在的车系"),
        ({"fit_brands": "火星汽车"}, "火星汽车"),
        ({"items": ["unicorn"]}, "有效"),
        ({"title": ""}, "请输入标题"),
    ],
)
def test_bad_listing_input_changes_nothing(app, shops, changes, message):
    manager = app.test_client()
    manager.login("manager-a@example.com")
    before = count(app, Listing)
    response = manager.post(
        f"/merchant/shops/{shops['a']}/listings/new", data={**LISTING, **changes}
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(app, Listing) == before


def test_a_manager_of_shop_a_cannot_touch_shop_b(app, shops):
    manager = app.test_client()
    manager.login("manager-a@example.com")
    theirs = shops["listings"]["oil_b"]
    assert manager.get(f"/merchant/shops/{shops['b']}").status_code == 404
    assert manager.get(f"/merchant/listings/{theirs}/edit").status_code == 404
    assert manager.post(f"/merchant/listings/{theirs}/edit", data=LISTING).status_code == 404
    assert manager.post(f"/merchant/listings/{theirs}/status/paused").status_code == 404
    assert (
        manager.post(f"/merchant/shops/{shops['b']}/listings/new", data=LISTING).status_code == 404
    )
    assert (
        manager.post(
            f"/merchant/shops/{shops['b']}/staff",
            data={"email": "x@example.com", "role": "technician"},
        ).status_code
        == 404
    )
    with app.app_context():
        assert db.session.get(Listing, theirs).title == "小保养 机油机滤"
        assert db.session.get(Listing, theirs).is_public


def test_owners_get_404_in_the_console(app, shops, make_user):
    make_user("owner@example.com")
    owner = app.test_client()
    owner.login("owner@example.com")
    assert owner.get("/merchant/").status_code == 200
    assert owner.get(f"/merchant/shops/{shops['a']}").status_code == 404


def test_draft_listing_is_a_preview_for_staff_and_404_for_others(app, client, shops):
    draft = shops["listings"]["draft_b"]
    assert client.get(f"/listings/{draft}").status_code == 404
    manager = app.test_client()
    manager.login("manager-b@example.com")
    page = manager.get(f"/listings/{draft}").get_data(as_text=True)
    assert "预览" in page


def test_staff_invitation_and_roles(app, shops, make_user):
    manager = app.test_client()
    manager.login("manager-a@example.com")
    response = manager.post(
        f"/merchant/shops/{shops['a']}/staff",
        data={"email": "Tech@Example.com", "role": "technician"},
    )
    assert response.status_code == 302
    again = manager.post(
        f"/merchant/shops/{shops['a']}/staff",
        data={"email": "tech@example.com", "role": "technician"},
    )
    assert "已邀请" in again.get_data(as_text=True)
    make_user("tech@example.com")
    tech = app.test_client()
    tech.login("tech@example.com")
    page = tech.get("/merchant/").get_data(as_text=True)
    assert "驰安养车" in page
    assert tech.post("/merchant/invitations/1/accept").status_code == 302
    with app.app_context():
        member = db.session.scalar(
            select(ShopStaff).join(User).where(User.email == "tech@example.com")
        )
        assert member.shop_id == shops["a"] and member.role.value == "technician"
    assert tech.get(f"/merchant/shops/{shops['a']}").status_code == 200
    assert tech.get(f"/merchant/shops/{shops['a']}/listings/new").status_code == 404, (
        "technicians do not edit"
    )
    assert tech.post("/merchant/invitations/1/accept").status_code == 404
    outsider = app.test_client()
    outsider.login("manager-c@example.com")
    assert outsider.post("/merchant/invitations/1/accept").status_code == 404


def test_chain_admin_sees_all_outlets(app, shops):
    manager = app.test_client()
    manager.login("manager-a@example.com")
    second = {**APPLICATION, "name": "国贸店", "licence_number": LICENCES[2]}
    assert manager.post("/merchant/apply", data=second).status_code == 302
    page = manager.get("/merchant/").get_data(as_text=True)
    assert "望京店" in page and "国贸店" in page
