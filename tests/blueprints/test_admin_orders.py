"""The admin's orders page: the newest orders before any search, a page at a time."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Order, OrderStatus, Role, User
from marketplace.services.orders import RECENT_PAGE_SIZE

START = datetime(2025, 5, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def orders(app, make_user):
    """`make(count)` adds orders by two buyers, one an hour apart; returns their numbers,
    oldest first."""
    make_user("admin@example.com", role=Role.ADMIN)
    make_user("wang.xiaoming@example.com", name="王小明")
    make_user("li@example.com", name="李四")
    made = []

    def make(count: int) -> list[str]:
        with app.app_context():
            buyers = list(db.session.scalars(select(User.id).where(User.role == Role.OWNER)))
            for i in range(len(made), len(made) + count):
                number = f"{20250501000000 + i:014d}"
                db.session.add(
                    Order(
                        number=number,
                        user_id=buyers[i % 2],
                        status=OrderStatus.PAID if i % 3 else OrderStatus.PENDING_PAYMENT,
                        currency="CNY",
                        total_fen=3900 + i * 100,
                        created_at=START + timedelta(hours=i),
                        pay_by=START + timedelta(hours=i, minutes=30),
                    )
                )
                made.append(number)
            db.session.commit()
        return list(made)

    return make


def admin(app):
    client = app.test_client()
    client.login("admin@example.com")
    client.post("/language", data={"lang": "en"})
    return client


def listed(page: str) -> list[str]:
    return re.findall(r'<tr data-order-number="(\d+)">', page)


def test_the_newest_orders_show_before_any_search(app, orders):
    numbers = orders(3)
    page = admin(app).get("/admin/orders").get_data(as_text=True)
    assert listed(page) == numbers[::-1]  # newest first
    assert "Latest orders" in page
    row = re.search(rf'<tr data-order-number="{numbers[-1]}">.*?</tr>', page, re.S).group(0)
    buyer = re.search(r'<td data-col="buyer">(.*?)</td>', row).group(1)
    assert "王**" in buyer and "w***@example.com" in buyer  # masked, as for shop staff
    assert "wang.xiaoming" not in page and "王小明" not in page
    assert 'data-value="4100"' in row and "CN¥41.00" in row
    assert 'data-status="paid"' in row and "Paid" in row
    assert f'href="/admin/orders/{numbers[-1]}"' in row
    assert "data-more" not in page


def test_a_page_at_a_time_with_a_link_to_older_ones(app, orders):
    numbers = orders(RECENT_PAGE_SIZE + 5)
    client = admin(app)
    first = client.get("/admin/orders").get_data(as_text=True)
    assert listed(first) == numbers[::-1][:RECENT_PAGE_SIZE]
    assert 'href="/admin/orders?page=2" data-more' in first
    second = client.get("/admin/orders?page=2").get_data(as_text=True)
    assert listed(second) == numbers[::-1][RECENT_PAGE_SIZE:]
    assert "data-more" not in second and 'href="/admin/orders?page=1"' in second


def test_search_still_finds_by_number_or_email(app, orders):
    numbers = orders(4)
    client = admin(app)
    found = client.get(f"/admin/orders?q={numbers[1][:7]} {numbers[1][7:]}")
    assert listed(found.get_data(as_text=True)) == [numbers[1]]
    by_email = client.get("/admin/orders?q=LI@example.com").get_data(as_text=True)
    assert listed(by_email) == [numbers[3], numbers[1]]  # the second buyer's, newest first
    nothing = client.get("/admin/orders?q=nobody@example.com").get_data(as_text=True)
    assert listed(nothing) == [] and "No order matches." in nothing


def test_no_orders_yet(app, orders):
    page = admin(app).get("/admin/orders").get_data(as_text=True)
    assert listed(page) == [] and "No orders yet." in page


def test_the_query_count_does_not_grow_with_the_orders(app, orders, count_queries):
    client = admin(app)
    orders(2)
    with count_queries() as few:
        assert client.get("/admin/orders").status_code == 200
    orders(RECENT_PAGE_SIZE)
    with count_queries() as many:
        page = client.get("/admin/orders").get_data(as_text=True)
    assert len(listed(page)) == RECENT_PAGE_SIZE
    assert len(many) == len(few), many.statements
    with count_queries() as search:
        client.get("/admin/orders?q=li@example.com")
    assert len(search) == len(few)
