"""Dashboards: a shop's redemptions, revenue, customers and rating over time; the platform's.

Every figure is aggregated in SQL; nothing loads one row per redemption. Periods are cut into
buckets (days, weeks from Monday, calendar months) in the marketplace's time zone: the bucket
edges are computed here as aware datetimes and compared with the UTC columns through a portable
CASE, so SQLite and PostgreSQL give the same answer and daylight-saving days stay whole.

Definitions (also in README, "Dashboards"):

- a redemption counts while it is in force (not undone), at the time it was made;
- revenue: the sum of the redeemed vouchers' unit prices; net: what the shop earns from them
  after commission (their ledger service entries); average ticket: revenue / redemptions,
  rounded half up to the fen;
- customers: distinct owners with a redemption in the period; returning customers: those of
  them whose first redemption at the shop (or, for the platform, anywhere) was before the
  period's start; return rate: returning / customers;
- lost customers: owners whose last redemption at the shop is older than the shop's window
  (`lost_after_months`, 3-12, counted in calendar months back from today);
- rating trend: the plain average of the overall stars of published reviews created in each
  month;
- GMV: the totals of the orders paid in the period less what has been refunded of those
  orders; refunds: the succeeded refunds created in the period.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, func, literal, select
from sqlalchemy.sql import ColumnElement

from ..extensions import db
from ..models import (
    EntryKind,
    LedgerEntry,
    Listing,
    Notification,
    NotificationKind,
    Order,
    OrderLine,
    Redemption,
    Refund,
    RefundStatus,
    Review,
    ReviewStatus,
    Shop,
    ShopStatus,
    User,
    Voucher,
)
from ..models.types import UTCDateTime
from ..models.users import mask_name
from . import audit
from .errors import DomainError, error_codes
from .notifications import notify

LOST_WINDOW_MIN = 3
LOST_WINDOW_MAX = 12
RATING_MONTHS = 12
TOP_LISTINGS = 5
LOST_PAGE_SIZE = 50
WINBACK_COOLDOWN = timedelta(days=30)
WINBACK_DAILY_CAP = 50
WINBACK_MAX_TEXT = 300


class Grain(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


# how many buckets each grain shows, ending with the current one
SPAN = {Grain.DAY: 30, Grain.WEEK: 12, Grain.MONTH: 12}


class DashboardError(DomainError):
    """A refused dashboard action; `code` says why."""

    Code = error_codes(
        "DashboardCode", "window_range message_length too_soon daily_cap opted_out not_lost"
    )


# --- periods ----------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later (earlier when negative), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


@dataclass(frozen=True)
class Bucket:
    start_day: date  # local date of the first day
    start: datetime  # aware, inclusive
    end: datetime  # aware, exclusive


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def buckets(grain: Grain, today: date, zone: ZoneInfo, count: int | None = None) -> list[Bucket]:
    """The last `count` buckets of `grain` in `zone`, the last one containing `today`."""
    count = count or SPAN[grain]
    if grain is Grain.DAY:
        starts = [today - timedelta(days=count - 1 - i) for i in range(count + 1)]
    elif grain is Grain.WEEK:
        monday = today - timedelta(days=today.weekday())
        starts = [monday - timedelta(weeks=count - 1 - i) for i in range(count + 1)]
    else:
        first = today.replace(day=1)
        starts = [add_months(first, i - (count - 1)) for i in range(count + 1)]
    edges = [_midnight(d, zone) for d in starts]
    return [Bucket(starts[i], edges[i], edges[i + 1]) for i in range(count)]


def _ts(value: datetime) -> ColumnElement:
    return literal(value, UTCDateTime())


def _bucket_of(column, spans: list[Bucket]) -> ColumnElement:
    """The index of the bucket a timestamp column falls in (rows outside are filtered out)."""
    return case(*[(column < _ts(b.end), i) for i, b in enumerate(spans)], else_=None)


def _bucket_start_of(column, spans: list[Bucket]) -> ColumnElement:
    return case(*[(column < _ts(b.end), _ts(b.start)) for b in spans], else_=None)


def _in(column, spans: list[Bucket]):
    return and_(column >= spans[0].start, column < spans[-1].end)


# --- figures ----------------------------------------------------------------------------------


@dataclass
class Figures:
    """Redemption figures of one period (a bucket, or a whole span)."""

    redemptions: int = 0
    revenue_fen: int = 0
    net_fen: int = 0
    customers: int = 0
    returning: int = 0

    @property
    def average_ticket_fen(self) -> int:
        if not self.redemptions:
            return 0
        return (2 * self.revenue_fen + self.redemptions) // (2 * self.redemptions)

    @property
    def return_rate(self) -> float | None:
        """Returning / customers, or None without customers."""
        return self.returning / self.customers if self.customers else None


def _redemption_figures(shop_id: int | None, spans: list[Bucket]) -> list[Figures]:
    """Per bucket: in-force redemptions, revenue, net, customers and returning customers."""
    firsts_query = (
        select(Voucher.owner_id.label("owner_id"), func.min(Redemption.redeemed_at).label("first"))
        .join(Voucher, Voucher.id == Redemption.voucher_id)
        .where(Redemption.undone_at.is_(None))
        .group_by(Voucher.owner_id)
    )
    if shop_id is not None:
        firsts_query = firsts_query.where(Redemption.shop_id == shop_id)
    firsts = firsts_query.subquery("firsts")
    rows_query = (
        select(
            _bucket_of(Redemption.redeemed_at, spans).label("bucket"),
            Voucher.owner_id.label("owner_id"),
            Voucher.price_fen.label("price_fen"),
            func.coalesce(LedgerEntry.amount_fen, 0).label("net_fen"),
            case(
                (
                    firsts.c.first < _bucket_start_of(Redemption.redeemed_at, spans),
                    Voucher.owner_id,
                ),
                else_=None,
            ).label("returning_owner"),
        )
        .join(Voucher, Voucher.id == Redemption.voucher_id)
        .join(firsts, firsts.c.owner_id == Voucher.owner_id)
        .outerjoin(
            LedgerEntry,
            and_(
                LedgerEntry.redemption_id == Redemption.id,
                LedgerEntry.kind == EntryKind.SERVICE,
            ),
        )
        .where(Redemption.undone_at.is_(None), _in(Redemption.redeemed_at, spans))
    )
    if shop_id is not None:
        rows_query = rows_query.where(Redemption.shop_id == shop_id)
    rows = rows_query.subquery("rows")
    found = db.session.execute(
        select(
            rows.c.bucket,
            func.count(),
            func.coalesce(func.sum(rows.c.price_fen), 0),
            func.coalesce(func.sum(rows.c.net_fen), 0),
            func.count(distinct(rows.c.owner_id)),
            func.count(distinct(rows.c.returning_owner)),
        ).group_by(rows.c.bucket)
    ).all()
    result = [Figures() for _ in spans]
    for bucket, count, revenue, net, customers, returning in found:
        result[bucket] = Figures(int(count), int(revenue), int(net), customers, returning)
    return result


@dataclass
class RatingPoint:
    bucket: Bucket
    reviews: int
    stars_sum: int

    @property
    def average(self) -> float | None:
        return self.stars_sum / self.reviews if self.reviews else None


def rating_trend(shop_id: int, today: date, zone: ZoneInfo) -> list[RatingPoint]:
    """Published reviews and their average overall stars per month, the last 12 months."""
    spans = buckets(Grain.MONTH, today, zone, RATING_MONTHS)
    rows = (
        select(_bucket_of(Review.created_at, spans).label("bucket"), Review.overall)
        .where(
            Review.shop_id == shop_id,
            Review.status == ReviewStatus.PUBLISHED,
            _in(Review.created_at, spans),
        )
        .subquery()
    )
    found = dict(
        (bucket, (count, total))
        for bucket, count, total in db.session.execute(
            select(rows.c.bucket, func.count(), func.sum(rows.c.overall)).group_by(rows.c.bucket)
        )
    )
    return [
        RatingPoint(span, *(int(v) for v in found.get(i, (0, 0)))) for i, span in enumerate(spans)
    ]


@dataclass
class TopListing:
    listing_id: int
    title: str
    redemptions: int
    revenue_fen: int


def top_listings(shop_id: int, spans: list[Bucket], limit: int = TOP_LISTINGS) -> list[TopListing]:
    revenue = func.sum(Voucher.price_fen)
    rows = db.session.execute(
        select(Listing.id, Listing.title, func.count(Redemption.id), revenue)
        .join(Voucher, Voucher.id == Redemption.voucher_id)
        .join(Listing, Listing.id == Voucher.listing_id)
        .where(
            Redemption.shop_id == shop_id,
            Redemption.undone_at.is_(None),
            _in(Redemption.redeemed_at, spans),
        )
        .group_by(Listing.id, Listing.title)
        .order_by(revenue.desc(), func.count(Redemption.id).desc(), Listing.id)
        .limit(limit)
    ).all()
    return [TopListing(i, title, int(n), int(fen)) for i, title, n, fen in rows]


# --- lost customers ---------------------------------------------------------------------------


def lost_cutoff(shop: Shop, today: date, zone: ZoneInfo) -> datetime:
    """Owners whose last redemption is before this instant are lost."""
    return _midnight(add_months(today, -shop.lost_after_months), zone)


def _last_visits(shop_id: int):
    """Per owner of the shop: their last in-force redemption, its voucher, and their visits."""
    ranked = (
        select(
            Voucher.owner_id.label("owner_id"),
            Redemption.voucher_id.label("voucher_id"),
            Redemption.redeemed_at.label("last_at"),
            func.row_number()
            .over(
                partition_by=Voucher.owner_id,
                order_by=(Redemption.redeemed_at.desc(), Redemption.id.desc()),
            )
            .label("rank"),
            func.count().over(partition_by=Voucher.owner_id).label("visits"),
        )
        .join(Voucher, Voucher.id == Redemption.voucher_id)
        .where(Redemption.shop_id == shop_id, Redemption.undone_at.is_(None))
        .subquery("ranked")
    )
    return ranked


@dataclass
class CustomerBase:
    customers: int  # every owner ever served (基盘客户)
    lost: int


def customer_base(shop: Shop, cutoff: datetime) -> CustomerBase:
    ranked = _last_visits(shop.id)
    total, lost = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((ranked.c.last_at < _ts(cutoff), 1), else_=0)), 0),
        ).where(ranked.c.rank == 1)
    ).one()
    return CustomerBase(int(total), int(lost))


@dataclass
class LostCustomer:
    owner_id: int
    masked_name: str
    last_at: datetime
    visits: int
    last_service: str
    vehicle: str
    messaged_at: datetime | None = None


def lost_customers(
    shop: Shop, cutoff: datetime, *, now: datetime, page: int = 1, owner_id: int | None = None
) -> list[LostCustomer]:
    """The shop's lost customers, most recently seen first, with their last service and car.

    Names are masked; no contact detail leaves this function."""
    ranked = _last_visits(shop.id)
    query = (
        select(
            ranked.c.owner_id,
            User.display_name,
            ranked.c.last_at,
            ranked.c.visits,
            OrderLine.title,
            OrderLine.vehicle_label,
        )
        .join(Voucher, Voucher.id == ranked.c.voucher_id)
        .join(OrderLine, OrderLine.id == Voucher.order_line_id)
        .join(User, User.id == ranked.c.owner_id)
        .where(ranked.c.rank == 1, ranked.c.last_at < _ts(cutoff))
        .order_by(ranked.c.last_at.desc(), ranked.c.owner_id)
    )
    if owner_id is not None:
        query = query.where(ranked.c.owner_id == owner_id)
    else:
        query = query.limit(LOST_PAGE_SIZE).offset((max(page, 1) - 1) * LOST_PAGE_SIZE)
    found = [
        LostCustomer(owner, mask_name(name), last_at, int(visits), title, vehicle)
        for owner, name, last_at, visits, title, vehicle in db.session.execute(query)
    ]
    if found:
        messaged = last_messages(shop, [c.owner_id for c in found], now)
        for customer in found:
            customer.messaged_at = messaged.get(customer.owner_id)
    return found


# --- win-back messages ------------------------------------------------------------------------


def _winback_prefix(shop_id: int, owner_id: int | None = None) -> str:
    return f"winback-{shop_id}-" + (f"{owner_id}-" if owner_id is not None else "")


def last_messages(shop: Shop, owner_ids: list[int], now: datetime) -> dict[int, datetime]:
    """When the shop last messaged each of these owners inside the cooldown."""
    rows = db.session.execute(
        select(Notification.user_id, func.max(Notification.created_at))
        .where(
            Notification.user_id.in_(owner_ids),
            Notification.kind == NotificationKind.SHOP_MESSAGE,
            Notification.dedupe_key.like(_winback_prefix(shop.id) + "%"),
            Notification.created_at > now - WINBACK_COOLDOWN,
        )
        .group_by(Notification.user_id)
    ).all()
    return {owner: at for owner, at in rows}


def send_winback(
    actor: User,
    shop: Shop,
    owner_id: int,
    text: str,
    *,
    link: str,
    now: datetime,
    today: date,
    zone: ZoneInfo,
) -> Notification:
    """Message a lost customer through the notification centre, at most once per 30 days per
    owner and shop, and at most WINBACK_DAILY_CAP a day per shop. The shop never learns the
    owner's contact details: the platform delivers the message."""
    text = (text or "").strip()
    if not text or len(text) > WINBACK_MAX_TEXT:
        raise DashboardError("message_length")
    customer = lost_customers(shop, lost_cutoff(shop, today, zone), now=now, owner_id=owner_id)
    if not customer:
        raise DashboardError("not_lost")
    if customer[0].messaged_at is not None:
        raise DashboardError("too_soon")
    sent_today = db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.kind == NotificationKind.SHOP_MESSAGE,
            Notification.dedupe_key.like(_winback_prefix(shop.id) + "%"),
            Notification.created_at > now - timedelta(days=1),
        )
    )
    if sent_today >= WINBACK_DAILY_CAP:
        raise DashboardError("daily_cap")
    owner = db.session.get(User, owner_id)
    # one key per fixed 30-day slot: two sends racing each other store one notification
    slot = int(now.timestamp()) // int(WINBACK_COOLDOWN.total_seconds())
    notification = notify(
        owner,
        NotificationKind.SHOP_MESSAGE,
        data={"shop": shop.display_name, "shop_id": shop.id, "message": text},
        link=link,
        dedupe_key=f"{_winback_prefix(shop.id, owner.id)}{slot}",
        now=now,
    )
    if notification is None:
        exists = db.session.scalar(
            select(Notification.id).where(
                Notification.dedupe_key == f"{_winback_prefix(shop.id, owner.id)}{slot}"
            )
        )
        raise DashboardError("too_soon" if exists else "opted_out")
    db.session.flush()
    audit.record(
        actor,
        "shop.winback_message",
        shop,
        owner_id=owner.id,
        notification_id=notification.id,
        text=text,
    )
    return notification


def set_lost_window(actor: User, shop: Shop, months: int | None) -> None:
    """Change the shop's lost-customer window; anything outside 3-12 changes nothing."""
    if (
        not isinstance(months, int)
        or isinstance(months, bool)
        or not LOST_WINDOW_MIN <= months <= LOST_WINDOW_MAX
    ):
        raise DashboardError("window_range")
    if months == shop.lost_after_months:
        return
    before = shop.lost_after_months
    shop.lost_after_months = months
    db.session.flush()
    audit.record(actor, "shop.lost_window", shop, before=before, after=months)


# --- the two dashboards -----------------------------------------------------------------------


@dataclass
class ShopDashboard:
    grain: Grain
    spans: list[Bucket]
    series: list[Figures]
    total: Figures
    ratings: list[RatingPoint]
    top: list[TopListing]
    base: CustomerBase
    cutoff: datetime

    @property
    def rating_reviews(self) -> int:
        return sum(p.reviews for p in self.ratings)

    @property
    def rating_average(self) -> float | None:
        count = self.rating_reviews
        return sum(p.stars_sum for p in self.ratings) / count if count else None


def shop_dashboard(shop: Shop, grain: Grain, today: date, zone: ZoneInfo) -> ShopDashboard:
    """Everything on a shop's dashboard, in a fixed number of queries."""
    spans = buckets(grain, today, zone)
    whole = [Bucket(spans[0].start_day, spans[0].start, spans[-1].end)]
    cutoff = lost_cutoff(shop, today, zone)
    return ShopDashboard(
        grain=grain,
        spans=spans,
        series=_redemption_figures(shop.id, spans),
        total=_redemption_figures(shop.id, whole)[0],
        ratings=rating_trend(shop.id, today, zone),
        top=top_listings(shop.id, spans),
        base=customer_base(shop, cutoff),
        cutoff=cutoff,
    )


@dataclass
class PlatformFigures:
    orders: int = 0
    paid_fen: int = 0
    refunded_fen: int = 0  # of the orders paid in the period
    redemptions: int = 0
    redeemed_fen: int = 0
    refunds: int = 0  # succeeded refunds created in the period
    refunds_fen: int = 0
    held_reviews: int = 0  # reviews written in the period that were held for moderation

    @property
    def gmv_fen(self) -> int:
        return self.paid_fen - self.refunded_fen


@dataclass
class PlatformDashboard:
    grain: Grain
    spans: list[Bucket]
    series: list[PlatformFigures]
    total: PlatformFigures
    queue: int  # reviews waiting for a moderator now
    shops_by_status: dict[ShopStatus, int] = field(default_factory=dict)


def _platform_figures(spans: list[Bucket]) -> list[PlatformFigures]:
    result = [PlatformFigures() for _ in spans]

    def grouped(column, *values, where=()):
        rows = select(_bucket_of(column, spans).label("bucket"), *values).where(
            _in(column, spans), *where
        )
        sub = rows.subquery()
        sums = [func.coalesce(func.sum(c), 0) for c in list(sub.c)[1:]]
        return db.session.execute(
            select(sub.c.bucket, func.count(), *sums).group_by(sub.c.bucket)
        ).all()

    for bucket, count, total, refunded in grouped(
        Order.paid_at,
        Order.total_fen.label("total"),
        Order.refunded_fen.label("refunded"),
        where=(Order.paid_at.is_not(None),),
    ):
        result[bucket].orders = int(count)
        result[bucket].paid_fen = int(total)
        result[bucket].refunded_fen = int(refunded)
    redeemed = (
        select(_bucket_of(Redemption.redeemed_at, spans).label("bucket"), Voucher.price_fen)
        .join(Voucher, Voucher.id == Redemption.voucher_id)
        .where(Redemption.undone_at.is_(None), _in(Redemption.redeemed_at, spans))
        .subquery()
    )
    for bucket, count, total in db.session.execute(
        select(redeemed.c.bucket, func.count(), func.sum(redeemed.c.price_fen)).group_by(
            redeemed.c.bucket
        )
    ):
        result[bucket].redemptions = int(count)
        result[bucket].redeemed_fen = int(total or 0)
    for bucket, count, total in grouped(
        Refund.created_at,
        Refund.amount_fen.label("amount"),
        where=(Refund.status == RefundStatus.SUCCEEDED,),
    ):
        result[bucket].refunds = int(count)
        result[bucket].refunds_fen = int(total)
    for bucket, count in grouped(Review.created_at, where=(Review.hold_reasons != "",)):
        result[bucket].held_reviews = int(count)
    return result


def platform_dashboard(grain: Grain, today: date, zone: ZoneInfo) -> PlatformDashboard:
    spans = buckets(grain, today, zone)
    whole = [Bucket(spans[0].start_day, spans[0].start, spans[-1].end)]
    queue = db.session.scalar(
        select(func.count(Review.id)).where(Review.status == ReviewStatus.HELD)
    )
    shops = dict(db.session.execute(select(Shop.status, func.count()).group_by(Shop.status)).all())
    return PlatformDashboard(
        grain=grain,
        spans=spans,
        series=_platform_figures(spans),
        total=_platform_figures(whole)[0],
        queue=int(queue or 0),
        shops_by_status={status: int(shops.get(status, 0)) for status in ShopStatus},
    )
