"""Listings: what a shop sells, how owners find it, and the cheapest way to cover due items."""

import enum
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from pypinyin import Style, lazy_pinyin
from sqlalchemy import bindparam, column, exists, func, select, table, text
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.functions import coalesce

from ..extensions import db
from ..models import (
    Brand,
    Category,
    Chain,
    Listing,
    ListingFitment,
    ListingItem,
    ListingStatus,
    Series,
    Shop,
    ShopStatus,
    User,
)
from ..models.listings import MAX_PRICE_FEN, MAX_VALIDITY_DAYS, STATUS_MOVES
from ..models.vehicles import Car
from . import audit, fitment
from .errors import DomainError, error_codes
from .fitment import NO_SPEC, Spec, fits
from .kept import Kept
from .maintenance import FUEL_TYPES, ITEMS
from .rows import rows

PAGE_SIZE = 20
MAX_QUERY = 60
# The browse pages count matches up to this many and then say "1000+": an exact count of a
# broad search visits every match (a third of all listings for "baoyang"), the page does not.
COUNT_CAP = 1000
# How long the city filter's list may be reused by a worker process (seconds); see cities().
CITIES_TTL = 60.0
# How long a worker reuses the number of matches of a browse filter (seconds); see _count().
COUNT_TTL = 10.0
BROWSE_MODELS = (Shop, Listing, ListingItem, ListingFitment)
kept_cities = Kept("cities", CITIES_TTL, (Shop,), max_keys=8)
kept_counts = Kept("browse counts", COUNT_TTL, BROWSE_MODELS, max_keys=2048)
# which listings a browse page shows, in order (their cards are read afresh); see browse()
kept_pages = Kept("browse pages", COUNT_TTL, BROWSE_MODELS, max_keys=2048)


class Sort(enum.StrEnum):
    POPULAR = "popular"
    PRICE = "price"
    PRICE_DESC = "price_desc"
    RATING = "rating"
    NEWEST = "newest"
    DISTANCE = "distance"


SORTS = tuple(Sort)


class ListingError(DomainError):
    """A refused listing change; `code` says why, `field` which input."""

    Code = error_codes(
        "ListingCode",
        "title_required bad_category price_range list_price_below_price validity_range "
        "stock_negative bad_item bad_fuel unknown_brand unknown_series status_move",
    )


@dataclass
class ListingDraft:
    """Everything a merchant sets on a listing."""

    title: str
    category: str
    description: str = ""
    price_fen: int = 0
    list_price_fen: int = 0
    validity_days: int = 90
    stock: int | None = None
    items: list[str] = field(default_factory=list)
    fit_fuels: list[str] = field(default_factory=list)
    fit_brand_ids: list[int] = field(default_factory=list)
    fit_series_ids: list[int] = field(default_factory=list)
    refund_any_time: bool = True
    refund_on_expiry: bool = True
    chain_redeemable: bool = False
    oil_viscosity: str = ""  # "0W-20"
    oil_spec: str = ""  # "API SP / ILSAC GF-6", "VW 508.00"
    oil_capacity: str = ""  # litres, "4.2"
    tyre_size: str = ""  # "225/45 R17"


def is_public(status: ListingStatus, shop_status: ShopStatus) -> bool:
    """Owners see a listing when it is active and its shop is approved."""
    return status is ListingStatus.ACTIVE and shop_status is ShopStatus.APPROVED


def _pinyin(text: str) -> str:
    full = "".join(lazy_pinyin(text)).lower()
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()
    return f"{full} {initials}"


def search_text(title: str, shop: Shop, description: str = "") -> str:
    """What full-text search looks in: titles and names in Chinese and in pinyin."""
    names = f"{title} {shop.chain.name} {shop.name} {shop.district}"
    return f"{names} {_pinyin(title)} {_pinyin(shop.chain.name)} {description[:200]}".lower()


def _check(draft: ListingDraft) -> None:
    if not draft.title.strip():
        raise ListingError("title_required", "title")
    if draft.category not in Category.__members__.values():
        raise ListingError("bad_category", "category")
    if not 0 <= draft.price_fen <= MAX_PRICE_FEN:
        raise ListingError("price_range", "price_fen")
    if draft.list_price_fen < draft.price_fen or draft.list_price_fen > MAX_PRICE_FEN:
        raise ListingError("list_price_below_price", "list_price_fen")
    if not 1 <= draft.validity_days <= MAX_VALIDITY_DAYS:
        raise ListingError("validity_range", "validity_days")
    if draft.stock is not None and draft.stock < 0:
        raise ListingError("stock_negative", "stock")
    if set(draft.items) - set(ITEMS):
        raise ListingError("bad_item", "items")
    if set(draft.fit_fuels) - set(FUEL_TYPES):
        raise ListingError("bad_fuel", "fit_fuels")
    fitment.viscosity(draft.oil_viscosity)
    fitment.oil_capacity_dl(draft.oil_capacity.strip())
    fitment.tyre_size(draft.tyre_size)
    if draft.fit_brand_ids:
        found = db.session.scalars(select(Brand.id).where(Brand.id.in_(draft.fit_brand_ids)))
        if set(found) != set(draft.fit_brand_ids):
            raise ListingError("unknown_brand", "fit_brand_ids")
    if draft.fit_series_ids:
        found = db.session.scalars(select(Series.id).where(Series.id.in_(draft.fit_series_ids)))
        if set(found) != set(draft.fit_series_ids):
            raise ListingError("unknown_series", "fit_series_ids")


def _apply(listing: Listing, shop: Shop, draft: ListingDraft) -> None:
    listing.title = draft.title.strip()
    listing.category = Category(draft.category)
    listing.description = draft.description.strip()
    listing.price_fen = draft.price_fen
    listing.list_price_fen = draft.list_price_fen
    listing.validity_days = draft.validity_days
    listing.stock = draft.stock
    listing.refund_any_time = draft.refund_any_time
    listing.refund_on_expiry = draft.refund_on_expiry
    listing.chain_redeemable = draft.chain_redeemable
    listing.fit_fuels = "|".join(sorted(set(draft.fit_fuels)))
    listing.oil_viscosity = fitment.viscosity(draft.oil_viscosity)
    listing.oil_spec = draft.oil_spec.strip()[:60] or None
    listing.oil_capacity_dl = fitment.oil_capacity_dl(draft.oil_capacity.strip())
    listing.tyre_size = fitment.tyre_size(draft.tyre_size)
    listing.fits_all_models = not (draft.fit_brand_ids or draft.fit_series_ids)
    listing.items = [ListingItem(item=item) for item in sorted(set(draft.items))]
    listing.fitments = [ListingFitment(brand_id=b) for b in sorted(set(draft.fit_brand_ids))] + [
        ListingFitment(series_id=s) for s in sorted(set(draft.fit_series_ids))
    ]
    listing.city, listing.district = shop.city, shop.district
    listing.latitude, listing.longitude = shop.latitude, shop.longitude
    listing.search_text = search_text(listing.title, shop, listing.description)
    listing.is_public = is_public(listing.status, shop.status)


def create_listing(actor: User, shop: Shop, draft: ListingDraft) -> Listing:
    """A new listing, as a draft until the shop publishes it."""
    _check(draft)
    listing = Listing(shop_id=shop.id, status=ListingStatus.DRAFT)
    listing.shop = shop
    _apply(listing, shop, draft)
    db.session.add(listing)
    db.session.flush()
    audit.record(actor, "listing.created", listing, shop_id=shop.id)
    return listing


def update_listing(actor: User, listing: Listing, draft: ListingDraft) -> None:
    """Change a listing; orders keep the snapshot they were made with."""
    _check(draft)
    _apply(listing, listing.shop, draft)
    db.session.flush()
    audit.record(actor, "listing.updated", listing)


def set_status(actor: User, listing: Listing, status: ListingStatus) -> None:
    """Publish or pause a listing (STATUS_MOVES); the same status again changes nothing."""
    if status is listing.status:
        return
    if status not in STATUS_MOVES[listing.status]:
        raise ListingError("status_move")
    listing.status = status
    listing.is_public = is_public(status, listing.shop.status)
    db.session.flush()
    audit.record(actor, "listing.status", listing, status=status.value)


def draft_from(listing: Listing) -> ListingDraft:
    return ListingDraft(
        title=listing.title,
        category=listing.category.value,
        description=listing.description,
        price_fen=listing.price_fen,
        list_price_fen=listing.list_price_fen,
        validity_days=listing.validity_days,
        stock=listing.stock,
        items=listing.item_codes,
        fit_fuels=listing.fuel_codes,
        fit_brand_ids=[f.brand_id for f in listing.fitments if f.brand_id],
        fit_series_ids=[f.series_id for f in listing.fitments if f.series_id],
        refund_any_time=listing.refund_any_time,
        refund_on_expiry=listing.refund_on_expiry,
        chain_redeemable=listing.chain_redeemable,
        oil_viscosity=listing.oil_viscosity or "",
        oil_spec=listing.oil_spec or "",
        oil_capacity=f"{listing.oil_capacity_dl / 10:.1f}" if listing.oil_capacity_dl else "",
        tyre_size=listing.tyre_size or "",
    )


# --- browsing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Browse:
    """A browse or search request, already cleaned (see the blueprint's form)."""

    q: str = ""
    category: str | None = None
    city: str | None = None
    district: str | None = None
    items: tuple[str, ...] = ()
    car: Car | None = None
    spec: Spec = NO_SPEC
    fitments: bool = False  # load each listing's fitments, to say on its card if it fits
    price_min_fen: int | None = None
    price_max_fen: int | None = None
    min_rating: int | None = None  # thousandths of a star, like rating_score
    sort: str = "popular"
    near: tuple[float, float] | None = None
    page: int = 1
    shop_id: int | None = None

    @property
    def count_limit(self) -> int:
        """browse() counts at most this many matches: COUNT_CAP + 1, or one page beyond this
        one on deep pages, so that a total equal to it means "there are more" and the pager
        still offers the next page."""
        return max(COUNT_CAP, self.page * PAGE_SIZE) + 1


class CardFitment(NamedTuple):
    brand_id: int | None
    series_id: int | None
    name: str


@dataclass(frozen=True, slots=True)
class Card:
    """A listing as its card on a browse page shows it: plain values read as Core rows (no
    ORM objects), hashable, so that the card's HTML can be kept per value (marketplace/cards.py).
    It has what fitment.explain() reads, so the card says whether it fits the car."""

    id: int
    title: str
    category: Category
    district: str
    price_fen: int
    list_price_fen: int
    rating_score: int
    rating_count: int
    sales_count: int
    stock: int | None
    fit_fuels: str
    fits_all_models: bool
    oil_viscosity: str | None
    tyre_size: str | None
    shop_name: str
    chain_name: str
    fitments: tuple[CardFitment, ...] = ()

    @property
    def fuel_codes(self) -> list[str]:
        return [code for code in self.fit_fuels.split("|") if code]


CARD_COLUMNS = (  # in Card's order (Card.fitments comes apart)
    Listing.id,
    Listing.title,
    Listing.category,
    Listing.district,
    Listing.price_fen,
    Listing.list_price_fen,
    Listing.rating_score,
    Listing.rating_count,
    Listing.sales_count,
    Listing.stock,
    Listing.fit_fuels,
    Listing.fits_all_models,
    Listing.oil_viscosity,
    Listing.tyre_size,
    Shop.name,
    Chain.name,
)
CARD_FIELDS = len(CARD_COLUMNS)


def card_statement(query):
    """`query` (a select of Listing, filtered and ordered) reading cards instead."""
    return (
        query.with_only_columns(*CARD_COLUMNS)
        .join_from(Listing, Shop, Listing.shop_id == Shop.id)
        .join(Chain, Shop.chain_id == Chain.id)
    )


def cards(query, *, fitments: bool = False) -> list[Card]:
    """The listings `query` (a select of Listing, filtered and ordered) selects, as cards:
    one statement, and one more for their fitments when `fitments` (a car is selected)."""
    return read_cards(card_statement(query), fitments=fitments)


def read_cards(statement, params=None, *, fitments: bool = False) -> list[Card]:
    """The cards a card_statement() selects (with its bound `params`)."""
    return _cards_of(rows(statement, params).all(), fitments=fitments)


def _cards_of(read, *, fitments: bool) -> list[Card]:
    limits: dict[int, list[CardFitment]] = {}
    limited = [row[0] for row in read if not row.fits_all_models]
    if fitments and limited:
        for listing_id, *named in rows(_FITMENTS, {"listing_ids": limited}):
            limits.setdefault(listing_id, []).append(CardFitment(*named))
    return [Card(*row[:CARD_FIELDS], fitments=tuple(limits.get(row[0], ()))) for row in read]


_FITMENTS = (
    select(
        ListingFitment.listing_id,
        ListingFitment.brand_id,
        ListingFitment.series_id,
        coalesce(Series.name, Brand.name, ""),
    )
    .outerjoin(Series, Series.id == ListingFitment.series_id)
    .outerjoin(Brand, Brand.id == ListingFitment.brand_id)
    .where(ListingFitment.listing_id.in_(bindparam("listing_ids", expanding=True)))
    .order_by(ListingFitment.listing_id, ListingFitment.id)
)


def _uses_fts(q: str, dialect: str) -> bool:
    return dialect == "sqlite" and len(q.lower()) >= 3


def _fts_phrase(q: str) -> str:
    return '"' + q.lower().replace('"', '""') + '"'


def _like_match(q: str):
    """search_text contains q: the same listings as the trigram phrase (both sides are lower
    case), checked row by row instead of through the full-text index."""
    q = q.lower()
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return Listing.search_text.ilike(pattern, escape="\\")


def _text_match(q: str, dialect: str):
    """Full-text condition: FTS5 trigram on SQLite, pg_trgm-indexed ILIKE on PostgreSQL.

    Trigrams need three characters; shorter queries (two Chinese characters, say) scan.
    """
    if _uses_fts(q, dialect):
        matching = (
            text("SELECT rowid FROM listings_fts WHERE listings_fts MATCH :phrase")
            .bindparams(phrase=_fts_phrase(q))
            .columns(column("rowid"))
        )
        return Listing.id.in_(matching)
    return _like_match(q)


def normalize_query(raw: str) -> str:
    """Drop control characters, trim, collapse spaces, cap the length; a query of only
    punctuation becomes empty."""
    cleaned = re.sub(r"[\x00-\x1f\x7f]", " ", raw or "")
    cleaned = re.sub(r"\s+", " ", cleaned).strip()[:MAX_QUERY]
    return cleaned if re.search(r"\w", cleaned) else ""


def browse_query(request: Browse, dialect: str, *, text_match=None):
    """The filtered, sorted selection of public listings (without paging).

    `text_match` replaces the search condition (browse() passes the row-by-row LIKE)."""
    query = select(Listing).where(Listing.is_public)
    if request.city:
        query = query.where(Listing.city == request.city)
    if request.category:
        query = query.where(Listing.category == request.category)
    if request.district:
        query = query.where(Listing.district == request.district)
    if request.shop_id:
        query = query.where(Listing.shop_id == request.shop_id)
    for item in request.items:
        query = query.where(
            exists().where(ListingItem.listing_id == Listing.id, ListingItem.item == item)
        )
    if request.car is not None:
        query = query.where(fits(request.car, request.spec))
    if request.price_min_fen is not None:
        query = query.where(Listing.price_fen >= request.price_min_fen)
    if request.price_max_fen is not None:
        query = query.where(Listing.price_fen <= request.price_max_fen)
    if request.min_rating:
        query = query.where(Listing.rating_score >= request.min_rating)
    if request.q:
        query = query.where(_text_match(request.q, dialect) if text_match is None else text_match)
    return query.order_by(*_order(request))


def _order(request: Browse):
    if request.sort == "price":
        return (Listing.price_fen, Listing.id)
    if request.sort == "price_desc":
        return (Listing.price_fen.desc(), Listing.id.desc())
    if request.sort == "rating":
        return (Listing.rating_score.desc(), Listing.id.desc())
    if request.sort == "newest":
        return (Listing.id.desc(),)
    if request.sort == "distance" and request.near is not None:
        lat, lng = request.near
        # equirectangular approximation: fine for ranking within a city
        scale = 0.8 if abs(lat) < 40 else 0.7
        dx = (Listing.longitude - lng) * scale
        dy = Listing.latitude - lat
        return (dx * dx + dy * dy, Listing.id)
    return (Listing.sales_count.desc(), Listing.id.desc())


def _count_key(request: Browse) -> tuple:
    car = request.car
    return (
        request.q,
        request.category,
        request.city,
        request.district,
        request.items,
        None if car is None else (car.fuel_type, car.brand_id, car.series_id),
        request.spec if car is not None else None,
        request.price_min_fen,
        request.price_max_fen,
        request.min_rating,
        request.shop_id,
        request.count_limit,
    )


def _count(request: Browse, dialect: str) -> int:
    """The number of matches, counting at most request.count_limit of them.

    A worker reuses the number for the same filter for up to COUNT_TTL seconds (`kept_counts`):
    counting a broad search visits up to count_limit matches where the page reads 20 (5 ms of
    a 6 ms search page on SQLite, most of its SQL on PostgreSQL). A listing or shop changed by
    this process is counted afresh at once; one changed elsewhere within COUNT_TTL, while the
    cards themselves are always read afresh.
    """
    return kept_counts.get(_count_key(request), lambda: _count_matches(request, dialect))


def _count_matches(request: Browse, dialect: str) -> int:
    counted = browse_query(request, dialect).order_by(None).with_only_columns(Listing.id)
    if _uses_fts(request.q, dialect):
        # Drive the count from the full-text index and stop at the limit: `Listing.id IN
        # (SELECT rowid … MATCH)` builds the whole list of matches first (11 ms for "baoyang").
        # The unary + keeps SQLite from looking the phrase up once per listing instead.
        fts = table("listings_fts", column("rowid"))
        counted = (
            browse_query(
                request,
                dialect,
                text_match=text("listings_fts MATCH :phrase").bindparams(
                    phrase=_fts_phrase(request.q)
                ),
            )
            .order_by(None)
            .with_only_columns(Listing.id)
            .select_from(fts)
            .join(Listing, Listing.id == text("+listings_fts.rowid"))
        )
    limited = counted.limit(request.count_limit).subquery()
    return db.session.scalar(select(func.count()).select_from(limited))


def browse(request: Browse, *, count: bool = True) -> tuple[list[Card], int]:
    """One page of listings as cards, and the number of matches: exact up to COUNT_CAP (see
    Browse.count_limit: a total equal to request.count_limit means "at least that many").
    Without `count` the total is the length of the page.

    Which listings the page shows is reused like the count (kept_pages, COUNT_TTL): finding
    20 matches of a search walks hundreds of rows (2 ms for 空调滤芯 on SQLite), reading 20
    cards by id does not. The cards themselves — price, stock, sales, rating — are read on
    every request, and a listing paused meanwhile is left out."""
    dialect = db.session.get_bind().dialect.name
    total, broad = None, False
    if count:
        total = _count(request, dialect)
        by_distance = request.sort == "distance" and request.near is not None
        # A broad search: walking the sort order's index and testing each row finds a page
        # after a few dozen rows, where the IN (full-text matches) list is built in full.
        broad = _uses_fts(request.q, dialect) and total >= request.count_limit
        broad = broad and not by_distance
    key = (dialect, _count_key(request), request.sort, request.near, request.page, PAGE_SIZE, broad)
    ids = kept_pages.get(
        key, lambda: tuple(rows(_page_statement(key, request, dialect, broad)).scalars())
    )
    page = cards_by_id(ids, fitments=request.fitments)
    return page, len(page) if total is None else total


_statements: dict[tuple, object] = {}
MAX_KEPT_STATEMENTS = 1024


def _page_statement(key: tuple, request: Browse, dialect: str, broad: bool):
    """The select of the page's listing ids, built once per distinct request (`key`) and
    process: statements are immutable and remember their cache key, whose making costs more
    than running the statement (a car's fitment filter: 0.6 of 1.1 ms on SQLite)."""
    found = _statements.get(key)
    if found is None:
        query = browse_query(request, dialect, text_match=_like_match(request.q) if broad else None)
        offset = (request.page - 1) * PAGE_SIZE
        found = query.with_only_columns(Listing.id).limit(PAGE_SIZE).offset(offset)
        if len(_statements) >= MAX_KEPT_STATEMENTS:
            _statements.clear()
        _statements[key] = found
    return found


# is_public is read, not filtered on: with it in the WHERE clause SQLite walks the public
# index instead of looking the 20 ids up (7 ms instead of 0.1 for "baoyang")
_BY_ID = card_statement(
    select(Listing).where(Listing.id.in_(bindparam("ids", expanding=True)))
).add_columns(Listing.is_public)


def cards_by_id(ids: tuple[int, ...], *, fitments: bool = False) -> list[Card]:
    """The cards of these listings in this order, read afresh (a listing no longer public
    is left out)."""
    if not ids:
        return []
    public = [row for row in rows(_BY_ID, {"ids": list(ids)}) if row.is_public]
    found = {card.id: card for card in _cards_of(public, fitments=fitments)}
    return [found[i] for i in ids if i in found]


# --- the cheapest way to cover the due items, per shop ---------------------------------------


@dataclass(frozen=True)
class ShopBundle:
    shop: Shop
    listings: tuple[Listing, ...]
    total_fen: int
    covered: frozenset[str]


def cheapest_bundles(
    items: list[str],
    *,
    car: Car | None,
    city: str | None,
    spec: Spec = NO_SPEC,
    limit: int = 5,
) -> list[ShopBundle]:
    """Per shop, the cheapest set of its listings that together cover every due item.

    Reads only (listing, shop, price, item) rows — at 100,000 listings thousands of listings
    cover a common item, and loading them as objects took seconds — keeps per shop only the
    cheapest listing for each combination of due items (a dearer one with the same items is
    never in a cheapest cover), solves each shop's cover, and loads just the winners."""
    wanted = frozenset(items)
    if not wanted:
        return []
    query = (
        select(Listing.id, Listing.shop_id, Listing.price_fen, ListingItem.item)
        .join(ListingItem, ListingItem.listing_id == Listing.id)
        .where(Listing.is_public, ListingItem.item.in_(wanted))
    )
    if city:
        query = query.where(Listing.city == city)
    if car is not None:
        query = query.where(fits(car, spec))
    offers: dict[int, tuple[int, set[str]]] = {}
    shop_of: dict[int, int] = {}
    for listing_id, shop_id, price, item in db.session.execute(query):
        offers.setdefault(listing_id, (price, set()))[1].add(item)
        shop_of[listing_id] = shop_id
    by_shop: dict[int, dict[frozenset[str], tuple[int, int]]] = {}
    for listing_id, (price, covered) in offers.items():
        cheapest = by_shop.setdefault(shop_of[listing_id], {})
        key = frozenset(covered)
        if key not in cheapest or (price, listing_id) < cheapest[key]:
            cheapest[key] = (price, listing_id)
    covers = []
    for shop_id, cheapest in by_shop.items():
        best = _cheapest_cover(wanted, [(p, i, c) for c, (p, i) in cheapest.items()])
        if best is not None:
            covers.append((best[0], len(best[1]), shop_id, best[1]))
    covers.sort()
    covers = covers[:limit]
    chosen_ids = {i for *_, ids in covers for i in ids}
    loaded = {
        listing.id: listing
        for listing in db.session.scalars(
            select(Listing)
            .where(Listing.id.in_(chosen_ids))
            .options(selectinload(Listing.items), joinedload(Listing.shop).joinedload(Shop.chain))
        ).unique()
    }
    return [
        ShopBundle(
            shop=loaded[ids[0]].shop,
            listings=tuple(loaded[i] for i in ids),
            total_fen=total,
            covered=wanted,
        )
        for total, _count, _shop, ids in covers
    ]


def _cheapest_cover(
    wanted: frozenset[str], offers: list[tuple[int, int, frozenset[str]]]
) -> tuple[int, tuple[int, ...]] | None:
    """Exact minimum-price set cover over one shop's offers (price, listing id, items), by
    dynamic programming over the subsets of due items (a handful of items: at most 2^k
    states). Returns the total and the listing ids, or None when the shop cannot cover all."""
    bit = {item: 1 << i for i, item in enumerate(sorted(wanted))}
    full = (1 << len(bit)) - 1
    best: dict[int, tuple[int, tuple[int, ...]]] = {0: (0, ())}
    for price, listing_id, covered in sorted(offers):
        mask = 0
        for item in covered:
            mask |= bit.get(item, 0)
        if not mask:
            continue
        for state, (cost, chosen) in list(best.items()):
            reached, total = state | mask, cost + price
            if reached != state and (reached not in best or total < best[reached][0]):
                best[reached] = (total, (*chosen, listing_id))
    return best.get(full)


def cities() -> list[str]:
    """Cities with something on sale, for the city filter.

    Every browse page shows this list, and it changes only when a shop is approved, suspended
    or moves, so each worker process reuses it for up to CITIES_TTL seconds. A change made by
    this process shows at once (the cache is dropped when a shop is changed); one made by
    another worker, the CLI or the admin on another process shows within CITIES_TTL. Until then
    the filter may miss a new city or list one with nothing left, whose results page is empty.
    """
    return list(kept_cities.get("cities", _read_cities))


def _read_cities() -> tuple[str, ...]:
    return tuple(
        db.session.scalars(
            select(Shop.city)
            .where(Shop.status == ShopStatus.APPROVED)
            .distinct()
            .order_by(Shop.city)
        )
    )


def offers_for(
    items: list[str], car: Car | None, city: str | None, spec: Spec = NO_SPEC
) -> dict[str, Card]:
    """For each item, the best-selling public listing covering it (fitting the car, in the city)."""
    offers = {}
    for item in items:
        found, _total = browse(Browse(items=(item,), car=car, spec=spec, city=city), count=False)
        if found:
            offers[item] = found[0]
    return offers
