"""Only the owner of a redeemed voucher reviews it: once, within 30 days, editable for a day."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.models import VoucherStatus
from marketplace.models.reviews import Review, ReviewStatus
from marketplace.models.types import utcnow

from .conftest import OWNER
from .helpers import make_voucher, review_count, review_form, reviews, write


def test_the_owner_reviews_a_redeemed_voucher_and_it_shows_everywhere(app, owner, client, owners):
    listing_id = owners["listings"]["oil_a"]
    voucher = make_voucher(app, OWNER, listing_id)
    page = owner.get("/account/vouchers").get_data(as_text=True)
    assert "1 张券待评价" in page and 'data-reviews-awaited="1"' in page
    assert f"/reviews/voucher/{voucher}" in page

    response = write(owner, voucher, text="师傅很专业，\n换机油很快。")
    assert response.status_code == 302
    (review,) = reviews(app)
    assert review.status is ReviewStatus.PUBLISHED
    assert (review.overall, review.quality, review.price_honesty) == (5, 5, 4)
    assert (review.no_pressure, review.on_time) == (5, 4)
    assert review.vehicle_series == "卡罗拉" and review.vehicle_year == 2019

    for url in (f"/listings/{listing_id}", "/shops/" + _slug(app, owners["a"])):
        page = client.get(url).get_data(as_text=True)
        assert f'data-review-id="{review.id}"' in page, url
        assert "已验证购买" in page
        assert "卡罗拉" in page and "2019" in page
        assert "小保养套餐 机油+机滤 全合成" in page
        assert "王**" in page and "王小明" not in page, "the owner's name is masked"
        assert "师傅很专业，" in page and "换机油很快。" in page

    page = owner.get("/account/vouchers").get_data(as_text=True)
    assert "data-reviews-awaited" not in page
    assert 'data-review-status="published"' in page


def _slug(app, shop_id):
    from marketplace.models import Shop

    with app.app_context():
        return db.session.get(Shop, shop_id).slug


def test_english_page_says_verified_purchase(app, owner, client, owners):
    listing_id = owners["listings"]["oil_a"]
    write(owner, make_voucher(app, OWNER, listing_id))
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/listings/{listing_id}").get_data(as_text=True)
    assert "Verified purchase" in page and "卡罗拉, 2019 model" in page


def test_someone_elses_voucher_is_a_404_and_nothing_changes(app, owner, other_owner, owners):
    voucher = make_voucher(app, OWNER, owners["listings"]["oil_a"])
    assert other_owner.get(f"/reviews/voucher/{voucher}").status_code == 404
    assert write(other_owner, voucher).status_code == 404
    assert owner.get("/reviews/voucher/999999").status_code == 404
    assert review_count(app) == 0


@pytest.mark.parametrize(
    ("status", "ago", "message"),
    [
        (VoucherStatus.ISSUED, None, "店家核销您的券后即可评价"),
        (VoucherStatus.REFUNDED, None, "这张券已退款"),
        (VoucherStatus.REFUND_REQUESTED, None, "这张券已退款"),
        (VoucherStatus.EXPIRED, None, "店家核销您的券后即可评价"),
        (VoucherStatus.REDEEMED, timedelta(days=30, minutes=1), "核销后 30 天内可以评价"),
    ],
)
def test_vouchers_that_cannot_be_reviewed(app, owner, owners, status, ago, message):
    voucher = make_voucher(app, OWNER, owners["listings"]["oil_a"], status=status, redeemed_ago=ago)
    page = owner.get("/account/vouchers").get_data(as_text=True)
    assert f"/reviews/voucher/{voucher}" not in page
    response = write(owner, voucher)
    assert response.status_code == 302
    assert message in owner.get(response.headers["Location"]).get_data(as_text=True)
    assert review_count(app) == 0


def test_a_review_on_the_last_day_of_the_window_is_accepted(app, owner, owners):
    voucher = make_voucher(
        app, OWNER, owners["listings"]["oil_a"], redeemed_ago=timedelta(days=29, hours=23)
    )
    assert write(owner, voucher).status_code == 302
    assert review_count(app) == 1


def test_a_second_review_for_the_same_voucher_is_refused(app, owner, owners):
    voucher = make_voucher(app, OWNER, owners["listings"]["oil_a"])
    write(owner, voucher)
    response = write(owner, voucher, overall="1", text="再评一次")
    page = owner.get(response.headers["Location"]).get_data(as_text=True)
    assert "您已经评价过这张券" in page
    (review,) = reviews(app)
    assert review.overall == 5 and review.text == "师傅很专业，换机油很快。"


@pytest.mark.parametrize(
    "changes",
    [
        {"overall": "0"},
        {"overall": "6"},
        {"overall": "five"},
        {"overall": ""},
        {"quality": "6"},
        {"on_time": "-1"},
        {"price_honesty": "4.5"},
    ],
)
def test_bad_stars_get_a_message_and_change_nothing(app, owner, owners, changes):
    voucher = make_voucher(app, OWNER, owners["listings"]["oil_a"])
    response = write(owner, voucher, **changes)
    assert response.status_code == 400
    assert "请选择 1 到 5 星" in response.get_data(as_text=True)
    assert review_count(app) == 0


def test_missing_stars_are_refused(app, owner, owners):
    voucher = make_voucher(app, OWNER, owners["listings"]["oil_a"])
    data = review_form()
    del data["no_pressure"]
    response = owner.post(f"/reviews/voucher/{voucher}", data=data)
    assert response.status_code == 400 and review_count(app) == 0


def test_text_up_to_1000_characters(app, owner, owners):
    voucher = make_voucher(app, OWNER, owners["listings"]["oil_a"])
    response = write(owner, voucher, text="好" * 10_000)
    assert response.status_code == 400
    assert "最多 1000 个字符" in response.get_data(as_text=True)
    assert review_count(app) == 0
    assert write(owner, voucher, text="好" * 1000).status_code == 302
    assert len(reviews(app)[0].text) == 1000


def test_stars_without_text_are_a_review(app, owner, owners):
    voucher = make_voucher(app, OWNER, owners["listings"]["oil_a"])
    assert write(owner, voucher, text="   ").status_code == 302
    assert reviews(app)[0].text == ""


def test_edit_within_24_hours_and_not_after(app, owner, other_owner, owners):
    voucher = make_voucher(app, OWNER, owners["listings"]["oil_a"])
    write(owner, voucher)
    (review,) = reviews(app)
    assert other_owner.get(f"/reviews/{review.id}/edit").status_code == 404
    assert (
        other_owner.post(f"/reviews/{review.id}/edit", data=review_form(overall="1")).status_code
        == 404
    )
    assert owner.get(f"/reviews/{review.id}/edit").status_code == 200
    response = owner.post(f"/reviews/{review.id}/edit", data=review_form(overall="3", text="改"))
    assert response.status_code == 302
    (edited,) = reviews(app)
    assert edited.overall == 3 and edited.text == "改" and edited.edited_at is not None

    with app.app_context():
        row = db.session.get(Review, review.id)
        row.created_at = utcnow() - timedelta(hours=24, minutes=1)
        db.session.commit()
    response = owner.post(f"/reviews/{review.id}/edit", data=review_form(overall="1"))
    assert response.status_code == 302
    assert "评价写好后 24 小时内可以修改" in owner.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert reviews(app)[0].overall == 3


def test_the_database_refuses_bad_stars_and_a_second_review(app, owner, owners):
    voucher = make_voucher(app, OWNER, owners["listings"]["oil_a"])
    write(owner, voucher)
    (first,) = reviews(app)
    with app.app_context():
        for changes in ({"voucher_id": voucher}, {"voucher_id": None, "overall": 6}):
            row = Review(
                voucher_id=changes["voucher_id"]
                or make_voucher(app, OWNER, owners["listings"]["wash_a"]),
                owner_id=first.owner_id,
                shop_id=first.shop_id,
                listing_id=first.listing_id,
                overall=changes.get("overall", 5),
                quality=5,
                price_honesty=5,
                no_pressure=5,
                on_time=5,
                status=ReviewStatus.PUBLISHED,
                service_title="x",
            )
            db.session.add(row)
            with pytest.raises(IntegrityError):
                db.session.flush()
            db.session.rollback()
    assert review_count(app) == 1
