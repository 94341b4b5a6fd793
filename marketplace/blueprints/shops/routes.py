from flask import abort, render_template, request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ... import page_cache, shop_hours
from ...extensions import db
from ...models import Listing, Shop, ShopStatus
from ...models.types import utcnow
from ...security import page_arg
from ...selection import current_vehicle
from ...services import listings as listing_service
from ...services import reviews as review_service
from ...services.rows import rows
from . import bp


@bp.app_template_global("shop_week")
def shop_week(shop: Shop) -> shop_hours.ShopHours:
    """The week's hours of a shop, for pages of other blueprints that show them
    (`{% with hours=shop_week(shop), weekly_only=true %}{% include "shops/_hours.html" %}`)."""
    return shop_hours.weekly(shop)


@bp.route("/<slug>")
def page(slug: str):
    """A shop's public page: where it is, when it is open, what it sells."""
    return page_cache.serve(lambda: _render_page(slug))


# the page's statements, built once per process
_SHOP = select(Shop).where(Shop.slug == bindparam("slug")).options(joinedload(Shop.chain))
_CARDS = listing_service.card_statement(
    select(Listing)
    .where(Listing.shop_id == bindparam("shop_id"), Listing.is_public)
    .order_by(Listing.category, Listing.price_fen, Listing.id)
)
_OUTLETS = (  # rows: the page links each by slug, city and name
    select(Shop.slug, Shop.city, Shop.name)
    .where(
        Shop.chain_id == bindparam("chain_id"),
        Shop.id != bindparam("shop_id"),
        Shop.status == ShopStatus.APPROVED,
    )
    .order_by(Shop.city, Shop.name)
    .limit(20)
)


def _render_page(slug: str) -> str:
    shop = db.session.scalar(_SHOP, {"slug": slug})
    if shop is None or shop.status is not ShopStatus.APPROVED:
        abort(404)
    listings = listing_service.read_cards(
        _CARDS, {"shop_id": shop.id}, fitments=current_vehicle() is not None
    )
    outlets = rows(_OUTLETS, {"chain_id": shop.chain_id, "shop_id": shop.id}).all()
    summary = review_service.shop_summary(shop.id)
    review_filter = {
        "stars": request.args.get("stars", type=int),
        "with_text": request.args.get("text") == "1",
        "page": page_arg(request.args),
    }
    reviews, more = [], False
    if summary is not None and summary.review_count:
        reviews, more = review_service.public_reviews(shop_id=shop.id, **review_filter)
    return render_template(
        "shops/page.html",
        shop=shop,
        hours=shop_hours.for_shop(shop, utcnow()),
        listings=listings,
        outlets=outlets,
        review_summary=summary,
        reviews=reviews,
        reviews_more=more,
        review_filter=review_filter,
    )
