"""Automatic holds: links, phone numbers, emails and blocked words wait for a moderator."""

import pytest

from marketplace.models.reviews import ReviewStatus
from marketplace.services.reviews import hold_reasons

from .conftest import OWNER
from .helpers import make_voucher, review_form, review_ids, reviews, summaries, write


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("详情见 http://example.cn/shop", ["link"]),
        ("去 www.taobao.com 买更便宜", ["link"]),
        ("去ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ看看", ["link"]),
        ("淘宝店 cheap-oil.top 有货", ["link"]),
        ("加我 138 0013 8000", ["phone"]),
        ("电话13800138000", ["phone"]),
        ("电话+86 138-0013-8000", ["phone"]),
        ("全角号码１３８００１３８０００", ["phone"]),
        ("座机 010-62345678", ["phone"]),
        ("客服 400-123-4567", ["phone"]),
        ("加我一三八〇〇一三八〇〇〇", ["phone"]),
        ("电话 幺三八 零零幺三 八零零零", ["phone"]),
        ("壹叁捌零零壹叁捌零零零", ["phone"]),
        ("138零零13八000", ["phone"]),
        ("座机零一零六二三四五六七八", ["phone"]),
        ("一二三四五，上山打老虎；十一月第二次来，两个人三百元", []),
        ("发邮件到 someone@example.com", ["email"]),
        ("联系 a.b+c@mail.qq.com 或 http://x.cn", ["link", "email"]),
        ("加微信领券", ["contact_invite", "blocklist"]),  # a default rule, and the word too
        ("找代刷好评", ["fake_review", "blocklist"]),
        ("同行来捣乱", ["blocklist"]),  # only REVIEW_BLOCKLIST's word
        ("2019-03-15 做的保养，42000 公里，花了 299 元，机油 5W-30。", []),
        ("价格 ¥1,299.00，VIN 后六位 123456", []),
        ("", []),
    ],
)
def test_hold_reasons(text, expected):
    assert hold_reasons(text, ["加微信", "代刷", "同行"]) == expected


def test_blocked_words_ignore_case_width_and_spaces():
    assert hold_reasons("同行来捣乱", []) == []
    assert hold_reasons("ＡＢＣ同行了", ["abc同行"]) == ["blocklist"]
    assert hold_reasons("SPAM WORD", ["spam word"]) == ["blocklist"]
    assert hold_reasons("同 · 行", ["同行"]) == ["blocklist"]


def test_blocklist_is_read_from_the_environment(monkeypatch):
    from marketplace.config import Config

    monkeypatch.setenv("REVIEW_BLOCKLIST", " 加微信, 代刷 ,,")
    assert Config().REVIEW_BLOCKLIST == ("加微信", "代刷")
    monkeypatch.delenv("REVIEW_BLOCKLIST")
    assert Config().REVIEW_BLOCKLIST == ()


@pytest.fixture
def blocking_app(app):
    app.config["REVIEW_BLOCKLIST"] = ("加微信",)
    return app


@pytest.mark.parametrize(
    "text",
    ["联系我 13800138000", "看 http://spam.example.com", "me@example.com", "要加微信才给优惠"],
)
def test_a_held_review_waits_and_does_not_count(blocking_app, owner, client, admin, owners, text):
    app = blocking_app
    listing_id = owners["listings"]["oil_a"]
    published = make_voucher(app, OWNER, listing_id)
    held = make_voucher(app, OWNER, listing_id)
    write(owner, published, overall="4", text="不错")
    response = write(owner, held, overall="1", text=text)
    assert response.status_code == 302
    assert "审核" in owner.get(response.headers["Location"]).get_data(as_text=True)
    first, second = reviews(app)
    assert first.status is ReviewStatus.PUBLISHED
    assert second.status is ReviewStatus.HELD and second.queued_at is not None

    shop, listing_summary, listing = summaries(app, owners["a"], listing_id)
    assert shop.review_count == listing_summary.review_count == listing.rating_count == 1
    assert listing_summary.stars == [0, 0, 0, 1, 0]
    page = client.get(f"/listings/{listing_id}").get_data(as_text=True)
    assert review_ids(page) == [first.id]
    assert text not in page

    mine = owner.get("/account/reviews").get_data(as_text=True)
    assert 'data-review-status="held"' in mine
    queue = admin.get("/admin/reviews").get_data(as_text=True)
    assert f'data-review-id="{second.id}"' in queue
    assert f'data-review-id="{first.id}"' not in queue


def test_an_edit_that_adds_a_phone_number_takes_the_review_down(app, owner, client, owners):
    listing_id = owners["listings"]["oil_a"]
    write(owner, make_voucher(app, OWNER, listing_id))
    (review,) = reviews(app)
    assert summaries(app, owners["a"], listing_id)[2].rating_count == 1
    owner.post(f"/reviews/{review.id}/edit", data=review_form(text="有事打 13912345678"))
    (review,) = reviews(app)
    assert review.status is ReviewStatus.HELD and review.hold_reasons == "phone"
    shop, listing_summary, listing = summaries(app, owners["a"], listing_id)
    assert shop.review_count == 0 and listing.rating_count == 0 and listing.rating_score == 0
    assert review_ids(client.get(f"/listings/{listing_id}").get_data(as_text=True)) == []

    owner.post(f"/reviews/{review.id}/edit", data=review_form(text="电话删掉了"))
    (review,) = reviews(app)
    assert review.status is ReviewStatus.PUBLISHED and review.queued_at is None
    assert summaries(app, owners["a"], listing_id)[2].rating_count == 1
