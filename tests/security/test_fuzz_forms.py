"""Every form of the app gets fuzzed input (hypothesis, bounded): never a 500.

Each case posts (or GETs) what a browser could send, plus junk: long text, control and
non-ASCII characters, huge and negative numbers, NaN, odd dates, missing and repeated fields.
The answer may be the form again with messages (200/400/422), a redirect, a 404 or a 429."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import GarageVehicle
from marketplace.models.reviews import Review

from ..conftest import COROLLA_CVT
from ..dashboard import helpers as dashboard
from ..reviews.helpers import make_voucher, write
from .conftest import OWNER, TECH_A, signed_in

EXAMPLES = 25
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "²",
    "١٢٣",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "1e999",
    "-1",
    "0",
    "9" * 40,
    "-" + "9" * 40,
    "1.005",
    "0x10",
    "1_000",
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "2024-13-01",
    "'; DROP TABLE users;--",
    '<script>alert("x")</script>',
    "{{7*7}}",
    "%s%s%n",
    "\u202e\u200b\ufeff",
    "𠜎𠜱" * 50,
    "a" * 5000,
]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
JUNK = st.one_of(
    st.sampled_from(NASTY),
    TEXT,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(str),
)


def junk_form(fields: dict) -> st.SearchStrategy:
    """A form: each field a plausible value, junk, or missing."""
    return st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(st.sampled_from(good), JUNK) if good else JUNK
            for name, good in fields.items()
        },
    )


@pytest.fixture
def scene(app, world, buyer):
    """Something for every form to act on: a car, a review, a redemption, a lost customer."""
    assert buyer.post("/vehicles/select", data={"variant_id": COROLLA_CVT}).status_code == 302
    redeemed = make_voucher(app, OWNER, world.listings["oil_a"])
    assert write(buyer, redeemed, text="不错").status_code == 302
    with app.app_context():
        recent = dashboard.redeem(
            OWNER, world.listings["wash_a"], datetime.now(UTC) - timedelta(minutes=5)
        )
        dashboard.redeem(
            "manager-b@example.com",
            world.listings["big_a"],
            datetime.now(UTC) - timedelta(days=300),
        )
        lost_owner = dashboard.user_id("manager-b@example.com")
        db.session.commit()
        vehicle = db.session.scalar(select(GarageVehicle.id))
        review = db.session.scalar(select(Review.id))
    return {
        "vehicle": vehicle,
        "review": review,
        "redemption": recent.redemption_id,
        "lost_owner": lost_owner,
        "shop": world.a,
        "pending": None,
        "listing": world.listings["oil_a"],
    }


DAY = ["2024-05-01", (datetime.now(UTC).date()).isoformat()]
KM = ["12000", "0", "2000000"]
STARS = ["1", "3", "5", "0", "6"]

# (who, method, url, fields with plausible values)
FORMS = {
    "register": (
        None,
        "POST",
        "/auth/register",
        {
            "email": ["a@example.com"],
            "display_name": ["张三"],
            "password": ["x" * 12],
            "confirm": ["x" * 12],
            "next": ["/garage/"],
        },
    ),
    "login": (
        None,
        "POST",
        "/auth/login",
        {"email": [OWNER], "password": ["x"], "remember": ["y"], "next": ["/"]},
    ),
    "password": (
        "owner",
        "POST",
        "/account/password",
        {"current": ["x"], "new": ["y" * 12], "confirm": ["y" * 12]},
    ),
    "garage_edit": (
        "owner",
        "POST",
        "/garage/{vehicle}/edit",
        {"plate": ["京A12345", "沪AD12345"], "registered_on": DAY},
    ),
    "garage_reading": ("owner", "POST", "/garage/{vehicle}/readings", {"km": KM, "read_on": DAY}),
    "garage_service": (
        "owner",
        "POST",
        "/garage/{vehicle}/services",
        {"item": ["engine_oil", "x"], "done_on": DAY, "km": KM},
    ),
    "garage_insurance": (
        "owner",
        "POST",
        "/garage/{vehicle}/insurance",
        {"insurer": ["平安"], "expires_on": ["2030-01-01", *DAY]},
    ),
    "matcher": (
        "owner",
        "GET",
        "/maintenance/result",
        {
            "variant": [str(COROLLA_CVT)],
            "vehicle": ["{vehicle}"],
            "fuel": ["petrol"],
            "transmission": ["cvt"],
            "km": KM,
            "registered": DAY,
            "months": ["12"],
            "condition": ["normal", "severe"],
        },
    ),
    "search": (
        None,
        "GET",
        "/listings/",
        {
            "q": ["机油"],
            "category": ["maintenance"],
            "city": ["北京"],
            "price_min": ["10"],
            "price_max": ["100"],
            "sort": ["price", "distance"],
            "min_rating": ["4.5"],
            "lat": ["39.9"],
            "lng": ["116.4"],
            "page": ["2"],
            "item": ["engine_oil"],
            "variant": [str(COROLLA_CVT)],
            "fits": ["1"],
        },
    ),
    "vehicle_select": (
        "owner",
        "POST",
        "/vehicles/select",
        {"variant_id": [str(COROLLA_CVT)], "next": ["/garage/"]},
    ),
    "merchant_apply": (
        "owner",
        "POST",
        "/merchant/apply",
        {
            "chain_name": ["新连锁"],
            "name": ["一店"],
            "address": ["路1号"],
            "city": ["北京"],
            "district": ["朝阳"],
            "opening_hours": ["9-18"],
            "phone": ["13800138000"],
            "licence_number": ["91310000631696382C"],
            "latitude": ["39.9"],
            "longitude": ["116.4"],
        },
    ),
    "merchant_profile": (
        "manager",
        "POST",
        "/merchant/shops/{shop}",
        {
            "address": ["路1号"],
            "district": ["朝阳"],
            "opening_hours": ["9-18"],
            "phone": ["010-12345678"],
            "latitude": ["39.9"],
            "longitude": ["116.4"],
        },
    ),
    "merchant_listing": (
        "manager",
        "POST",
        "/merchant/shops/{shop}/listings/new",
        {
            "title": ["洗车"],
            "category": ["cleaning", "x"],
            "description": ["好"],
            "price": ["9.9", "1.001"],
            "list_price": ["19.9"],
            "validity_days": ["90"],
            "stock": ["5"],
            "items": ["engine_oil"],
            "fit_fuels": ["petrol"],
            "fit_brands": ["丰田", "丰田、不存在"],
            "fit_series": ["卡罗拉"],
            "refund_any_time": ["y"],
            "refund_on_expiry": ["y"],
            "chain_redeemable": ["y"],
        },
    ),
    "merchant_listing_edit": (
        "manager",
        "POST",
        "/merchant/listings/{listing}/edit",
        {
            "title": ["洗车"],
            "category": ["cleaning"],
            "price": ["9.9"],
            "list_price": ["19.9"],
            "validity_days": ["90"],
            "stock": ["5"],
        },
    ),
    "merchant_staff": (
        "manager",
        "POST",
        "/merchant/shops/{shop}/staff",
        {"email": ["new@example.com"], "role": ["manager", "technician", "admin"]},
    ),
    "cart_add": (
        "owner",
        "POST",
        "/cart/add",
        {"listing_id": ["{listing}"], "quantity": ["1", "10", "11"]},
    ),
    "cart_line": ("owner", "POST", "/cart/lines/{listing}", {"quantity": ["0", "2"]}),
    "checkout": ("owner", "POST", "/cart/checkout", {"expected_total": ["29900", "0"]}),
    "redeem_lookup": (
        "tech",
        "POST",
        "/merchant/redeem",
        {"code": ["123456789012"], "shop": ["{shop}"]},
    ),
    "redeem_confirm": (
        "tech",
        "POST",
        "/merchant/redeem/confirm",
        {
            "code": ["123456789012"],
            "shop": ["{shop}"],
            "request_id": ["ab" * 16],
            "odometer": ["35,200", "-5", "1 000"],
        },
    ),
    "redeem_undo": (
        "tech",
        "POST",
        "/merchant/redemptions/{redemption}/undo",
        {"reason": ["顾客要求"]},
    ),
    "redemption_filters": (
        "manager",
        "GET",
        "/merchant/shops/{shop}/redemptions",
        {
            "period": ["today", "7d", "month", "all"],
            "from": DAY,
            "to": DAY,
            "listing": ["{listing}"],
            "staff": ["1"],
            "format": ["csv"],
        },
    ),
    "statement": (
        "manager",
        "GET",
        "/merchant/shops/{shop}/earnings/statement.csv",
        {"month": ["2024-05"]},
    ),
    "review_write": (
        "owner",
        "POST",
        "/reviews/voucher/{voucher}",
        {
            "overall": STARS,
            "quality": STARS,
            "price_honesty": STARS,
            "no_pressure": STARS,
            "on_time": STARS,
            "text": ["好"],
        },
    ),
    "review_edit": (
        "owner",
        "POST",
        "/reviews/{review}/edit",
        {
            "overall": STARS,
            "quality": STARS,
            "price_honesty": STARS,
            "no_pressure": STARS,
            "on_time": STARS,
            "text": ["好"],
        },
    ),
    "review_reply": ("manager", "POST", "/merchant/reviews/{review}/reply", {"text": ["谢谢"]}),
    "review_report": ("manager", "POST", "/merchant/reviews/{review}/report", {"reason": ["广告"]}),
    "review_decision": (
        "admin",
        "POST",
        "/admin/reviews/{review}",
        {"decision": ["approve", "hide", "x"], "reason": ["理由"]},
    ),
    "shop_decision": (
        "admin",
        "POST",
        "/admin/shops/{pending}",
        {"decision": ["approve", "reject", "suspend", "reinstate"], "reason": ["理由"]},
    ),
    "admin_orders": ("admin", "GET", "/admin/orders", {"q": ["buyer@example.com"]}),
    "notification_settings": (
        "owner",
        "POST",
        "/account/notifications/settings",
        {"chosen": ["maintenance_due:email", "shop_message:in_app"]},
    ),
    "dashboard_window": (
        "manager",
        "POST",
        "/merchant/shops/{shop}/dashboard",
        {"months": ["3", "12", "13"], "by": ["week"]},
    ),
    "dashboard_grain": (
        "manager",
        "GET",
        "/merchant/shops/{shop}/dashboard",
        {"by": ["day", "week", "month"]},
    ),
    "winback": (
        "manager",
        "POST",
        "/merchant/shops/{shop}/lost-customers/{lost_owner}/message",
        {"message": ["好久不见"]},
    ),
    "language": (None, "POST", "/language", {"lang": ["en", "zh_CN"], "next": ["/"]}),
}
ACTORS = {
    "owner": OWNER,
    "manager": "manager-a@example.com",
    "tech": TECH_A,
    "admin": "admin@example.com",
}
OK = {200, 302, 400, 404, 405, 422, 429}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_fuzzed_form_never_errors(app, world, shops, scene, name):
    who, method, url, fields = FORMS[name]
    ids = scene | {"pending": shops["pending"]}
    if "{voucher}" in url:
        ids["voucher"] = make_voucher(app, OWNER, world.listings["tire_b"])
    path = url.format(**ids)
    client = signed_in(app, ACTORS[who]) if who else app.test_client()
    good = {k: [v.format(**ids) for v in values] for k, values in fields.items()}

    @FUZZ
    @given(form=junk_form(good), repeat=st.booleans())
    def attempt(form, repeat):
        data = {
            k: [v, v] if repeat and k in ("items", "chosen", "fit_fuels") else v
            for k, v in form.items()
        }
        if method == "GET":
            response = client.get(path, query_string=data)
        else:
            response = client.post(path, data=data)
        assert response.status_code in OK, (name, form, response.status_code)

    attempt()
