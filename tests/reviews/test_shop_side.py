"""The shop replies once (editable) and may report a review; other shops get a 404."""

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models.reviews import ReviewReport

from .conftest import OWNER
from .helpers import audit_actions, make_voucher, reviews, write


def _reports(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ReviewReport))


def test_the_shop_replies_once_and_edits_its_reply(app, owner, manager_a, client, owners):
    listing_id = owners["listings"]["oil_a"]
    write(owner, make_voucher(app, OWNER, listing_id))
    (review,) = reviews(app)
    page = manager_a.get("/merchant/reviews", follow_redirects=True).get_data(as_text=True)
    assert f'data-review-id="{review.id}"' in page

    response = manager_a.post(
        f"/merchant/reviews/{review.id}/reply", data={"text": "感谢您的认可！"}
    )
    assert response.status_code == 302
    (review,) = reviews(app)
    assert review.reply_text == "感谢您的认可！" and review.replied_at is not None
    assert "感谢您的认可！" in client.get(f"/listings/{listing_id}").get_data(as_text=True)

    form = manager_a.get(f"/merchant/reviews/{review.id}/reply").get_data(as_text=True)
    assert "感谢您的认可！" in form, "the form is prefilled with the reply to edit"
    manager_a.post(f"/merchant/reviews/{review.id}/reply", data={"text": "感谢，欢迎再来。"})
    (review,) = reviews(app)
    assert review.reply_text == "感谢，欢迎再来。" and review.reply_edited_at is not None
    page = client.get(f"/listings/{listing_id}").get_data(as_text=True)
    assert page.count("review-reply") == 1 and "感谢您的认可！" not in page
    assert audit_actions(app)[-2:] == ["review.replied", "review.reply_edited"]

    response = manager_a.post(f"/merchant/reviews/{review.id}/reply", data={"text": "  "})
    assert response.status_code == 400 and reviews(app)[0].reply_text == "感谢，欢迎再来。"
    response = manager_a.post(f"/merchant/reviews/{review.id}/reply", data={"text": "长" * 1001})
    assert response.status_code == 400 and reviews(app)[0].reply_text == "感谢，欢迎再来。"


def test_another_shop_or_the_owner_cannot_reply_or_report(app, owner, manager_b, owners):
    write(owner, make_voucher(app, OWNER, owners["listings"]["oil_a"]))
    (review,) = reviews(app)
    for client in (manager_b, owner, app.test_client()):
        for action, data in (("reply", {"text": "冒充回复"}), ("report", {"reason": "x"})):
            url = f"/merchant/reviews/{review.id}/{action}"
            assert client.get(url).status_code in (404, 302), (client, url)
            assert client.post(url, data=data).status_code in (404, 302)
    assert manager_b.get(f"/merchant/reviews/shops/{owners['a']}").status_code == 404
    assert (
        manager_b.post(
            f"/merchant/reviews/{review.id}/reply", data={"text": "冒充回复"}
        ).status_code
        == 404
    )
    assert reviews(app)[0].reply_text == "" and _reports(app) == 0


def test_the_shop_reports_a_review_once_with_a_reason(app, owner, manager_a, admin, owners):
    write(owner, make_voucher(app, OWNER, owners["listings"]["oil_a"]))
    (review,) = reviews(app)
    url = f"/merchant/reviews/{review.id}/report"
    response = manager_a.post(url, data={"reason": ""})
    assert response.status_code == 400 and "请填写原因" in response.get_data(as_text=True)
    assert _reports(app) == 0

    assert manager_a.post(url, data={"reason": "该车主未到店消费"}).status_code == 302
    assert _reports(app) == 1
    (review,) = reviews(app)
    assert review.queued_at is not None and review.status.value == "published"
    assert audit_actions(app)[-1] == "review.reported"

    response = manager_a.post(url, data={"reason": "再举报一次"})
    assert "该评价已被举报过" in manager_a.get(response.headers["Location"]).get_data(as_text=True)
    assert _reports(app) == 1
    page = manager_a.get(f"/merchant/reviews/shops/{owners['a']}").get_data(as_text=True)
    assert "该车主未到店消费" in page and 'data-report="open"' in page


def test_held_or_hidden_reviews_are_not_the_shops_to_answer(app, owner, manager_a, owners):
    write(owner, make_voucher(app, OWNER, owners["listings"]["oil_a"]), text="http://x.cn")
    (review,) = reviews(app)
    assert manager_a.get(f"/merchant/reviews/{review.id}/reply").status_code == 404
    assert (
        manager_a.post(f"/merchant/reviews/{review.id}/reply", data={"text": "回复"}).status_code
        == 404
    )
    assert reviews(app)[0].reply_text == ""
