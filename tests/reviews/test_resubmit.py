"""A review a moderator hid: its author may edit it once, and it goes back to the queue."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.error_messages import message_for
from marketplace.extensions import db
from marketplace.models import AuditEntry, User
from marketplace.models.reviews import Review, ReviewStatus
from marketplace.models.types import utcnow
from marketplace.services import reviews as review_service
from marketplace.services.reviews import IllegalTransition, ReviewDraft, ReviewError

from .conftest import OWNER
from .helpers import (
    audit_actions,
    make_voucher,
    review_form,
    review_ids,
    reviews,
    summaries,
    write,
)

REASON = "请去掉对其他门店的攻击"


@pytest.fixture
def hidden(app, owner, admin, owners):
    """A review the admin hid with REASON; its id."""
    write(owner, make_voucher(app, OWNER, owners["listings"]["oil_a"]), overall="1", text="差")
    (review,) = reviews(app)
    response = admin.post(
        f"/admin/reviews/{review.id}", data={"decision": "hide", "reason": REASON}
    )
    assert response.status_code == 302
    return review.id


def refused(app) -> str:
    with app.test_request_context():
        return message_for(ReviewError, "resubmitted_once")


def test_the_author_edits_a_hidden_review_once_and_it_waits_for_a_moderator(
    app, owner, admin, client, owners, hidden
):
    listing_id = owners["listings"]["oil_a"]
    mine = owner.get("/account/reviews").get_data(as_text=True)
    assert REASON in mine and "data-resubmit" in mine
    form = owner.get(f"/reviews/{hidden}/edit")
    assert form.status_code == 200 and REASON in form.get_data(as_text=True)

    response = owner.post(
        f"/reviews/{hidden}/edit", data=review_form(overall="3", text="师傅很专业，换机油很快")
    )
    assert response.status_code == 302
    (review,) = reviews(app)
    assert review.status is ReviewStatus.HELD, "held even though the text is clean"
    assert review.resubmit_count == 1 and review.queued_at is not None
    assert review.text == "师傅很专业，换机油很快" and review.overall == 3
    assert review.hold_reasons == "" and review.decision_reason == REASON
    assert audit_actions(app)[-1] == "review.resubmitted"
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry.object_id == str(review.id)
        assert entry.data["status_from"] == "hidden" and entry.data["status_to"] == "held"
    # not public, not counted; in the moderation queue, marked as changed by the author
    assert review_ids(client.get(f"/listings/{listing_id}").get_data(as_text=True)) == []
    assert summaries(app, owners["a"], listing_id)[2].rating_count == 0
    queue = admin.get("/admin/reviews").get_data(as_text=True)
    assert f'data-review-id="{review.id}"' in queue and "data-resubmitted" in queue
    page = admin.get(f"/admin/reviews/{review.id}").get_data(as_text=True)
    assert "data-resubmitted" in page and REASON in page

    # a second change is refused, with a message, while it waits …
    mine = owner.get("/account/reviews").get_data(as_text=True)
    assert "data-resubmit" not in mine and f"/reviews/{review.id}/edit" not in mine
    again = owner.get(f"/reviews/{review.id}/edit", follow_redirects=True)
    assert refused(app) in again.get_data(as_text=True)
    owner.post(f"/reviews/{review.id}/edit", data=review_form(text="再改一次"))
    assert reviews(app)[0].text == "师傅很专业，换机油很快"

    # … after the moderator approves it (within 24 hours of writing, too) …
    admin.post(f"/admin/reviews/{review.id}", data={"decision": "approve"})
    assert reviews(app)[0].status is ReviewStatus.PUBLISHED
    assert summaries(app, owners["a"], listing_id)[2].rating_count == 1
    assert review_ids(client.get(f"/listings/{listing_id}").get_data(as_text=True)) == [review.id]
    owner.post(f"/reviews/{review.id}/edit", data=review_form(text="再改一次"))
    assert reviews(app)[0].text == "师傅很专业，换机油很快"

    # … and after it is hidden again
    admin.post(f"/admin/reviews/{review.id}", data={"decision": "hide", "reason": "仍不合适"})
    mine = owner.get("/account/reviews").get_data(as_text=True)
    assert "仍不合适" in mine and "data-resubmit" not in mine
    again = owner.post(
        f"/reviews/{review.id}/edit", data=review_form(text="再改一次"), follow_redirects=True
    )
    assert refused(app) in again.get_data(as_text=True)
    (review,) = reviews(app)
    assert review.status is ReviewStatus.HIDDEN and review.text == "师傅很专业，换机油很快"
    assert audit_actions(app).count("review.resubmitted") == 1


def test_a_resubmitted_review_with_a_contact_records_why(app, owner, hidden):
    owner.post(f"/reviews/{hidden}/edit", data=review_form(text="加我微信 chefu888"))
    (review,) = reviews(app)
    assert review.status is ReviewStatus.HELD
    assert review.hold_reason_codes == ["wechat", "contact_invite"]


def test_another_users_hidden_review_is_not_found(app, other_owner, hidden):
    assert other_owner.get(f"/reviews/{hidden}/edit").status_code == 404
    response = other_owner.post(f"/reviews/{hidden}/edit", data=review_form(text="改掉"))
    assert response.status_code == 404
    (review,) = reviews(app)
    assert review.status is ReviewStatus.HIDDEN and review.resubmit_count == 0


def test_resubmission_is_any_time_after_hiding_but_only_of_a_hidden_review(app, owner, hidden):
    draft = ReviewDraft(4, 4, 4, 4, 4, "改好了")
    with app.app_context():
        author = db.session.scalar(select(User).where(User.email == OWNER))
        review = db.session.get(Review, hidden)
        review.created_at = utcnow() - timedelta(days=20)  # long past the 24-hour window
        review_service.resubmit_review(author, review, draft, utcnow())
        assert review.status is ReviewStatus.HELD
        with pytest.raises(ReviewError) as error:
            review_service.resubmit_review(author, review, draft, utcnow())
        assert error.value.code == "resubmitted_once"
        with pytest.raises(ReviewError) as error:
            review_service.edit_review(author, review, draft, utcnow())
        assert error.value.code == "resubmitted_once"
        db.session.rollback()

        review = db.session.get(Review, hidden)
        review.status = ReviewStatus.PUBLISHED
        with pytest.raises(IllegalTransition):
            review_service.resubmit_review(author, review, draft, utcnow())
        db.session.rollback()
