"""The dashboard's figures against a hand-computed history (today = Sunday 2026-03-15,
Asia/Shanghai). Every expected number below is worked out in the comments."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import RefundStatus, ReviewStatus, Shop, ShopStatus
from marketplace.services import dashboard
from marketplace.services.dashboard import Grain

from .helpers import SHANGHAI, local, redeem, refund, review

TODAY = date(2026, 3, 15)


@pytest.fixture
def history(app, people):
    """Shop a's history (prices: oil_a 299.00, filter_a 69.00, big_a 499.00, wash_a 39.00;
    commission 8%):

    #1 o1 oil_a    2025-12-10 10:00
    #2 o1 wash_a   2026-03-14 10:00
    #3 o2 big_a    2026-03-15 00:00 local = 2026-03-14 16:00 UTC (belongs to the 15th)
    #4 o2 wash_a   2026-03-15 09:00
    #5 o3 filter_a 2026-02-20 12:00
    #6 o3 oil_a    2026-03-01 10:00, undone   (never counts)
    #7 o4 oil_a    2025-08-01 10:00           (lost after 6 months)
    #8 o5 wash_a   2026-03-10 10:00, undone   (o5 is nobody's customer)
    #9 o6 filter_a 2025-11-01 10:00           (lost after 3 months, not after 6)
    and at shop b: o1 oil_b 2026-03-14 11:00 (not shop a's; the platform's).
    """
    listings = people["listings"]
    with app.app_context():
        redeem("o1@example.com", listings["oil_a"], local(2025, 12, 10, 10))
        redeem("o1@example.com", listings["wash_a"], local(2026, 3, 14, 10))
        redeem("o2@example.com", listings["big_a"], local(2026, 3, 15, 0, 0))
        redeem("o2@example.com", listings["wash_a"], local(2026, 3, 15, 9))
        redeem("o3@example.com", listings["filter_a"], local(2026, 2, 20, 12))
        redeem("o3@example.com", listings["oil_a"], local(2026, 3, 1, 10), undone=True)
        redeem("o4@example.com", listings["oil_a"], local(2025, 8, 1, 10), vehicle="大众 朗逸")
        redeem("o5@example.com", listings["wash_a"], local(2026, 3, 10, 10), undone=True)
        redeem("o6@example.com", listings["filter_a"], local(2025, 11, 1, 10))
        redeem(
            "o1@example.com",
            listings["oil_b"],
            local(2026, 3, 14, 11),
            staff_email="manager-b@example.com",
        )
        # reviews of shop a: Mar 5★ + 4★, Jan 3★ published; a held 1★ and a hidden 2★ do
        # not count; a 2★ of 2025-03-20 is older than the 12 months shown
        review("o1@example.com", listings["oil_a"], local(2026, 3, 2, 9), 5)
        review("o2@example.com", listings["wash_a"], local(2026, 3, 10, 9), 4)
        review("o3@example.com", listings["filter_a"], local(2026, 1, 5, 9), 3)
        review(
            "o4@example.com",
            listings["oil_a"],
            local(2026, 3, 5, 9),
            1,
            ReviewStatus.HELD,
            held=True,
        )
        review("o6@example.com", listings["oil_a"], local(2026, 2, 1, 9), 2, ReviewStatus.HIDDEN)
        review("o6@example.com", listings["wash_a"], local(2025, 3, 20, 9), 2)
        db.session.commit()
    return people


def shop_a(people) -> Shop:
    return db.session.get(Shop, people["a"])


def test_days_bucket_in_local_time(app, history):
    with app.app_context():
        data = dashboard.shop_dashboard(shop_a(history), Grain.DAY, TODAY, SHANGHAI)
        assert len(data.spans) == 30
        assert data.spans[0].start_day == date(2026, 2, 14)
        assert data.spans[-1].start_day == TODAY
        by_day = {span.start_day: f for span, f in zip(data.spans, data.series, strict=True)}
        # the 15th: #3 (midnight local, still the 14th in UTC) and #4: 499 + 39; one customer (o2),
        # whose first visit was that same day: not returning
        assert (by_day[TODAY].redemptions, by_day[TODAY].revenue_fen) == (2, 53800)
        assert (by_day[TODAY].customers, by_day[TODAY].returning) == (1, 0)
        # the 14th: #2 only (o1, first seen 2025-12-10: returning)
        assert (by_day[date(2026, 3, 14)].redemptions, by_day[date(2026, 3, 14)].revenue_fen) == (
            1,
            3900,
        )
        assert by_day[date(2026, 3, 14)].returning == 1
        assert by_day[date(2026, 2, 20)].revenue_fen == 6900
        # undone ones (#6 on 03-01, #8 on 03-10) count nowhere
        assert by_day[date(2026, 3, 1)].redemptions == 0
        assert by_day[date(2026, 3, 10)].redemptions == 0
        assert sum(f.redemptions for f in data.series) == 4

        total = data.total
        assert total.redemptions == 4  # #2 #3 #4 #5
        assert total.revenue_fen == 3900 + 49900 + 3900 + 6900 == 64600
        # commission rounded half up: 39.00 → 3.12, 499.00 → 39.92, 69.00 → 5.52
        assert total.net_fen == (3900 - 312) * 2 + (49900 - 3992) + (6900 - 552) == 59432
        assert total.average_ticket_fen == 16150  # 64600 / 4
        assert total.customers == 3  # o1 o2 o3
        assert total.returning == 1  # o1 (first visit 2025-12-10, before 2026-02-14)
        assert total.return_rate == pytest.approx(1 / 3)


def test_weeks_start_on_monday(app, history):
    with app.app_context():
        data = dashboard.shop_dashboard(shop_a(history), Grain.WEEK, TODAY, SHANGHAI)
        assert len(data.spans) == 12
        assert data.spans[-1].start_day == date(2026, 3, 9)  # the Monday of the 15th's week
        assert data.spans[0].start_day == date(2025, 12, 22)
        this_week = data.series[-1]
        assert (this_week.redemptions, this_week.revenue_fen) == (3, 57700)  # #2 #3 #4
        assert (this_week.customers, this_week.returning) == (2, 1)  # o1 o2; o1 returns
        week_of_20th = data.series[
            data.spans.index(next(s for s in data.spans if s.start_day == date(2026, 2, 16)))
        ]
        assert week_of_20th.redemptions == 1
        assert (data.total.redemptions, data.total.revenue_fen) == (4, 64600)


def test_months(app, history):
    with app.app_context():
        data = dashboard.shop_dashboard(shop_a(history), Grain.MONTH, TODAY, SHANGHAI)
        assert [s.start_day for s in data.spans][:2] == [date(2025, 4, 1), date(2025, 5, 1)]
        months = {s.start_day: f for s, f in zip(data.spans, data.series, strict=True)}
        assert (months[date(2026, 3, 1)].redemptions, months[date(2026, 3, 1)].revenue_fen) == (
            3,
            57700,
        )
        assert months[date(2026, 3, 1)].returning == 1  # o1, first seen in December
        assert months[date(2025, 12, 1)].revenue_fen == 29900
        assert months[date(2025, 11, 1)].revenue_fen == 6900
        assert months[date(2025, 8, 1)].revenue_fen == 29900
        # all seven in force: 299 + 39 + 499 + 39 + 69 + 299 + 69
        assert data.total.redemptions == 7
        assert data.total.revenue_fen == 131300
        assert data.total.customers == 5  # o1 o2 o3 o4 o6
        assert data.total.returning == 0  # nobody was served before 2025-04-01
        assert data.total.return_rate == 0


def test_rating_trend_and_top_listings(app, history):
    with app.app_context():
        data = dashboard.shop_dashboard(shop_a(history), Grain.DAY, TODAY, SHANGHAI)
        trend = {p.bucket.start_day: p for p in data.ratings}
        assert len(trend) == 12
        assert (trend[date(2026, 3, 1)].reviews, trend[date(2026, 3, 1)].average) == (2, 4.5)
        assert (trend[date(2026, 1, 1)].reviews, trend[date(2026, 1, 1)].average) == (1, 3.0)
        assert trend[date(2026, 2, 1)].average is None  # only a hidden one
        assert data.rating_reviews == 3
        assert data.rating_average == 4.0
        top = [(t.listing_id, t.redemptions, t.revenue_fen) for t in data.top]
        listings = history["listings"]
        assert top == [
            (listings["big_a"], 1, 49900),
            (listings["wash_a"], 2, 7800),
            (listings["filter_a"], 1, 6900),
        ]


def test_lost_customers_follow_the_window(app, history):
    with app.app_context():
        shop = shop_a(history)
        now = local(2026, 3, 15, 12)
        cutoff = dashboard.lost_cutoff(shop, TODAY, SHANGHAI)
        assert cutoff == local(2025, 9, 15)  # six months back
        assert dashboard.customer_base(shop, cutoff) == dashboard.CustomerBase(5, 1)
        (lost,) = dashboard.lost_customers(shop, cutoff, now=now)
        assert (lost.masked_name, lost.last_service, lost.vehicle, lost.visits) == (
            "赵*",
            "小保养套餐 机油+机滤 全合成",
            "大众 朗逸",
            1,
        )
        assert lost.last_at == local(2025, 8, 1, 10)

        shop.lost_after_months = 3
        cutoff = dashboard.lost_cutoff(shop, TODAY, SHANGHAI)
        assert cutoff == local(2025, 12, 15)
        lost = dashboard.lost_customers(shop, cutoff, now=now)
        assert [c.masked_name for c in lost] == ["孙*", "赵*"]  # most recently seen first
        assert dashboard.customer_base(shop, cutoff).lost == 2
        db.session.rollback()


def test_month_arithmetic_clamps():
    assert dashboard.add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert dashboard.add_months(date(2024, 8, 31), -6) == date(2024, 2, 29)
    assert dashboard.add_months(date(2026, 1, 15), -12) == date(2025, 1, 15)
    assert dashboard.add_months(date(2025, 12, 1), 1) == date(2026, 1, 1)


def test_platform_figures(app, history):
    """GMV is the paid orders' totals less their refunds; refunds are counted when made."""
    from .helpers import order

    listings = history["listings"]
    with app.app_context():
        refunded, _ = order(
            "o2@example.com", listings["oil_a"], paid_at=local(2026, 3, 1, 9), refunded_fen=29900
        )
        refund(refunded.id, 29900, local(2026, 3, 2, 9))
        partly, _ = order(
            "o3@example.com",
            listings["filter_a"],
            paid_at=local(2026, 3, 5, 9),
            quantity=2,
            refunded_fen=6900,
        )
        refund(partly.id, 6900, local(2026, 3, 6, 9))
        failed, _ = order("o3@example.com", listings["wash_a"], paid_at=local(2026, 3, 7, 9))
        refund(failed.id, 3900, local(2026, 3, 8, 9), status=RefundStatus.FAILED)
        order("o3@example.com", listings["wash_a"], paid_at=None)  # never paid
        db.session.commit()

        data = dashboard.platform_dashboard(Grain.DAY, TODAY, SHANGHAI)
        total = data.total
        # paid between 02-14 and 03-15: the orders behind #2 #3 #4 #5 #6 #8 and shop b's
        # (each paid a day before its redemption), plus the three above
        assert total.orders == 10
        assert total.paid_fen == (
            3900 + 49900 + 3900 + 6900 + 29900 + 3900 + 25900 + 29900 + 13800 + 3900
        )
        assert total.refunded_fen == 29900 + 6900
        assert total.gmv_fen == 171900 - 36800 == 135100
        assert (total.redemptions, total.redeemed_fen) == (5, 64600 + 25900)
        assert (total.refunds, total.refunds_fen) == (2, 36800)  # the failed one is not
        assert total.held_reviews == 1
        assert data.queue == 1
        assert data.shops_by_status[ShopStatus.APPROVED] == 2
        assert data.shops_by_status[ShopStatus.APPLIED] == 1
        assert data.shops_by_status[ShopStatus.SUSPENDED] == 0
        by_day = {s.start_day: f for s, f in zip(data.spans, data.series, strict=True)}
        assert by_day[date(2026, 3, 1)].gmv_fen == 0  # paid 299, all refunded
        assert by_day[date(2026, 3, 1)].orders == 1
        assert by_day[date(2026, 3, 2)].refunds_fen == 29900
        # the order behind #3 was paid 2026-03-14 00:00 local (03-13 16:00 UTC)
        assert by_day[date(2026, 3, 14)].paid_fen == 49900 + 3900
        assert by_day[date(2026, 3, 13)].paid_fen == 3900 + 25900
        assert sum(f.gmv_fen for f in data.series) == total.gmv_fen


def test_week_span_crosses_a_year(app):
    spans = dashboard.buckets(Grain.MONTH, date(2026, 1, 20), SHANGHAI)
    assert spans[0].start_day == date(2025, 2, 1)
    assert spans[-1].end == local(2026, 2, 1)
    assert all(a.end == b.start for a, b in zip(spans, spans[1:], strict=False))
    days = dashboard.buckets(Grain.DAY, date(2026, 1, 20), SHANGHAI)
    assert days[-1].end - days[0].start == timedelta(days=30)


def test_demo_history_fills_a_dashboard_once(app, people):
    from marketplace.models import Redemption, User
    from marketplace.models.types import utcnow
    from marketplace.services.dashboard_demo import seed_shop_history

    with app.app_context():
        shop = db.session.get(Shop, people["a"])
        owners = list(db.session.scalars(select(User).where(User.email.like("o%@example.com"))))
        now = utcnow()
        assert seed_shop_history(shop, owners, shop.chain.admin, now, visits=40) == 40
        assert seed_shop_history(shop, owners, shop.chain.admin, now) == 0  # once only
        db.session.commit()
        today = now.astimezone(SHANGHAI).date()
        data = dashboard.shop_dashboard(shop, Grain.MONTH, today, SHANGHAI)
        redeemed = db.session.scalar(select(func.count(Redemption.id)))
        assert redeemed == 40
        assert 0 < data.total.redemptions <= 40  # a few may fall just before the 12 months
        assert data.base.customers == len(owners)
