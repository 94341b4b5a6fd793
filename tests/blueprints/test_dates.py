"""Dates on pages read in the reader's long form (2026年12月3日, December 3, 2026); tables keep
the short form."""

import re
from zoneinfo import ZoneInfo

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Order

from ..payments.helpers import add_and_order


def test_the_order_page_says_dates_in_full_and_the_list_in_short(app, shops, make_user):
    make_user("dates@example.com")
    client = app.test_client()
    client.login("dates@example.com")
    number = add_and_order(client, shops["listings"]["wash_a"])
    with app.app_context():
        placed = db.session.scalar(select(Order.created_at).where(Order.number == number))
    local = placed.astimezone(ZoneInfo("Asia/Shanghai"))
    long_zh = f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    short_zh = f"{local.year}/{local.month}/{local.day} {local:%H:%M}"
    page = client.get(f"/account/orders/{number}").get_data(as_text=True)
    assert long_zh in page and short_zh not in page
    listing = client.get("/account/orders").get_data(as_text=True)
    assert short_zh in listing or long_zh in listing  # the list may be a table or cards
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/account/orders/{number}").get_data(as_text=True)
    assert re.search(rf"{local:%B} {local.day}, {local.year}", page)
