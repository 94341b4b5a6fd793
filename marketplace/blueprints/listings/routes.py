import math
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ... import page_cache, shop_hours
from ...extensions import db
from ...labels import CATEGORY_NAMES, ITEM_NAMES
from ...models import Listing, Shop
from ...models.orders import MAX_UNITS_PER_LINE
from ...models.types import utcnow
from ...selection import chosen_city, city_arg, current_vehicle, load_variant
from ...services import listings as listing_service
from ...services import shops as shop_service
from ...services.fitment import NO_SPEC
from ...services.listings import SORTS, Browse
from . import bp

MAX_PAGE = 500
# the filters folded in the search page's panel; its summary counts those chosen
FILTER_ARGS = ("category", "city", "district", "price_min", "price_max", "min_rating", "lat")


def _yuan(raw: str | None, label: str, notes: list[str]) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        notes.append(_("%(field)s is not an amount; it was ignored.", field=label))
        return None
    if not value.is_finite() or value < 0 or value > 1_000_000:
        notes.append(_("%(field)s must be between ¥0 and ¥1,000,000; it was ignored.", field=label))
        return None
    return int(value * 100)


def _coordinate(raw: str | None, limit: float) -> float | None:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and -limit <= value <= limit else None


def parse_browse(args) -> tuple[Browse, list[str]]:
    """Read the browse URL leniently: bad values fall back to defaults with a note."""
    notes: list[str] = []
    category = args.get("category") or None
    if category is not None and category not in CATEGORY_NAMES:
        notes.append(_("Unknown category; showing all categories."))
        category = None
    items = tuple(dict.fromkeys(i for i in args.getlist("item") if i in ITEM_NAMES))
    sort = args.get("sort") or "popular"
    if sort not in SORTS:
        notes.append(_("Unknown sort order; sorted by popularity."))
        sort = "popular"
    near = None
    if args.get("lat") or args.get("lng"):
        lat, lng = _coordinate(args.get("lat"), 90), _coordinate(args.get("lng"), 180)
        if lat is None or lng is None:
            notes.append(_("The coordinates are out of range; distance is not used."))
        else:
            near = (lat, lng)
    if sort == "distance" and near is None:
        if "lat" not in args:
            notes.append(_("Give your location to sort by distance."))
        sort = "popular"
    page = args.get("page", "1")
    page = int(page) if page.isascii() and page.isdigit() else 1
    page = min(max(page, 1), MAX_PAGE)
    rating = args.get("min_rating")
    try:
        stars = Decimal(rating) if rating else None
    except InvalidOperation:
        stars = None
    # NaN and Infinity are Decimals too: only a finite 0-5 becomes a filter
    finite = stars is not None and stars.is_finite() and 0 <= stars <= 5
    min_rating = int(stars * 1000) if finite else None
    car, spec = None, NO_SPEC
    if args.get("variant"):
        car = load_variant(args.get("variant", type=int))
    elif "1" in args.getlist("fits") or "0" not in args.getlist("fits"):
        # with a car selected, what fits it unless "all" is asked (the form's switch sends
        # fits=0 always and fits=1 when ticked)
        selected = current_vehicle()
        if selected is not None:
            car, spec = selected.car, selected.spec
    price_min = _yuan(args.get("price_min"), _("Minimum price"), notes)
    price_max = _yuan(args.get("price_max"), _("Maximum price"), notes)
    raw_q = args.get("q", "")
    q = listing_service.normalize_query(raw_q)
    if raw_q.strip() and not q:
        notes.append(_("The search needs letters or numbers; showing everything."))
    return (
        Browse(
            q=q,
            category=category,
            city=city_arg(args),
            district=(args.get("district") or "").strip()[:20] or None,
            items=items,
            car=car,
            spec=spec,
            fitments=current_vehicle() is not None,
            price_min_fen=price_min,
            price_max_fen=price_max,
            min_rating=min_rating,
            sort=sort,
            near=near,
            page=page,
        ),
        notes,
    )


@bp.route("/")
def index():
    """Browse and search service packages; every filter lives in the shareable URL."""
    chosen_city(request.args)  # remembered for the home page and the matcher
    return page_cache.serve(_render_index)


def _render_index() -> str:
    browse, notes = parse_browse(request.args)
    listings, total = listing_service.browse(browse)
    pages = max(1, math.ceil(total / listing_service.PAGE_SIZE))
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "page" and v]

    def page_url(number: int) -> str:
        return "?" + urlencode([*kept, ("page", number)])

    return render_template(
        "listings/index.html",
        browse=browse,
        listings=listings,
        total=total,
        pages=pages,
        page_url=page_url,
        notes=notes,
        cities=listing_service.cities(),
        selected=current_vehicle(),
        filter_count=sum(1 for name in FILTER_ARGS if request.args.get(name, "").strip()),
        all_url="?" + urlencode([*((k, v) for k, v in kept if k != "fits"), ("fits", "0")]),
    )


@bp.route("/<int:listing_id>")
def detail(listing_id: int):
    """A listing: what is included, what it fits, validity, refunds, the shop."""
    return page_cache.serve(lambda: _render_detail(listing_id))


# a listing with its shop, chain, items and fitments in one statement (a few rows), built once
_LISTING = (
    select(Listing)
    .where(Listing.id == bindparam("listing_id"))
    .options(
        joinedload(Listing.shop).joinedload(Shop.chain),
        joinedload(Listing.items),
        joinedload(Listing.fitments),
    )
)


def _render_detail(listing_id: int) -> str:
    listing = db.session.execute(_LISTING, {"listing_id": listing_id}).unique().scalar_one_or_none()
    if listing is None:
        abort(404)
    preview = not listing.is_public
    if preview and not (
        current_user.is_authenticated and shop_service.can_view(current_user, listing.shop)
    ):
        abort(404)
    # the fitments come with their brand or series (joined): brands first, then series
    fit_names = [f.name for f in listing.fitments if f.brand_id] + [
        f.name for f in listing.fitments if f.series_id
    ]
    selected = current_vehicle()
    return render_template(
        "listings/detail.html",
        listing=listing,
        preview=preview,
        fit_names=fit_names,
        selected=selected,
        max_units=MAX_UNITS_PER_LINE,
        hours=shop_hours.for_listing(listing, utcnow()),
    )
