"""The owner's reviews, each with its state."""

from flask import render_template
from flask_login import current_user, login_required

from ....models.types import utcnow
from ....services import reviews as review_service
from . import bp


@bp.route("")
@login_required
def mine():
    """The owner's reviews with their state, and a moderator's reason where there is one."""
    return render_template(
        "account/reviews/mine.html",
        reviews=review_service.owner_reviews(current_user),
        now=utcnow(),
        can_edit=review_service.can_edit,
        can_resubmit=review_service.can_resubmit,
    )
