"""The dashboard pages: who may see them, what they show, the window form, win-back messages."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.models import AuditEntry, Notification, NotificationKind, Role, Shop, User
from marketplace.services import dashboard
from marketplace.services.dashboard import DashboardError

from .helpers import SHANGHAI, redeem, signed_in, user_id

MANAGER = "manager-a@example.com"


def days_ago(days: int, hour: int = 10) -> datetime:
    today = datetime.now(SHANGHAI).date() - timedelta(days=days)
    return datetime(today.year, today.month, today.day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def visits(app, people):
    """Shop a: o1 served 400 days ago and today (a returning customer); o2 yesterday;
    o4 200 days ago (lost after 6 months); o5 yesterday, undone."""
    listings = people["listings"]
    with app.app_context():
        redeem("o1@example.com", listings["oil_a"], days_ago(400))
        redeem("o1@example.com", listings["wash_a"], days_ago(0, hour=0))
        redeem("o2@example.com", listings["big_a"], days_ago(1))
        redeem("o4@example.com", listings["oil_a"], days_ago(200), vehicle="大众 朗逸 2018款")
        redeem("o5@example.com", listings["wash_a"], days_ago(1), undone=True)
        db.session.commit()
    return people


def figure(page: str, name: str) -> int:
    return int(re.search(rf'data-figure="{name}" data-value="(-?\d+)"', page).group(1))


def table_column(page: str, column: str) -> list[int]:
    body = page.split('data-table="series"')[1].split("<tbody>")[1].split("</tbody>")[0]
    return [int(v) for v in re.findall(rf'data-col="{column}" data-value="(-?\d+)"', body)]


def chart_values(page: str, chart_id: str, series: str) -> list[int]:
    """The values one series of a chart is drawn from (its bars or its line's points)."""
    svg = re.search(rf'<svg class="chart" id="{chart_id}".*?</svg>', page, re.S).group(0)
    return [
        int(v)
        for v in re.findall(
            rf'<(?:rect|circle) class="chart-(?:bar|point)[^"]*"[^>]*'
            rf'data-series="{series}" data-value="(-?\d+)"',
            svg,
        )
    ]


def test_shop_dashboard_figures_charts_and_table_agree(app, visits):
    page = signed_in(app, MANAGER).get(f"/merchant/shops/{visits['a']}/dashboard")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # last 30 days: o1 today (39.00), o2 yesterday (499.00); the undone one does not count
    assert figure(html, "redemptions") == 2
    assert figure(html, "revenue") == 53800
    assert figure(html, "net") == (3900 - 312) + (49900 - 3992)
    assert figure(html, "average-ticket") == 26900
    assert figure(html, "customers") == 2
    assert figure(html, "returning") == 1  # o1, first served 400 days ago
    assert figure(html, "customer-base") == 3
    assert figure(html, "lost") == 1  # o4
    # the charts are inline SVG images with a title, scaling by their viewBox
    for chart in ("chart-visits", "chart-revenue", "chart-rating"):
        svg = re.search(rf'<svg class="chart" id="{chart}"[^>]*>', html).group(0)
        assert 'role="img"' in svg and 'viewBox="0 0 360 ' in svg
        assert f'<title id="{chart}-title">' in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    # the table holds the very numbers the bars and lines are drawn from, day by day
    assert chart_values(html, "chart-visits", "redemptions") == table_column(html, "redemptions")
    assert chart_values(html, "chart-revenue", "revenue") == table_column(html, "revenue")
    assert chart_values(html, "chart-visits", "customers") == table_column(html, "customers")
    assert table_column(html, "redemptions")[-2:] == [1, 1]  # yesterday, today
    assert len(table_column(html, "redemptions")) == 30
    assert sum(table_column(html, "revenue")) == 53800


@pytest.mark.parametrize("grain, buckets", [("week", 12), ("month", 12), ("nonsense", 30)])
def test_other_periods(app, visits, grain, buckets):
    page = signed_in(app, MANAGER).get(f"/merchant/shops/{visits['a']}/dashboard?by={grain}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert len(table_column(html, "redemptions")) == buckets
    if grain == "month":  # 12 months reach back to o4's visit 200 days ago, not 400
        assert figure(html, "redemptions") == 3
        assert figure(html, "returning") == 1  # o1: first served 400 days ago


def test_who_may_see_the_dashboards(app, visits, make_user):
    shop = visits["a"]
    urls = [
        f"/merchant/shops/{shop}/dashboard",
        f"/merchant/shops/{shop}/lost-customers",
    ]
    with app.app_context():
        o4 = user_id("o4@example.com")
    message_url = f"/merchant/shops/{shop}/lost-customers/{o4}/message"
    for email in ("o1@example.com", "tech-a@example.com", "manager-b@example.com"):
        client = signed_in(app, email)
        for url in [*urls, message_url, "/admin/dashboard"]:
            assert client.get(url).status_code == 404, (email, url)
    anonymous = app.test_client()
    assert anonymous.get(urls[0]).status_code == 302
    admin = signed_in(app, "admin@example.com")
    for url in urls:
        assert admin.get(url).status_code == 200
    assert admin.get(message_url).status_code == 404  # admins look; shops write
    assert admin.get("/admin/dashboard").status_code == 200
    manager = signed_in(app, MANAGER)
    assert manager.get("/merchant/shops/99999/dashboard").status_code == 404
    assert manager.get(f"/merchant/shops/{visits['b']}/dashboard").status_code == 404
    shop_page = manager.get(f"/merchant/shops/{shop}").get_data(as_text=True)
    assert shop_page.split('<main id="main"')[1].count(urls[0]) == 1  # the header links too


@pytest.mark.parametrize("value", ["0", "24", "", "abc", "2", "13", "-6"])
def test_a_window_outside_3_to_12_changes_nothing(app, visits, value):
    manager = signed_in(app, MANAGER)
    response = manager.post(f"/merchant/shops/{visits['a']}/dashboard", data={"months": value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "流失客户期限须在 3 到 12 个月之间。" in html  # the UI is Chinese by default
    assert 'aria-invalid="true"' in html
    with app.app_context():
        assert db.session.get(Shop, visits["a"]).lost_after_months == 6
        assert not db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "shop.lost_window")
        )


def test_the_manager_sets_the_window(app, visits):
    manager = signed_in(app, MANAGER)
    url = f"/merchant/shops/{visits['a']}/dashboard"
    response = manager.post(url, data={"months": "12"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Shop, visits["a"]).lost_after_months == 12
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "shop.lost_window"))
        assert entry.data == {"before": 6, "after": 12}
    html = manager.get(url).get_data(as_text=True)
    assert figure(html, "lost") == 0  # o4's 200 days are inside 12 months
    for email in ("tech-a@example.com", "admin@example.com"):
        assert signed_in(app, email).post(url, data={"months": "3"}).status_code == 404
    with app.app_context():
        assert db.session.get(Shop, visits["a"]).lost_after_months == 12


def test_the_database_refuses_a_window_out_of_range(app, visits):
    with app.app_context():
        shop = db.session.get(Shop, visits["a"])
        with pytest.raises(DashboardError):
            dashboard.set_lost_window(shop.chain.admin, shop, 24)
        shop.lost_after_months = 24
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_lost_customers_list_masks_the_owner(app, visits):
    html = (
        signed_in(app, MANAGER)
        .get(f"/merchant/shops/{visits['a']}/lost-customers")
        .get_data(as_text=True)
    )
    assert 'data-lost="1"' in html and 'data-base="3"' in html
    assert "赵*" in html and "赵四" not in html and "o4@example.com" not in html
    assert "小保养套餐 机油+机滤 全合成" in html and "大众 朗逸 2018款" in html
    assert "王*" not in html  # o1 came back today


def notifications(app, email):
    with app.app_context():
        found = db.session.scalars(
            select(Notification).where(Notification.user_id == user_id(email))
        ).all()
        db.session.expunge_all()
        return found


def test_win_back_message_reaches_the_owner_once_in_30_days(app, visits):
    manager = signed_in(app, MANAGER)
    with app.app_context():
        o4, o1 = user_id("o4@example.com"), user_id("o1@example.com")
        slug = db.session.get(Shop, visits["a"]).slug
    url = f"/merchant/shops/{visits['a']}/lost-customers/{o4}/message"
    form = manager.get(url).get_data(as_text=True)
    assert "赵*" in form and "o4@example.com" not in form and "赵四" not in form
    text = "好久不见！本月小保养享九折，欢迎回店。"
    response = manager.post(url, data={"message": text})
    assert response.status_code == 302
    (sent,) = notifications(app, "o4@example.com")
    assert sent.kind == NotificationKind.SHOP_MESSAGE
    assert sent.data == {"shop": "驰安养车（望京店）", "shop_id": visits["a"], "message": text}
    assert sent.link == f"/shops/{slug}"
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "shop.winback_message")
        )
        assert entry.data["owner_id"] == o4 and entry.data["notification_id"] == sent.id
        assert entry.actor_id == user_id(MANAGER)
    lost_page = manager.get(f"/merchant/shops/{visits['a']}/lost-customers").get_data(as_text=True)
    assert "data-messaged" in lost_page

    again = manager.post(url, data={"message": "再提醒一次"})
    assert again.status_code == 422
    assert "本店在近 30 天内已给该客户发过消息" in again.get_data(as_text=True)
    assert len(notifications(app, "o4@example.com")) == 1
    # only lost customers can be written to; o1 came back today
    assert (
        manager.post(
            f"/merchant/shops/{visits['a']}/lost-customers/{o1}/message", data={"message": "hi"}
        ).status_code
        == 404
    )
    assert notifications(app, "o1@example.com") == []
    assert manager.post(url.replace(str(o4), "99999"), data={"message": "hi"}).status_code == 404
    # an empty or too long message is refused on the form
    assert manager.post(url, data={"message": "  "}).status_code == 422
    assert manager.post(url, data={"message": "长" * 301}).status_code == 422
    assert len(notifications(app, "o4@example.com")) == 1


def test_win_back_rules_in_the_service(app, visits, monkeypatch):
    with app.app_context():
        shop = db.session.get(Shop, visits["a"])
        manager = db.session.scalar(select(User).where(User.email == MANAGER))
        o4 = user_id("o4@example.com")
        today = datetime.now(SHANGHAI).date()
        now = datetime.now(SHANGHAI)

        def send(at):
            return dashboard.send_winback(
                manager, shop, o4, "回来看看吧", link="/", now=at, today=today, zone=SHANGHAI
            )

        send(now)
        with pytest.raises(DashboardError) as refused:
            send(now + timedelta(days=29))
        assert refused.value.code == "too_soon"
        send(now + timedelta(days=31))  # a new 30 days
        assert len(db.session.scalars(select(Notification)).all()) == 2
        # at most WINBACK_DAILY_CAP messages a day per shop, whoever they go to
        redeem("o6@example.com", visits["listings"]["filter_a"], days_ago(300))
        monkeypatch.setattr(dashboard, "WINBACK_DAILY_CAP", 1)
        with pytest.raises(DashboardError) as capped:
            dashboard.send_winback(
                manager,
                shop,
                user_id("o6@example.com"),
                "回来看看吧",
                link="/",
                now=now + timedelta(days=31, hours=1),
                today=today,
                zone=SHANGHAI,
            )
        assert capped.value.code == "daily_cap"
        db.session.rollback()


def test_dashboard_query_count_does_not_grow(app, visits, count_queries):
    manager = signed_in(app, MANAGER)
    url = f"/merchant/shops/{visits['a']}/dashboard"
    manager.get(url)
    with count_queries() as before:
        assert manager.get(url).status_code == 200
    with app.app_context():
        for day in range(20):
            redeem("o2@example.com", visits["listings"]["wash_a"], days_ago(day, hour=12))
            redeem("o6@example.com", visits["listings"]["filter_a"], days_ago(300 + day))
        db.session.commit()
    with count_queries() as after:
        html = manager.get(url).get_data(as_text=True)
    assert figure(html, "redemptions") == 22
    assert len(after) == len(before)
    admin = signed_in(app, "admin@example.com")
    with count_queries() as platform:
        assert admin.get("/admin/dashboard").status_code == 200
    assert len(platform) < 20


def test_admin_dashboard_table_matches_its_charts(app, visits):
    admin = signed_in(app, "admin@example.com")
    html = admin.get("/admin/dashboard").get_data(as_text=True)
    # paid in the last 30 days: the orders behind today's, yesterday's two (one undone) visits
    assert figure(html, "orders") == 3
    assert figure(html, "gmv") == 3900 + 49900 + 3900
    assert figure(html, "redemptions") == 2
    for chart, column in (("chart-money", "gmv"), ("chart-activity", "orders")):
        assert chart_values(html, chart, column) == table_column(html, column)
    assert chart_values(html, "chart-activity", "redemptions") == table_column(html, "redemptions")
    assert 'data-status="approved"' in html
    assert "平台数据看板" in signed_in(app, "admin@example.com").get("/admin/").get_data(
        as_text=True
    )


def test_any_admin_may_look(app, visits, make_user):
    make_user("other-admin@example.com", role=Role.ADMIN)
    assert (
        signed_in(app, "other-admin@example.com")
        .get(f"/merchant/shops/{visits['a']}/dashboard")
        .status_code
        == 200
    )
