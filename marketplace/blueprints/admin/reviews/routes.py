"""Admins moderate reviews: the held and reported ones, each approved or hidden with a reason."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ....error_messages import message
from ....extensions import db
from ....models import Role, Shop
from ....models.reviews import Review
from ....models.types import utcnow
from ....security import role_required
from ....services import reviews as review_service
from ....services.reviews import ReviewError
from ...reviews.forms import form_error
from . import bp
from .forms import DecisionForm


@bp.route("")
@role_required(Role.ADMIN)
def queue():
    """Held and reported reviews, oldest first."""
    held = review_service.moderation_queue()
    return render_template(
        "admin/reviews/queue.html",
        reviews=held,
        reports=review_service.reports_by_review([r.id for r in held]),
    )


@bp.route("/<int:review_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def moderate(review_id: int):
    """One review with its report; approve it, or hide it with a reason."""
    review = db.session.scalar(
        select(Review)
        .where(Review.id == review_id)
        .options(joinedload(Review.owner), joinedload(Review.shop).joinedload(Shop.chain))
    )
    if review is None:
        abort(404)
    form = DecisionForm()
    if request.method == "POST":
        decision = request.form.get("decision")
        if decision not in ("approve", "hide"):
            abort(400)
        if form.validate_on_submit():
            action = review_service.approve if decision == "approve" else review_service.hide
            try:
                with db.session.begin_nested():
                    action(current_user, review, form.reason.data or "", utcnow())
            except ReviewError as error:
                if error.field:
                    form_error(form, error)
                else:
                    flash(message(error), "error")
                    return redirect(url_for("admin.reviews.moderate", review_id=review.id))
            else:
                flash(_("Decision saved."), "success")
                return redirect(url_for("admin.reviews.queue"))
    report_row = review_service.reports_by_review([review.id]).get(review.id)
    status = 400 if form.errors else 200
    return render_template(
        "admin/reviews/moderate.html", review=review, report=report_row, form=form
    ), status
