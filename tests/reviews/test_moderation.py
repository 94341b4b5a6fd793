"""The admin's queue: held and reported reviews, oldest first; approve or hide with a reason."""

from datetime import timedelta

from marketplace.extensions import db
from marketplace.models.reviews import Review, ReviewReport, ReviewStatus
from marketplace.models.types import utcnow

from .conftest import OWNER
from .helpers import audit_actions, make_voucher, review_ids, reviews, summaries, write


def _age(app, review_id: int, hours: int) -> None:
    with app.app_context():
        row = db.session.get(Review, review_id)
        row.queued_at = utcnow() - timedelta(hours=hours)
        db.session.commit()


def test_queue_is_for_admins_only_and_oldest_first(app, owner, manager_a, admin, owners):
    listing_id = owners["listings"]["oil_a"]
    for text in ("http://a.example.com", "http://b.example.com", "没问题"):
        write(owner, make_voucher(app, OWNER, listing_id), text=text)
    newer, older, clean = reviews(app)
    _age(app, newer.id, 1)
    _age(app, older.id, 5)
    manager_a.post(f"/merchant/reviews/{clean.id}/report", data={"reason": "他根本没来过"})
    _age(app, clean.id, 3)

    assert owner.get("/admin/reviews").status_code == 404
    assert manager_a.get("/admin/reviews").status_code == 404
    assert app.test_client().get("/admin/reviews").status_code == 404
    assert owner.post(f"/admin/reviews/{newer.id}", data={"decision": "approve"}).status_code == 404
    page = admin.get("/admin/reviews").get_data(as_text=True)
    assert review_ids(page) == [older.id, clean.id, newer.id]
    assert "店家举报" in page
    detail = admin.get(f"/admin/reviews/{clean.id}").get_data(as_text=True)
    assert "他根本没来过" in detail


def test_approve_publishes_counts_and_is_audited(app, owner, admin, client, owners):
    listing_id = owners["listings"]["oil_a"]
    write(owner, make_voucher(app, OWNER, listing_id), overall="2", text="www.example.com")
    (review,) = reviews(app)
    shop, _, listing = summaries(app, owners["a"], listing_id)
    assert shop is None and listing.rating_count == 0, "a held review is not counted"
    response = admin.post(f"/admin/reviews/{review.id}", data={"decision": "approve"})
    assert response.status_code == 302
    (review,) = reviews(app)
    assert review.status is ReviewStatus.PUBLISHED and review.queued_at is None
    shop, listing_summary, listing = summaries(app, owners["a"], listing_id)
    assert shop.review_count == 1 and listing_summary.stars == [0, 1, 0, 0, 0]
    assert listing.rating_count == 1
    assert review_ids(client.get(f"/listings/{listing_id}").get_data(as_text=True)) == [review.id]
    assert audit_actions(app)[-1] == "review.approved"
    assert review_ids(admin.get("/admin/reviews").get_data(as_text=True)) == []


def test_hide_needs_a_reason_the_author_sees(app, owner, admin, client, owners):
    listing_id = owners["listings"]["oil_a"]
    write(owner, make_voucher(app, OWNER, listing_id), overall="1", text="垃圾店")
    (review,) = reviews(app)
    before = audit_actions(app)

    response = admin.post(f"/admin/reviews/{review.id}", data={"decision": "hide", "reason": ""})
    assert response.status_code == 400
    assert "请填写原因" in response.get_data(as_text=True)
    assert reviews(app)[0].status is ReviewStatus.PUBLISHED
    assert audit_actions(app) == before

    response = admin.post(
        f"/admin/reviews/{review.id}", data={"decision": "hide", "reason": "含有人身攻击"}
    )
    assert response.status_code == 302
    (review,) = reviews(app)
    assert review.status is ReviewStatus.HIDDEN and review.decision_reason == "含有人身攻击"
    assert audit_actions(app)[-1] == "review.hidden"
    mine = owner.get("/account/reviews").get_data(as_text=True)
    assert "含有人身攻击" in mine and 'data-review-status="hidden"' in mine
    assert review_ids(client.get(f"/listings/{listing_id}").get_data(as_text=True)) == []
    # hidden: the author may edit and resubmit it once (tests/reviews/test_resubmit.py)
    assert owner.get(f"/reviews/{review.id}/edit").status_code == 200

    # hiding twice is not a move a review can make: a message, nothing changes
    count = len(audit_actions(app))
    response = admin.post(
        f"/admin/reviews/{review.id}", data={"decision": "hide", "reason": "again"}
    )
    assert "该评价当前状态下无法做此决定" in admin.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert reviews(app)[0].decision_reason == "含有人身攻击"
    assert len(audit_actions(app)) == count

    # and an admin may put it back
    admin.post(f"/admin/reviews/{review.id}", data={"decision": "approve", "reason": "复核后恢复"})
    assert reviews(app)[0].status is ReviewStatus.PUBLISHED
    assert summaries(app, owners["a"], listing_id)[2].rating_count == 1


def test_a_reported_review_kept_up_closes_the_report(app, owner, manager_a, admin, owners):
    write(owner, make_voucher(app, OWNER, owners["listings"]["oil_a"]))
    (review,) = reviews(app)
    manager_a.post(f"/merchant/reviews/{review.id}/report", data={"reason": "不实"})
    admin.post(f"/admin/reviews/{review.id}", data={"decision": "approve", "reason": "属实"})
    (review,) = reviews(app)
    assert review.status is ReviewStatus.PUBLISHED and review.queued_at is None
    with app.app_context():
        report = db.session.query(ReviewReport).one()
        assert report.resolution == "approved" and report.resolved_at is not None
    assert audit_actions(app)[-2:] == ["review.reported", "review.approved"]
    # nothing left to approve: a published, unreported review
    count = len(audit_actions(app))
    admin.post(f"/admin/reviews/{review.id}", data={"decision": "approve"})
    assert len(audit_actions(app)) == count


def test_unknown_decision_is_refused(app, owner, admin, owners):
    write(owner, make_voucher(app, OWNER, owners["listings"]["oil_a"]))
    (review,) = reviews(app)
    assert admin.post(f"/admin/reviews/{review.id}", data={"decision": "delete"}).status_code == 400
    assert admin.get("/admin/reviews/999999").status_code == 404
    assert reviews(app)[0].status is ReviewStatus.PUBLISHED


def test_an_undone_redemption_withdraws_its_review(app, owner, manager_a, owners):
    from sqlalchemy import select

    from marketplace.models import User, Voucher, VoucherStatus
    from marketplace.services import reviews as review_service

    listing_id = owners["listings"]["oil_a"]
    voucher_id = make_voucher(app, OWNER, listing_id)
    write(owner, voucher_id)
    (review,) = reviews(app)
    manager_a.post(f"/merchant/reviews/{review.id}/report", data={"reason": "没来过"})
    with app.app_context():
        voucher = db.session.get(Voucher, voucher_id)
        voucher.status, voucher.redeemed_at = VoucherStatus.ISSUED, None
        staff = db.session.scalar(select(User).where(User.email == "manager-a@example.com"))
        assert review_service.withdraw_for_undone_redemption(staff, voucher) is True
        db.session.commit()
        assert review_service.withdraw_for_undone_redemption(staff, voucher) is False
    assert reviews(app) == []
    shop, listing_summary, listing = summaries(app, owners["a"], listing_id)
    assert shop.review_count == 0 and listing.rating_count == 0 and listing.rating_score == 0
    assert audit_actions(app)[-1] == "review.withdrawn"
