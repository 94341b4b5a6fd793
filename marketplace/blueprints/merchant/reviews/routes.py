"""A shop's managers (and its chain's admin) read its published reviews, reply and report."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ....error_messages import message_for
from ....extensions import db
from ....models.reviews import Review
from ....models.types import utcnow
from ....security import page_arg
from ....services import reviews as review_service
from ....services import shops as shop_service
from ....services.reviews import ReviewError
from ...reviews.forms import form_error
from . import bp
from .forms import ReplyForm, ReportForm


def _console_review(review_id: int) -> Review:
    """A published review of a shop the current user manages; anything else is a 404."""
    review = db.session.get(Review, review_id)
    if (
        review is None
        or review.status.value != "published"
        or not shop_service.can_manage(current_user, review.shop)
    ):
        abort(404)
    return review


@bp.route("")
@login_required
def index():
    """The shops whose reviews the current user answers."""
    shops = shop_service.manageable_shops(current_user)
    if len(shops) == 1:
        return redirect(url_for("merchant.reviews.shop", shop_id=shops[0].id))
    return render_template("merchant/reviews/index.html", shops=shops)


@bp.route("/shops/<int:shop_id>")
@login_required
def shop(shop_id: int):
    """A shop's published reviews, with its replies and reports."""
    shop = shop_service.find_shop(current_user, shop_id, shop_service.Need.MANAGE) or abort(404)
    page = page_arg(request.args)
    reviews, more = review_service.public_reviews(shop_id=shop.id, page=page)
    return render_template(
        "merchant/reviews/shop.html",
        shop=shop,
        reviews=reviews,
        reports=review_service.reports_by_review([r.id for r in reviews]),
        summary=review_service.shop_summary(shop.id),
        page=page,
        more=more,
    )


@bp.route("/<int:review_id>/reply", methods=["GET", "POST"])
@login_required
def reply(review_id: int):
    """Write or edit the shop's public reply."""
    review = _console_review(review_id)
    form = ReplyForm(text=review.reply_text or None)
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                review_service.reply(current_user, review, form.text.data, utcnow())
        except ReviewError as error:
            form_error(form, error)
        else:
            flash(_("Your reply is published."), "success")
            return redirect(url_for("merchant.reviews.shop", shop_id=review.shop_id))
    status = 400 if form.errors else 200
    return render_template("merchant/reviews/reply.html", form=form, review=review), status


@bp.route("/<int:review_id>/report", methods=["GET", "POST"])
@login_required
def report(review_id: int):
    """Ask a moderator to look at a review."""
    review = _console_review(review_id)
    existing = review_service.reports_by_review([review.id]).get(review.id)
    if existing is not None:
        flash(message_for(ReviewError, "already_reported"), "error")
        return redirect(url_for("merchant.reviews.shop", shop_id=review.shop_id))
    form = ReportForm()
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                review_service.report(current_user, review, form.reason.data, utcnow())
        except ReviewError as error:
            form_error(form, error)
        else:
            flash(_("Reported. A moderator will look at this review."), "success")
            return redirect(url_for("merchant.reviews.shop", shop_id=review.shop_id))
    status = 400 if form.errors else 200
    return render_template("merchant/reviews/report.html", form=form, review=review), status
