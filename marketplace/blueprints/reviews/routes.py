"""Reviews: owners write and edit them here (`/reviews/...`); their list is in `account.reviews`,
the shops' pages in `merchant.reviews`, moderation in `admin.reviews`."""

import click
from babel.lists import format_list
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...error_messages import message, message_for
from ...extensions import db
from ...i18n import lazy_gettext as _l
from ...models import Listing, Voucher
from ...models.reviews import DIMENSIONS, STARS, Review, ReviewStatus
from ...models.types import utcnow
from ...services import reviews as review_service
from ...services.reviews import ReviewDraft, ReviewError
from . import bp
from .forms import ReviewForm, form_error

REVIEW_STATUS_NAMES = {
    "published": _l("Published"),
    "held": _l("Waiting for a moderator"),
    "hidden": _l("Hidden by a moderator"),
}
DIMENSION_NAMES = {
    "quality": _l("Quality of work"),
    "price_honesty": _l("Price honesty"),
    "no_pressure": _l("No pressure to buy more"),
    "on_time": _l("On time"),
}
HOLD_REASON_NAMES = {
    "link": _l("a link"),
    "phone": _l("a phone number"),
    "email": _l("an email address"),
    # the default rules of services/review_screening.py
    "wechat": _l("a WeChat ID"),
    "qq": _l("a QQ number"),
    "contact_invite": _l("a request to add the author on WeChat or QQ"),
    "cashback": _l("cash back or gifts for a good review"),
    "fake_review": _l("wording about buying or faking reviews (刷单)"),
    "recruiting": _l("an invitation to join a group or a part-time job"),
    "blocklist": _l("a blocked word"),
}


@bp.record_once
def _register_labels(state) -> None:
    """Names and constants for the templates, as globals so imported macros see them too."""
    state.app.jinja_env.globals.update(
        review_status_names=REVIEW_STATUS_NAMES,
        review_dimension_names=DIMENSION_NAMES,
        review_dimensions=DIMENSIONS,
        review_stars=STARS,
        hold_reason_names=HOLD_REASON_NAMES,
        edit_window=review_service.EDIT_WINDOW,
    )


@bp.app_template_global()
def voucher_reviews(vouchers) -> dict[int, Review]:
    """The reviews of these vouchers by voucher id (one query), for "My vouchers"."""
    return review_service.by_voucher([v.id for v in vouchers])


@bp.app_template_global()
def review_open(voucher) -> bool:
    """Whether the owner may review this voucher now (not counting an existing review)."""
    return review_service.ineligibility(voucher, utcnow()) is None


@bp.app_template_test()
def review_awaited(voucher, reviews: dict[int, Review]) -> bool:
    """Jinja test: redeemed, still in the review window, and not yet reviewed."""
    return voucher.id not in reviews and review_open(voucher)


@bp.app_template_global()
def review_deadline(voucher):
    return review_service.review_deadline(voucher)


@bp.app_template_global()
def listing_review_panel(listing: Listing) -> dict | None:
    """The rating summary and latest reviews of a listing; no query when it has none."""
    if not listing.rating_count:
        return None
    reviews, more = review_service.public_reviews(
        listing_id=listing.id, per_page=review_service.LISTING_PAGE_REVIEWS
    )
    return {
        "summary": review_service.listing_summary(listing.id),
        "reviews": reviews,
        "more": more,
    }


def _draft(form: ReviewForm) -> ReviewDraft:
    return ReviewDraft(
        overall=form.overall.data,
        quality=form.quality.data,
        price_honesty=form.price_honesty.data,
        no_pressure=form.no_pressure.data,
        on_time=form.on_time.data,
        text=form.text.data or "",
    )


def _saved_message(review: Review, resubmitted: bool = False) -> None:
    if resubmitted:
        flash(
            _(
                "Thank you. Your changed review goes back to a moderator, who decides whether "
                "it is shown."
            ),
            "success",
        )
    elif review.status.value == "held":
        reasons = format_list(
            [str(HOLD_REASON_NAMES[c]) for c in review.hold_reason_codes], locale=get_locale()
        )
        flash(
            _(
                "Thank you. Your review mentions %(reasons)s, so a moderator will look at it "
                "before it is shown.",
                reasons=reasons,
            ),
            "warning",
        )
    else:
        flash(_("Thank you. Your review is published."), "success")


# --- owners ------------------------------------------------------------------------------


@bp.route("/voucher/<int:voucher_id>", methods=["GET", "POST"])
@login_required
def write(voucher_id: int):
    """Review the service bought with one of the owner's redeemed vouchers."""
    voucher = db.session.scalar(
        select(Voucher)
        .where(Voucher.id == voucher_id, Voucher.owner_id == current_user.id)
        .options(joinedload(Voucher.line))
    )
    if voucher is None:
        abort(404)
    existing = review_service.by_voucher([voucher.id]).get(voucher.id)
    reason = review_service.ineligibility(voucher, utcnow(), existing is not None)
    if reason:
        flash(message_for(ReviewError, reason), "error")
        if existing is not None and review_service.can_edit(existing, utcnow()):
            return redirect(url_for("reviews.edit", review_id=existing.id))
        return redirect(url_for("account.voucher_list"))
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                review = review_service.write_review(current_user, voucher, _draft(form), utcnow())
        except ReviewError as error:
            if error.field is None:
                flash(message(error), "error")
                return redirect(url_for("account.voucher_list"))
            form_error(form, error)
        else:
            _saved_message(review)
            return redirect(url_for("account.reviews.mine"))
    status = 400 if form.errors else 200
    return render_template("reviews/form.html", form=form, voucher=voucher, review=None), status


@bp.route("/<int:review_id>/edit", methods=["GET", "POST"])
@login_required
def edit(review_id: int):
    """Change one's review within 24 hours; or, once, a review a moderator hid, which then
    goes back to the moderation queue ("edit and resubmit")."""
    review = review_service.owner_review(current_user, review_id)
    if review is None:
        abort(404)
    resubmit = review.status is ReviewStatus.HIDDEN
    allowed = (
        review_service.can_resubmit(review)
        if resubmit
        else review_service.can_edit(review, utcnow())
    )
    if not allowed:
        code = "resubmitted_once" if review.resubmit_count else "edit_window_closed"
        flash(message_for(ReviewError, code), "error")
        return redirect(url_for("account.reviews.mine"))
    form = ReviewForm(obj=review)
    if form.validate_on_submit():
        change = review_service.resubmit_review if resubmit else review_service.edit_review
        try:
            with db.session.begin_nested():
                change(current_user, review, _draft(form), utcnow())
        except ReviewError as error:
            if error.field is None:  # resubmitted meanwhile, or no longer hidden
                flash(message(error), "error")
                return redirect(url_for("account.reviews.mine"))
            form_error(form, error)
        else:
            _saved_message(review, resubmitted=resubmit)
            return redirect(url_for("account.reviews.mine"))
    status = 400 if form.errors else 200
    return render_template(
        "reviews/form.html", form=form, voucher=None, review=review, resubmit=resubmit
    ), status


# --- command line ------------------------------------------------------------------------


@bp.cli.command("refresh-ratings")
def refresh_ratings_command():
    """Recompute every stored rating (run after changing REVIEW_PRIOR_*)."""
    shops, listings = review_service.refresh_all_ratings()
    db.session.commit()
    click.echo(f"ratings recomputed: {shops} shops, {listings} listings")
