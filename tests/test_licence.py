"""A shop's business licence number: one check (services/uscc.py), errors that say what is
wrong, and the admin seeing the number checked when deciding on an application."""

import re

import pytest
from sqlalchemy import select, update

from marketplace.extensions import db
from marketplace.models import Shop
from marketplace.services import shops as shop_service
from marketplace.services import uscc
from marketplace.services.shops import ShopError

from .conftest import LICENCES

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


def test_the_shops_check_is_the_uscc_check():
    """One implementation: shops.valid_licence is valid_uscc of the normalised number."""
    for code in (*LICENCES, "91110108770012340G", "91110108770012340H", "9111", ""):
        assert shop_service.valid_licence(code) == uscc.valid_uscc(code)
    assert not hasattr(shop_service, "LICENCE_RE")
    # as typed: spaces, lower case and full-width characters are forgiven
    assert shop_service.valid_licence("9135 0100 m000 100y 43")
    assert shop_service.valid_licence("９１３５０１００Ｍ０００１００Ｙ４３")


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91350100M000100Y43", None),
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y433", "length"),
        ("", "length"),
        ("91350100M000100I43", "character"),  # I is never used
        ("913501A0M000100Y43", "character"),  # a letter in the region's digits
        ("91350100M000100Y44", "check"),
    ],
)
def test_what_is_wrong_with_a_code(code, problem):
    assert uscc.uscc_problem(code) == problem


def test_grouped_six_by_six():
    assert uscc.grouped("91350100M000100Y43") == "913501 00M000 100Y43"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("91350100M000100Y4", "licence_length"),
        ("91350100M000100O43", "licence_character"),
        ("91350100M000100Y44", "licence_check"),
    ],
)
def test_the_service_says_what_is_wrong(app, make_user, typed, code):
    from marketplace.models import User

    make_user("applicant@example.com")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "applicant@example.com"))
        fields = {k: v for k, v in APPLICATION.items() if k not in ("latitude", "longitude")}
        with pytest.raises(ShopError) as refused:
            shop_service.apply_for_shop(
                user, **{**fields, "licence_number": typed}, latitude=39.9, longitude=116.4
            )
        assert refused.value.code == code and refused.value.field == "licence_number"


def english(app, email: str):
    client = app.test_client()
    client.login(email)
    client.post("/language", data={"lang": "en"})
    return client


def test_the_form_says_what_the_number_is_and_what_is_wrong(app, make_user):
    make_user("applicant@example.com")
    client = english(app, "applicant@example.com")
    form = client.get("/merchant/apply").get_data(as_text=True)
    assert 'id="licence_number-hint"' in form and "18 characters" in form
    assert "business licence" in form

    page = client.post(
        "/merchant/apply", data={**APPLICATION, "licence_number": "91350100M000100Y44"}
    ).get_data(as_text=True)
    errors = re.search(r'<ul class="errors" id="licence_number-errors">(.*?)</ul>', page, re.S)
    assert errors and "check character" in errors.group(1)
    page = client.post(
        "/merchant/apply", data={**APPLICATION, "licence_number": "9135010"}
    ).get_data(as_text=True)
    errors = re.search(r'<ul class="errors" id="licence_number-errors">(.*?)</ul>', page, re.S)
    assert errors and "has 18 characters; this one has 7" in errors.group(1)


def test_a_number_typed_with_spaces_is_stored_plain(app, make_user):
    make_user("applicant@example.com")
    client = english(app, "applicant@example.com")
    spaced = "9135 0100 m000 100y 43"
    response = client.post("/merchant/apply", data={**APPLICATION, "licence_number": spaced})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Shop.licence_number)) == LICENCES[0]


def test_the_admin_sees_the_licence_checked(app, shops):
    admin = english(app, "admin@example.com")
    queue = admin.get("/admin/shops").get_data(as_text=True)  # applications first
    row = re.search(rf'<tr data-shop-id="{shops["pending"]}">.*?</tr>', queue, re.S).group(0)
    assert f'data-licence="{LICENCES[2]}" data-licence-valid="yes"' in row
    assert "913100 006316 96382C" in row

    page = admin.get(f"/admin/shops/{shops['pending']}").get_data(as_text=True)
    assert f'data-licence="{LICENCES[2]}" data-licence-valid="yes"' in page
    assert "913100 006316 96382C" in page and "Check character valid" in page
    assert 'data-region="310000"' in page and "Registered in Shanghai" in page

    # a number stored before the check (or typed in by hand) is flagged, with why
    with app.app_context():
        db.session.execute(
            update(Shop)
            .where(Shop.id == shops["pending"])
            .values(licence_number="91310000631696382D")
        )
        db.session.commit()
    page = admin.get(f"/admin/shops/{shops['pending']}").get_data(as_text=True)
    assert 'data-licence-valid="no"' in page and "Not a valid code" in page
    assert "check character" in page
    queue = admin.get("/admin/shops").get_data(as_text=True)
    assert 'data-licence-valid="no"' in queue
