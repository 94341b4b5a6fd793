"""Seed data: the demo marketplace and the benchmark data set."""

from datetime import time, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.models import (
    Booking,
    BookingSettings,
    BookingStatus,
    Category,
    Chain,
    ClosedDay,
    Listing,
    ListingFitment,
    ListingItem,
    ListingStatus,
    Role,
    Shop,
    ShopStaff,
    ShopStatus,
    StaffRole,
    User,
    VoucherStatus,
)
from marketplace.models.types import utcnow
from marketplace.seed import (
    bench_search_text,
    demo_week,
    seed_bench,
    seed_demo_history,
    seed_demo_marketplace,
    week_text,
)
from marketplace.services import accounts, bookings
from marketplace.services import listings as listing_service
from marketplace.services import shops as shop_service
from marketplace.services.listings import Browse, ListingDraft, browse

CITY_BOXES = {  # (lat min, lat max, lng min, lng max) around each city's administrative area
    "北京": (39.4, 41.1, 115.4, 117.5),
    "上海": (30.7, 31.9, 120.8, 122.2),
    "广州": (22.5, 23.95, 112.9, 114.1),
}


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _seed_demo() -> tuple[User, User, dict[str, int]]:
    manager = accounts.register(
        "shop@demo.example.com", "shop-demo-pass", "李店长", role=Role.SHOP_STAFF
    )
    admin = accounts.register(
        "admin@demo.example.com", "admin-demo-pass", "管理员", role=Role.ADMIN
    )
    counts = seed_demo_marketplace(manager, admin)
    db.session.commit()
    return manager, admin, counts


def _all_listings() -> list[Listing]:
    query = select(Listing).options(joinedload(Listing.shop).joinedload(Shop.chain))
    return list(db.session.scalars(query).unique())


def test_demo_creates_chains_shops_and_listings(app):
    with app.app_context():
        _, _, counts = _seed_demo()
        assert counts["chains"] == 4 == _count(Chain)
        assert counts["shops"] == _count(Shop) >= 25
        assert counts["listings"] == _count(Listing) >= 250

        shops = list(db.session.scalars(select(Shop)))
        assert {shop.city for shop in shops} == set(CITY_BOXES)
        for shop in shops:
            lat_min, lat_max, lng_min, lng_max = CITY_BOXES[shop.city]
            assert lat_min < shop.latitude < lat_max and lng_min < shop.longitude < lng_max
            assert shop_service.valid_licence(shop.licence_number), shop.licence_number
            assert shop_service.PHONE_RE.match(shop.phone), shop.phone
            assert shop.address.startswith(f"{shop.city}市{shop.district}")
        statuses = [shop.status for shop in shops]
        assert statuses.count(ShopStatus.APPLIED) == 2
        assert statuses.count(ShopStatus.SUSPENDED) == 1
        suspended = next(s for s in shops if s.status is ShopStatus.SUSPENDED)
        assert suspended.status_reason

        listings = _all_listings()
        assert {listing.category for listing in listings} == set(Category)
        assert all(0 < listing.price_fen <= listing.list_price_fen for listing in listings)
        assert all(30 <= listing.validity_days <= 365 for listing in listings)
        for listing in listings:
            assert listing.is_public == listing_service.is_public(
                listing.status, listing.shop.status
            )
            if listing.is_public:
                assert listing.shop.status is ShopStatus.APPROVED
        assert {listing.status for listing in listings} == set(ListingStatus)
        assert any(listing.stock is not None for listing in listings)
        assert any(listing.chain_redeemable for listing in listings)
        assert any(not listing.refund_any_time for listing in listings)
        assert len({listing.sales_count for listing in listings}) > 20
        assert any(listing.fuel_codes == ["bev"] for listing in listings)


def test_demo_maintenance_packages_cover_items(app):
    with app.app_context():
        _seed_demo()
        listings = _all_listings()
        small = [x for x in listings if x.title.startswith("小保养")]
        big = [x for x in listings if x.title.startswith("大保养")]
        assert small and big
        assert all({"engine_oil", "oil_filter"} <= set(x.item_codes) for x in small)
        assert all({"air_filter", "cabin_filter"} <= set(x.item_codes) for x in big)
        assert all("bev" not in x.fuel_codes for x in small + big)
        ev_checks = [x for x in listings if "电池检测" in x.title and x.fuel_codes == ["bev"]]
        assert all("battery_check" in x.item_codes for x in ev_checks)
        assert _count(ListingFitment) == 0  # no catalog loaded: nothing is brand-scoped


def test_demo_scopes_listings_to_brands_in_the_catalog(app, small_catalog):
    with app.app_context():
        _seed_demo()
        brand_ids = set(db.session.scalars(select(ListingFitment.brand_id)))
        assert brand_ids and brand_ids <= {3, 133}  # 丰田 and 特斯拉 of the small catalog
        scoped = db.session.scalars(
            select(Listing).where(Listing.id.in_(select(ListingFitment.listing_id)))
        ).all()
        assert all(not listing.fits_all_models for listing in scoped)


def test_demo_is_idempotent(app):
    with app.app_context():
        manager, admin, _ = _seed_demo()
        before = (_count(Chain), _count(Shop), _count(Listing), _count(User))
        assert seed_demo_marketplace(manager, admin) == {"chains": 0, "shops": 0, "listings": 0}
        db.session.commit()
        assert (_count(Chain), _count(Shop), _count(Listing), _count(User)) == before


def test_demo_manager_runs_an_approved_shop(app):
    with app.app_context():
        manager, _, _ = _seed_demo()
        member = shop_service.staff_membership(manager)
        assert member is not None and member.role is StaffRole.MANAGER
        assert member.shop.status is ShopStatus.APPROVED
        assert member.shop.chain.admin_id == manager.id
        assert shop_service.can_manage(manager, member.shop)
        assert manager.role is Role.SHOP_STAFF
        assert _count(Listing, Listing.shop_id == member.shop_id, Listing.is_public) > 0
        other = accounts.find_user_by_email("manager2@demo.example.com")
        assert other is not None and other.check_password("shop-demo-pass")
        assert _count(ShopStaff) == 4  # each chain's admin manages its first outlet


def test_demo_shops_have_varied_weeks_bays_and_closed_days(app):
    with app.app_context():
        _seed_demo()
        weeks = [bookings.week_of(shop) for shop in db.session.scalars(select(Shop))]
        assert all(weeks), "every demo outlet has its week"
        assert any(6 not in week for week in weeks), "some close on Sundays"
        assert any(0 not in week for week in weeks), "some close on Mondays"
        assert any(5 in week and week[5] != week[0] for week in weeks), "shorter Saturdays"
        assert any(len(week) == 7 and len(set(week.values())) == 1 for week in weeks)
        assert set(db.session.scalars(select(BookingSettings.bays))) == {2, 3, 4}
        closed = list(db.session.scalars(select(ClosedDay)))
        new_year = [c for c in closed if c.note == "元旦休息"]
        assert len(new_year) > 5 and {(c.day.month, c.day.day) for c in new_year} == {(1, 1)}
        assert len(closed) == len(new_year) + 1  # and the first outlet's inspection day


def test_week_text_says_the_week_as_a_shop_would():
    daily = (time(8, 30), time(20))
    assert week_text(demo_week("daily", daily)) == "08:30-20:00"
    assert (
        week_text(demo_week("short_weekend", daily))
        == "周一至周五 08:30-20:00，周六、周日 09:00-18:00"
    )
    assert week_text(demo_week("sunday_off", daily)) == "周一至周六 08:30-20:00，周日休息"
    assert (
        week_text(demo_week("short_saturday", daily))
        == "周一至周五 08:30-20:00，周六 09:00-17:00，周日休息"
    )


def test_demo_bookings_fill_todays_and_tomorrows_bays_once(app):
    with app.app_context():
        owner = accounts.register("owner@demo.example.com", "owner-demo-pass", "王车主")
        manager, _, _ = _seed_demo()
        now = utcnow()
        seed_demo_history(manager, now)
        db.session.commit()
        shop = shop_service.staff_membership(manager).shop
        rows = list(db.session.scalars(select(Booking).order_by(Booking.starts_at)))
        assert len(rows) >= 12 and {b.shop_id for b in rows} == {shop.id}
        today = bookings.local_day(now)
        days = {bookings.local_day(b.starts_at) for b in rows}
        assert days == {today, today + timedelta(days=1)}
        assert any(b.owner_id == owner.id for b in rows), "the demo owner has bookings"
        assert len({b.bay for b in rows}) >= 3, "several bays"
        for b in rows:
            assert b.line.vehicle_label and b.voucher is not None
            if b.status is BookingStatus.SERVED:
                assert b.voucher.status is VoucherStatus.REDEEMED and b.ends_at <= now
            else:
                assert b.voucher.status is VoucherStatus.ISSUED
            if b.status is BookingStatus.BOOKED:
                assert b.starts_at > now
            elif b.status is BookingStatus.ARRIVED:
                assert b.starts_at <= now < b.ends_at
            else:
                assert b.status in (BookingStatus.SERVED, BookingStatus.NO_SHOW)
        for a in rows:  # a bay holds one car at a time
            assert not any(
                a.id != b.id
                and a.bay == b.bay
                and b.status is not BookingStatus.NO_SHOW
                and a.status is not BookingStatus.NO_SHOW
                and a.starts_at < b.ends_at
                and b.starts_at < a.ends_at
                for b in rows
            )
        tomorrow = bookings.day_view(shop, today + timedelta(days=1))
        assert tomorrow.count >= 5 and sum(1 for _, rows in tomorrow.bays if rows) >= 2

        assert seed_demo_history(manager, now) == 0
        db.session.commit()
        assert _count(Booking) == len(rows)


def test_demo_listings_are_searchable(app):
    with app.app_context():
        _seed_demo()

        def listings(cards) -> list[Listing]:
            return [db.session.get(Listing, card.id) for card in cards]

        for query in ("小保养套餐", "xiaobaoyang", "四轮定位"):
            page, total = browse(Browse(q=query))
            assert total > 0 and all(query in x.search_text for x in listings(page)), query
        page, total = browse(Browse(city="上海", category="tires", sort="price"))
        assert total > 0 and all(x.city == "上海" and x.is_public for x in listings(page))


def test_bench_creates_exactly_what_it_was_asked_for(app):
    with app.app_context():
        report = seed_bench(shops=50, listings=1000, batch=300)
        db.session.commit()
        assert report["shops"] == _count(Shop) == 50
        assert report["listings"] == _count(Listing) == 1000
        assert report["chains"] == _count(Chain) == 2
        assert report["listing_items"] == _count(ListingItem) > 0
        assert _count(Shop, Shop.status != ShopStatus.APPROVED) == 0
        assert len(set(db.session.scalars(select(Shop.city)))) == 10

        listings = _all_listings()
        assert all(listing.search_text for listing in listings)
        assert all(x.price_fen <= x.list_price_fen for x in listings)
        for listing in listings:
            assert listing.is_public == listing_service.is_public(
                listing.status, listing.shop.status
            )
        assert sum(x.is_public for x in listings) > 900
        sample = listings[:: len(listings) // 20]
        for listing in sample:
            assert listing.search_text == listing_service.search_text(
                listing.title, listing.shop, listing.description
            )
            if listing.title.startswith("大保养"):
                assert {"engine_oil", "oil_filter", "air_filter"} <= set(listing.item_codes)

        page, total = browse(Browse(q="dabaoyang"))
        assert total == sum("大保养" in x.title for x in listings if x.is_public) > 0


def test_bench_adds_to_existing_data_and_search_keeps_working(app):
    with app.app_context():
        _seed_demo()
        before_shops, before_listings = _count(Shop), _count(Listing)
        seed_bench(shops=30, listings=200)
        seed_bench(shops=30, listings=200)
        db.session.commit()
        assert _count(Shop) == before_shops + 60
        assert _count(Listing) == before_listings + 400
        names = db.session.scalars(select(Chain.name).where(Chain.name.like("基准连锁%"))).all()
        assert sorted(names) == ["基准连锁 1", "基准连锁 2", "基准连锁 3", "基准连锁 4"]
        assert _count(User, User.email == "bench-admin@bench.test") == 1

        # a listing made the ordinary way afterwards is still indexed for search
        shop = db.session.scalar(select(Shop).where(Shop.slug == "bench-1-1"))
        admin = accounts.find_user_by_email("bench-admin@bench.test")
        listing = listing_service.create_listing(
            admin,
            shop,
            ListingDraft(
                title="轮毂翻新 独一无二测试", category="tires", price_fen=100, list_price_fen=100
            ),
        )
        listing_service.set_status(admin, listing, ListingStatus.ACTIVE)
        db.session.commit()
        page, total = browse(Browse(q="独一无二测试"))
        assert [x.id for x in page] == [listing.id] and total == 1


def test_bench_search_text_matches_the_service():
    shop = SimpleNamespace(
        name="科技园1号店", district="南山区", chain=SimpleNamespace(name="基准连锁 7")
    )
    expected = listing_service.search_text("四轮定位", shop, "含拆装")
    assert (
        bench_search_text("四轮定位", "基准连锁 7", "科技园1号店", "南山区", "含拆装") == expected
    )


def test_bench_refuses_nonsense_sizes(app):
    with app.app_context(), pytest.raises(ValueError):
        seed_bench(shops=0, listings=10)
