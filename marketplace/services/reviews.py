"""Reviews: who may review what, automatic holds, moderation, shops' replies and reports,
and the stored Bayesian ratings of shops and listings."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask import current_app
from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import GarageVehicle, Listing, Shop, User, Variant, Voucher, VoucherStatus
from ..models.reviews import (
    DIMENSIONS,
    MAX_REASON_TEXT,
    MAX_REPLY_TEXT,
    MAX_RESUBMISSIONS,
    MAX_REVIEW_TEXT,
    STARS,
    RatingSummary,
    Review,
    ReviewReport,
    ReviewStatus,
)
from . import audit, review_screening
from . import shops as shop_service
from .errors import DomainError, error_codes

REVIEW_WINDOW = timedelta(days=30)
EDIT_WINDOW = timedelta(hours=24)
PAGE_SIZE = 20
LISTING_PAGE_REVIEWS = 10

# (from, to) moves a review may make
TRANSITIONS = {
    (ReviewStatus.HELD, ReviewStatus.PUBLISHED),  # approved, or the author removed the cause
    (ReviewStatus.HELD, ReviewStatus.HIDDEN),
    (ReviewStatus.PUBLISHED, ReviewStatus.HIDDEN),
    (ReviewStatus.PUBLISHED, ReviewStatus.HELD),  # an edit added a link, a number …
    (ReviewStatus.HIDDEN, ReviewStatus.PUBLISHED),  # an admin reinstates it
    (ReviewStatus.HIDDEN, ReviewStatus.HELD),  # the author changed it, once: back to the queue
}

# Why a review waits for a moderator: what the text contains (the default rules of
# review_screening — WeChat ids, QQ numbers, 刷单 wording — and REVIEW_BLOCKLIST's words).
HOLD_REASONS = ("link", "phone", "email", *review_screening.RULE_CODES, "blocklist")
# Checked on NFKC-folded text, so full-width ｗｗｗ．ｘｘ．ｃｏｍ and １３８… are caught too.
LINK_RE = re.compile(
    r"(https?://|www\.|\b[a-z0-9-]+\.(?:com|cn|net|org|info|biz|top|xyz|shop|vip|me|cc|io|co)\b)",
    re.IGNORECASE,
)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(
    r"(?<!\d)(?:"
    r"(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}"  # mobile, 11 digits
    r"|0\d{2,3}[\s-]?\d{7,8}"  # landline with area code
    r"|[48]00[\s-]?\d{3}[\s-]?\d{4}"  # 400/800 service numbers
    r"|\+\d{1,3}[\s-]?\d(?:[\s-]?\d){6,13}"  # any international number
    r")(?!\d)"
)

# Numbers spelt in Chinese digits (一三八〇〇一三八〇〇〇, 壹叁捌…, 幺 for 1) are read as digits for
# the phone check only; positional numerals (十, 百, 两) never spell a phone number.
CHINESE_DIGITS = str.maketrans(
    "〇零一二三四五六七八九幺壹贰叁肆伍陆柒捌玖", "001234567891123456789"
)


class ReviewError(DomainError):
    """A refused review action; `code` says why, `field` which input."""

    Code = error_codes(
        "ReviewCode",
        "not_found not_redeemed refunded too_late already_reviewed edit_window_closed hidden "
        "bad_stars text_too_long reply_required reply_too_long reason_required "
        "reason_too_long already_reported illegal_transition resubmitted_once",
    )


class IllegalTransition(ReviewError):
    def __init__(self, current: ReviewStatus, target: ReviewStatus) -> None:
        super().__init__("illegal_transition")
        self.current = current
        self.target = target


@dataclass(frozen=True)
class ReviewDraft:
    """What the owner typed: overall and dimension stars 1–5, optional text."""

    overall: int
    quality: int
    price_honesty: int
    no_pressure: int
    on_time: int
    text: str = ""

    def checked(self) -> "ReviewDraft":
        for name in ("overall", *DIMENSIONS):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value not in STARS:
                raise ReviewError("bad_stars", name)
        text = (self.text or "").strip()
        if len(text) > MAX_REVIEW_TEXT:
            raise ReviewError("text_too_long", "text")
        return ReviewDraft(
            self.overall, self.quality, self.price_honesty, self.no_pressure, self.on_time, text
        )


def hold_reasons(text: str, blocklist: tuple[str, ...] | list[str]) -> list[str]:
    """Why `text` must wait for a moderator: links, phone numbers, emails, the default rules
    (review_screening.DEFAULT_RULES) and the words of `blocklist`, which add to them."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    found = []
    if LINK_RE.search(EMAIL_RE.sub(" ", folded)):  # an email's domain is not a link
        found.append("link")
    if PHONE_RE.search(folded.translate(CHINESE_DIGITS)):
        found.append("phone")
    if EMAIL_RE.search(folded):
        found.append("email")
    found += review_screening.matched_rules(text)
    if review_screening.matches_word(text, blocklist):
        found.append("blocklist")
    return found


def _blocklist() -> tuple[str, ...]:
    return tuple(current_app.config.get("REVIEW_BLOCKLIST", ()))


def prior() -> tuple[int, int]:
    """The Bayesian prior: (mean in thousandths of a star, weight in imagined reviews)."""
    try:
        mean = int(Decimal(str(current_app.config.get("REVIEW_PRIOR_MEAN", "4.0"))) * 1000)
    except InvalidOperation:
        raise ValueError("REVIEW_PRIOR_MEAN must be a number of stars, e.g. 4.0") from None
    weight = int(current_app.config.get("REVIEW_PRIOR_WEIGHT", 5))
    if not 1000 <= mean <= 5000 or weight < 0:
        raise ValueError("REVIEW_PRIOR_MEAN must be 1–5 and REVIEW_PRIOR_WEIGHT ≥ 0")
    return mean, weight


def bayesian_score(count: int, total: int, prior_mean: int, prior_weight: int) -> int:
    """(weight × prior mean + sum of stars) / (weight + count), in thousandths, rounded half
    up; 0 when nobody has reviewed yet."""
    if count == 0:
        return 0
    numerator = prior_weight * prior_mean + 1000 * total
    denominator = prior_weight + count
    return (2 * numerator + denominator) // (2 * denominator)


def _move(review: Review, target: ReviewStatus) -> None:
    if (review.status, target) not in TRANSITIONS:
        raise IllegalTransition(review.status, target)
    review.status = target


# --- eligibility and writing -------------------------------------------------------------


def ineligibility(voucher: Voucher, now: datetime, reviewed: bool = False) -> str | None:
    """Why the voucher's owner cannot review it now (None: they can)."""
    if reviewed:
        return "already_reviewed"
    if voucher.status in (VoucherStatus.REFUNDED, VoucherStatus.REFUND_REQUESTED):
        return "refunded"
    if voucher.status is not VoucherStatus.REDEEMED or voucher.redeemed_at is None:
        return "not_redeemed"
    if now > voucher.redeemed_at + REVIEW_WINDOW:
        return "too_late"
    return None


def review_deadline(voucher: Voucher) -> datetime | None:
    return voucher.redeemed_at + REVIEW_WINDOW if voucher.redeemed_at else None


def can_edit(review: Review, now: datetime) -> bool:
    """Within 24 hours of writing, unless a moderator hid it (then see can_resubmit) or it
    was already changed after being hidden."""
    return (
        review.status is not ReviewStatus.HIDDEN
        and not review.resubmit_count
        and now <= review.created_at + EDIT_WINDOW
    )


def can_resubmit(review: Review) -> bool:
    """A moderator hid it and the author has not changed it since: they may, once."""
    return review.status is ReviewStatus.HIDDEN and review.resubmit_count < MAX_RESUBMISSIONS


def write_review(owner: User, voucher: Voucher, draft: ReviewDraft, now: datetime) -> Review:
    """The owner's review of a voucher they redeemed in the last 30 days; held for a
    moderator when the text carries contact details or blocked words."""
    if voucher.owner_id != owner.id:
        raise ReviewError("not_found")
    reviewed = db.session.scalar(select(Review.id).where(Review.voucher_id == voucher.id))
    reason = ineligibility(voucher, now, reviewed is not None)
    if reason:
        raise ReviewError(reason)
    draft = draft.checked()
    held = hold_reasons(draft.text, _blocklist())
    car = (
        db.session.scalar(
            select(Variant)
            .where(Variant.id == voucher.line.variant_id)
            .options(joinedload(Variant.series))
        )
        if voucher.line.variant_id
        else None
    )
    if car is None and voucher.line.vehicle_id is not None:
        vehicle = db.session.get(GarageVehicle, voucher.line.vehicle_id)
        car = vehicle.car if vehicle is not None and vehicle.owner_id == owner.id else None
    review = Review(
        voucher_id=voucher.id,
        owner_id=owner.id,
        shop_id=voucher.shop_id,
        listing_id=voucher.listing_id,
        overall=draft.overall,
        quality=draft.quality,
        price_honesty=draft.price_honesty,
        no_pressure=draft.no_pressure,
        on_time=draft.on_time,
        text=draft.text,
        status=ReviewStatus.HELD if held else ReviewStatus.PUBLISHED,
        hold_reasons=",".join(held),
        vehicle_series=car.series_name if car else "",
        vehicle_year=car.model_year if car else None,
        service_title=voucher.line.title,
        created_at=now,
        queued_at=now if held else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(review)
    except IntegrityError:
        raise ReviewError("already_reviewed") from None
    if review.status is ReviewStatus.PUBLISHED:
        refresh_ratings(review.shop_id, review.listing_id)
    return review


def edit_review(owner: User, review: Review, draft: ReviewDraft, now: datetime) -> Review:
    """Change a review within 24 hours of writing it; the hold check runs again."""
    if review.owner_id != owner.id:
        raise ReviewError("not_found")
    if review.resubmit_count:
        raise ReviewError("resubmitted_once")
    if review.status is ReviewStatus.HIDDEN:
        raise ReviewError("hidden")
    if not can_edit(review, now):
        raise ReviewError("edit_window_closed")
    draft = draft.checked()
    counted = review.status is ReviewStatus.PUBLISHED
    held = hold_reasons(draft.text, _blocklist())
    review.overall = draft.overall
    review.quality = draft.quality
    review.price_honesty = draft.price_honesty
    review.no_pressure = draft.no_pressure
    review.on_time = draft.on_time
    review.text = draft.text
    review.hold_reasons = ",".join(held)
    review.edited_at = now
    if held and review.status is ReviewStatus.PUBLISHED:
        _move(review, ReviewStatus.HELD)
        review.queued_at = review.queued_at or now
    elif not held and review.status is ReviewStatus.HELD:
        _move(review, ReviewStatus.PUBLISHED)
        if _open_report(review) is None:
            review.queued_at = None
    db.session.flush()
    if counted or review.status is ReviewStatus.PUBLISHED:
        refresh_ratings(review.shop_id, review.listing_id)
    return review


def resubmit_review(owner: User, review: Review, draft: ReviewDraft, now: datetime) -> Review:
    """Change a review a moderator hid — once, at any time — and send it back to the
    moderation queue: it is held (even when its text is clean) until a moderator approves or
    hides it again. The moderator's last reason stays for them to compare."""
    if review.owner_id != owner.id:
        raise ReviewError("not_found")
    if review.resubmit_count >= MAX_RESUBMISSIONS:
        raise ReviewError("resubmitted_once")
    if review.status is not ReviewStatus.HIDDEN:  # only a hidden review is resubmitted
        raise IllegalTransition(review.status, ReviewStatus.HELD)
    draft = draft.checked()
    # Claim the one resubmission in the database, so two submits at once cannot both pass.
    claimed = db.session.execute(
        update(Review)
        .where(
            Review.id == review.id,
            Review.status == ReviewStatus.HIDDEN,
            Review.resubmit_count < MAX_RESUBMISSIONS,
        )
        .values(resubmit_count=Review.resubmit_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(review)
    if not claimed:
        if review.resubmit_count >= MAX_RESUBMISSIONS:
            raise ReviewError("resubmitted_once")
        raise IllegalTransition(review.status, ReviewStatus.HELD)
    held = hold_reasons(draft.text, _blocklist())
    _move(review, ReviewStatus.HELD)
    review.overall = draft.overall
    review.quality = draft.quality
    review.price_honesty = draft.price_honesty
    review.no_pressure = draft.no_pressure
    review.on_time = draft.on_time
    review.text = draft.text
    review.hold_reasons = ",".join(held)
    review.edited_at = now
    review.queued_at = now
    db.session.flush()
    audit.record(
        owner,
        "review.resubmitted",
        review,
        status_from=ReviewStatus.HIDDEN.value,
        status_to=review.status.value,
        hold_reasons=review.hold_reasons,
        hidden_for=review.decision_reason,
    )
    return review


def withdraw_for_undone_redemption(actor: User, voucher: Voucher) -> bool:
    """Delete the review of a voucher whose redemption was undone: it no longer proves a
    visit. For the redemption service to call in the undo's transaction; True if one went."""
    review = db.session.scalar(select(Review).where(Review.voucher_id == voucher.id))
    if review is None:
        return False
    for row in db.session.scalars(select(ReviewReport).where(ReviewReport.review_id == review.id)):
        db.session.delete(row)
    audit.record(actor, "review.withdrawn", review, voucher_id=voucher.id, reason="undone")
    db.session.delete(review)
    refresh_ratings(review.shop_id, review.listing_id)
    return True


# --- moderation --------------------------------------------------------------------------


def _open_report(review: Review) -> ReviewReport | None:
    return db.session.scalar(
        select(ReviewReport).where(
            ReviewReport.review_id == review.id, ReviewReport.resolved_at.is_(None)
        )
    )


def approve(admin: User, review: Review, reason: str, now: datetime) -> Review:
    """Publish a held or hidden review, or keep a reported one up; the report is closed."""
    report = _open_report(review)
    before = review.status
    if review.status is ReviewStatus.PUBLISHED:
        if report is None:
            raise IllegalTransition(review.status, ReviewStatus.PUBLISHED)
    else:
        _move(review, ReviewStatus.PUBLISHED)
    return _decided(admin, review, report, "approved", before, reason, now)


def hide(admin: User, review: Review, reason: str, now: datetime) -> Review:
    """Take a review down for a stated reason, which its author sees."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("reason_required", "reason")
    report = _open_report(review)
    before = review.status
    _move(review, ReviewStatus.HIDDEN)
    return _decided(admin, review, report, "hidden", before, reason, now)


def _decided(admin, review, report, decision, before, reason, now) -> Review:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_TEXT:
        raise ReviewError("reason_too_long", "reason")
    review.decision_reason = reason
    review.decided_at = now
    review.decided_by_id = admin.id
    review.queued_at = None
    if report is not None:
        report.resolved_at = now
        report.resolution = decision
    db.session.flush()
    audit.record(
        admin,
        f"review.{decision}",
        review,
        status_from=before.value,
        status_to=review.status.value,
        reason=reason,
        report_id=report.id if report else None,
    )
    refresh_ratings(review.shop_id, review.listing_id)
    return review


def moderation_queue(limit: int = 100) -> list[Review]:
    """Held and reported reviews, the longest-waiting first."""
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.queued_at.is_not(None))
            .options(joinedload(Review.owner), joinedload(Review.shop).joinedload(Shop.chain))
            .order_by(Review.queued_at, Review.id)
            .limit(limit)
        )
    )


def reports_by_review(review_ids: list[int]) -> dict[int, ReviewReport]:
    if not review_ids:
        return {}
    rows = db.session.scalars(select(ReviewReport).where(ReviewReport.review_id.in_(review_ids)))
    return {row.review_id: row for row in rows}


# --- the shop's side ---------------------------------------------------------------------


def _shop_may_answer(staff: User, review: Review) -> None:
    """Only the reviewed shop's managers (or its chain's admin), and only on what is public."""
    if review.status is not ReviewStatus.PUBLISHED or not shop_service.can_manage(
        staff, review.shop
    ):
        raise ReviewError("not_found")


def reply(staff: User, review: Review, text: str, now: datetime) -> Review:
    """The shop's one public reply; writing again edits it."""
    _shop_may_answer(staff, review)
    text = (text or "").strip()
    if not text:
        raise ReviewError("reply_required", "text")
    if len(text) > MAX_REPLY_TEXT:
        raise ReviewError("reply_too_long", "text")
    first = review.replied_at is None
    review.reply_text = text
    review.replied_by_id = staff.id
    if first:
        review.replied_at = now
    else:
        review.reply_edited_at = now
    db.session.flush()
    audit.record(staff, "review.replied" if first else "review.reply_edited", review)
    return review


def report(staff: User, review: Review, reason: str, now: datetime) -> ReviewReport:
    """The shop asks a moderator to look at a review; once per review."""
    _shop_may_answer(staff, review)
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("reason_required", "reason")
    if len(reason) > MAX_REASON_TEXT:
        raise ReviewError("reason_too_long", "reason")
    if db.session.scalar(select(ReviewReport.id).where(ReviewReport.review_id == review.id)):
        raise ReviewError("already_reported")
    made = ReviewReport(
        review_id=review.id,
        shop_id=review.shop_id,
        reporter_id=staff.id,
        reason=reason,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(made)
    except IntegrityError:
        raise ReviewError("already_reported") from None
    review.queued_at = review.queued_at or now
    db.session.flush()
    audit.record(staff, "review.reported", review, reason=reason, report_id=made.id)
    return made


def shop_console_reviews(staff: User, shop: Shop, page: int = 1) -> tuple[list[Review], bool]:
    """A shop's published reviews, newest first, for its managers to answer."""
    if not shop_service.can_manage(staff, shop):
        raise ReviewError("not_found")
    return public_reviews(shop_id=shop.id, page=page)


# --- ratings -----------------------------------------------------------------------------


def _tally(condition) -> tuple[int, int, list[int], dict[str, list[int]]]:
    """Count, sum of overall stars, and star counts per overall and per dimension, of the
    published reviews matching `condition` — one query."""
    names = ("overall", *DIMENSIONS)
    columns = [
        func.coalesce(func.sum(case((getattr(Review, name) == star, 1), else_=0)), 0)
        for name in names
        for star in STARS
    ]
    row = db.session.execute(
        select(func.count(Review.id), *columns).where(
            Review.status == ReviewStatus.PUBLISHED, condition
        )
    ).one()
    count, counts = int(row[0]), [int(n) for n in row[1:]]
    per = {name: counts[i * 5 : i * 5 + 5] for i, name in enumerate(names)}
    total = sum(star * n for star, n in zip(STARS, per["overall"], strict=True))
    return count, total, per["overall"], {name: per[name] for name in DIMENSIONS}


def _summary(**scope) -> RatingSummary:
    summary = db.session.scalar(select(RatingSummary).filter_by(**scope))
    if summary is None:
        summary = RatingSummary(**scope)
        db.session.add(summary)
    return summary


def _rewrite(scope: dict[str, int], condition, mean: int, weight: int) -> RatingSummary:
    count, total, stars, dimensions = _tally(condition)
    summary = _summary(**scope)
    summary.review_count = count
    summary.overall_sum = total
    summary.score = bayesian_score(count, total, mean, weight)
    summary.stars = stars
    summary.dimensions = dimensions
    return summary


def refresh_ratings(shop_id: int, listing_id: int) -> None:
    """Rewrite the stored ratings of a shop and a listing from their published reviews.

    Runs in the transaction that changed a review. The shop and listing rows are locked
    first (PostgreSQL; SQLite writes one at a time anyway), so two reviews committed at once
    cannot both write a count that misses the other."""
    db.session.flush()
    db.session.execute(
        select(Shop.id).where(Shop.id == shop_id).with_for_update(key_share=True)
    ).all()
    listing = db.session.scalar(
        select(Listing).where(Listing.id == listing_id).with_for_update(key_share=True)
    )
    mean, weight = prior()
    _rewrite({"shop_id": shop_id}, Review.shop_id == shop_id, mean, weight)
    summary = _rewrite({"listing_id": listing_id}, Review.listing_id == listing_id, mean, weight)
    if listing is not None:
        listing.rating_score = summary.score
        listing.rating_count = summary.review_count
    db.session.flush()


def refresh_all_ratings() -> tuple[int, int]:
    """Recompute every stored rating, e.g. after changing the prior; (shops, listings)."""
    mean, weight = prior()
    shop_ids = set(db.session.scalars(select(Review.shop_id).distinct())) | set(
        db.session.scalars(select(RatingSummary.shop_id).where(RatingSummary.shop_id.is_not(None)))
    )
    listing_ids = set(db.session.scalars(select(Review.listing_id).distinct())) | set(
        db.session.scalars(
            select(RatingSummary.listing_id).where(RatingSummary.listing_id.is_not(None))
        )
    )
    for shop_id in sorted(shop_ids):
        _rewrite({"shop_id": shop_id}, Review.shop_id == shop_id, mean, weight)
    for listing_id in sorted(listing_ids):
        summary = _rewrite(
            {"listing_id": listing_id}, Review.listing_id == listing_id, mean, weight
        )
        listing = db.session.get(Listing, listing_id)
        listing.rating_score = summary.score
        listing.rating_count = summary.review_count
    db.session.flush()
    return len(shop_ids), len(listing_ids)


# every shop page (and listing reviews page) reads one: built once per process
_SHOP_SUMMARY = select(RatingSummary).where(RatingSummary.shop_id == bindparam("shop_id"))
_LISTING_SUMMARY = select(RatingSummary).where(RatingSummary.listing_id == bindparam("listing_id"))


def shop_summary(shop_id: int) -> RatingSummary | None:
    return db.session.scalar(_SHOP_SUMMARY, {"shop_id": shop_id})


def listing_summary(listing_id: int) -> RatingSummary | None:
    return db.session.scalar(_LISTING_SUMMARY, {"listing_id": listing_id})


# --- reading -----------------------------------------------------------------------------


def public_reviews(
    *,
    shop_id: int | None = None,
    listing_id: int | None = None,
    stars: int | None = None,
    with_text: bool = False,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> tuple[list[Review], bool]:
    """Published reviews of a shop or a listing, newest first; and whether more follow."""
    query = select(Review).where(Review.status == ReviewStatus.PUBLISHED)
    if shop_id is not None:
        query = query.where(Review.shop_id == shop_id)
    if listing_id is not None:
        query = query.where(Review.listing_id == listing_id)
    if stars in STARS:
        query = query.where(Review.overall == stars)
    if with_text:
        query = query.where(Review.text != "")
    page = max(page, 1)
    rows = list(
        db.session.scalars(
            query.options(joinedload(Review.owner))
            .order_by(Review.created_at.desc(), Review.id.desc())
            .limit(per_page + 1)
            .offset((page - 1) * per_page)
        )
    )
    return rows[:per_page], len(rows) > per_page


def owner_reviews(owner: User) -> list[Review]:
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.owner_id == owner.id)
            .options(joinedload(Review.owner))
            .order_by(Review.created_at.desc(), Review.id.desc())
        )
    )


def owner_review(owner: User, review_id: int) -> Review | None:
    return db.session.scalar(
        select(Review).where(Review.id == review_id, Review.owner_id == owner.id)
    )


def by_voucher(voucher_ids: list[int]) -> dict[int, Review]:
    if not voucher_ids:
        return {}
    rows = db.session.scalars(select(Review).where(Review.voucher_id.in_(voucher_ids)))
    return {row.voucher_id: row for row in rows}
