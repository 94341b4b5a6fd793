"""The default screening: WeChat and QQ contacts and 刷单 wording are held without any
REVIEW_BLOCKLIST, ordinary reviews publish, and the moderator reads which rule held one."""

import pytest

from marketplace.blueprints.reviews.routes import HOLD_REASON_NAMES
from marketplace.models.reviews import Review, ReviewStatus
from marketplace.services.review_screening import RULE_CODES, compact
from marketplace.services.reviews import HOLD_REASONS, hold_reasons

from .conftest import OWNER
from .helpers import make_voucher, reviews, write

ORDINARY = [
    "师傅很专业，换机油很快",
    "V6 发动机保养得很仔细",
    "奥迪Q5 做了小保养，Q5L 2021款换了米其林 225/55 R18",
    "微信支付很方便",
    "用微信付款，还能开发票；微信公众号预约的，到店不用等",
    "在微信上付的款 299 元，用微信小程序下单",
    "宝马 X5 2020款，换了 5W-30 机油，42000 公里",
    "BMW X5 换刹车片，BMW X5 20000公里",
    "奇瑞QQ3 2012款 换了电瓶，奇瑞QQ 50000公里",
    "稍加微调就好了，四轮定位很准",
    "更加微妙的异响也查出来了",
    "店里放着QQ音乐，等待时不无聊",
    "追加了一个项目，更换了V型皮带",
    "五星好评送给李师傅！",
    "VIP会员价很实惠，加VIP很值",
    "参加了门店的活动，加了玻璃水和防冻液",
    "加装了行车记录仪，当日结束，效率高",
    "2023年12月05日做的保养，价格透明，没有推销",
    "途观L 380TSI，vx 这个字母是什么意思",
    "",
]

SPAM = [
    ("加我微信 chefu888 … QQ 12345678", ["wechat", "qq", "contact_invite"]),
    ("ＶＸ：ｃｈｅｆｕ＿８８８", ["wechat"]),
    ("V 信 wang-2024", ["wechat"]),
    ("微信号：abc_12345", ["wechat"]),
    ("w e c h a t: chefu888", ["wechat"]),
    ("微\u200b信 chefu888", ["wechat"]),
    ("薇信 abc123456", ["wechat"]),
    ("扣扣 1234 5678", ["qq"]),
    ("企鹅号 88886666", ["qq"]),
    ("Q Q:123456789", ["qq"]),
    ("ＱＱ群：１２３４５６", ["qq"]),
    ("加V领券", ["contact_invite"]),
    ("+V 有优惠", ["contact_invite"]),
    ("加微送机油", ["contact_invite"]),
    ("加 微 信 有 惊 喜", ["contact_invite"]),
    ("加个vx", ["contact_invite"]),
    ("私聊加扣扣", ["contact_invite"]),
    ("好评返现5元", ["cashback"]),
    ("五星好评返红包", ["cashback"]),
    ("晒图返10元", ["cashback"]),
    ("好 评 有 礼", ["cashback"]),
    ("代刷好评", ["fake_review"]),
    ("刷好评找我", ["fake_review"]),
    ("刷单兼职，日赚300", ["fake_review", "recruiting"]),
    ("加群领福利", ["recruiting"]),
    ("招代理", ["recruiting"]),
    ("vx：13800000000", ["phone", "wechat"]),
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_reviews_are_not_held(text):
    assert hold_reasons(text, []) == []


@pytest.mark.parametrize(("text", "expected"), SPAM)
def test_contacts_and_paid_review_wording_are_held_by_default(text, expected):
    assert hold_reasons(text, []) == expected


def test_compacting_folds_width_case_and_drops_separators():
    assert compact("Ｖ 信：Chefu_888") == "v信chefu888"
    assert compact("微-信\u200b号") == "微信号"
    assert compact("+V") == "+v", "symbols stay"


def test_the_blocklist_adds_to_the_default_rules(app):
    app.config["REVIEW_BLOCKLIST"] = ("同行",)
    with app.app_context():
        from marketplace.services.reviews import _blocklist

        words = _blocklist()
    assert hold_reasons("同行来捣乱", words) == ["blocklist"]
    assert hold_reasons("好评返现", words) == ["cashback"], "the defaults still apply"


def test_every_rule_has_a_name_and_the_codes_fit_the_column():
    assert set(HOLD_REASONS) == set(HOLD_REASON_NAMES)
    assert set(RULE_CODES) <= set(HOLD_REASONS)
    assert len(",".join(HOLD_REASONS)) <= Review.hold_reasons.type.length


def test_a_contact_review_waits_with_its_rule_shown_to_the_moderator(app, owner, admin, owners):
    listing_id = owners["listings"]["oil_a"]
    write(owner, make_voucher(app, OWNER, listing_id), text="师傅很专业，换机油很快")
    response = write(
        owner, make_voucher(app, OWNER, listing_id), text="加我微信 chefu888 … QQ 12345678"
    )
    assert response.status_code == 302
    ordinary, spam = reviews(app)
    assert ordinary.status is ReviewStatus.PUBLISHED and ordinary.hold_reasons == ""
    assert spam.status is ReviewStatus.HELD and spam.hold_reasons == "wechat,qq,contact_invite"
    with app.test_request_context():
        names = [str(HOLD_REASON_NAMES[code]) for code in ("wechat", "qq", "contact_invite")]
    queue = admin.get("/admin/reviews").get_data(as_text=True)
    assert f'data-review-id="{spam.id}"' in queue and f'data-review-id="{ordinary.id}"' not in queue
    assert all(name in queue for name in names)
    page = admin.get(f"/admin/reviews/{spam.id}").get_data(as_text=True)
    assert all(name in page for name in names)
