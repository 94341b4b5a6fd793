"""The shop and listing pages show the shop's week, whether it is open now, its closed days,
its phone and (the listing page) the first free time to book; the admin's and the merchant
console's shop pages show the week.

The pages read the time through their route's `utcnow`, set here to a moment of next week,
so nothing depends on the clock the tests run at."""

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from marketplace.blueprints.listings import routes as listing_routes
from marketplace.blueprints.shops import routes as shop_routes
from marketplace.extensions import db
from marketplace.models import User, Voucher
from marketplace.services import bookings

from .conftest import OWNER, days_from_today, local, shop, signed_in, unused_voucher

WEEKDAYS_AND_WEEKEND = {d: (time(8, 30), time(20)) for d in range(5)} | {
    5: (time(9), time(18)),
    6: (time(9), time(18)),
}


@pytest.fixture
def monday(app, people):
    """Monday of next week (1 to 7 days ahead)."""
    with app.app_context():
        from marketplace.timeutil import local_today

        today = local_today()
    return days_from_today(app, 7 - today.weekday())


@pytest.fixture
def clock(monkeypatch):
    """Set the moment the shop and listing pages take as now."""

    def set_now(moment):
        for module in (shop_routes, listing_routes):
            monkeypatch.setattr(module, "utcnow", lambda: moment)

    return set_now


def _manager():
    return db.session.scalar(select(User).where(User.email == "manager-a@example.com"))


def set_week(app, shop_id, week):
    with app.app_context():
        bookings.save_week(_manager(), shop(app, shop_id), week)
        db.session.commit()


def close_on(app, shop_id, day, note=""):
    with app.app_context():
        from marketplace.timeutil import local_today

        bookings.add_closed_days(_manager(), shop(app, shop_id), day, None, note, local_today())
        db.session.commit()


def shop_url(app, shop_id):
    with app.app_context():
        return f"/shops/{shop(app, shop_id).slug}"


def listing_url(people, name="oil_a"):
    return f"/listings/{people['listings'][name]}"


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def week_rows(page) -> dict[str, tuple[str, str]]:
    """{weekdays: (label, hours)} of the week shown."""
    return {
        key: (label, hours)
        for key, label, hours in re.findall(
            r'data-weekdays="([\d,]+)"><span class="muted">([^<]*)</span> '
            r"<span data-hours>([^<]*)</span>",
            page,
        )
    }


def open_state(page) -> tuple[str, str]:
    """("yes"/"no", the words on when it closes or opens)."""
    match = re.search(r'data-open-now="(yes|no)">(.*?)</div>', page, re.S)
    assert match, "no open state on the page"
    after = re.search(r"<span data-open-next>([^<]*)</span>", match.group(2))
    return match.group(1), after.group(1) if after else ""


def next_free(page) -> str:
    match = re.search(r'data-next-free="([^"]*)"', page)
    assert match, "no first free time on the page"
    return match.group(1)


def test_the_shop_page_groups_the_week_and_says_until_when_it_is_open(
    app, client, people, monday, clock
):
    set_week(app, people["a"], WEEKDAYS_AND_WEEKEND)
    clock(local(monday, "10:00"))
    page = get(client, shop_url(app, people["a"]))
    assert set(week_rows(page)) == {"0,1,2,3,4", "5,6"}
    assert week_rows(page)["0,1,2,3,4"][1] == "08:30–20:00"
    assert week_rows(page)["5,6"][1] == "09:00–18:00"
    state, when = open_state(page)
    assert state == "yes" and "20:00" in when

    page = get(english(client), shop_url(app, people["a"]))
    assert week_rows(page)["0,1,2,3,4"][0] == "Monday to Friday"
    assert week_rows(page)["5,6"][0] == "Saturday and Sunday"
    assert "Open now" in page
    assert re.fullmatch(r"closes at 8:00\s?PM today", open_state(page)[1])


def test_a_shop_open_every_day_alike_says_every_day(app, client, people, monday, clock):
    clock(local(monday, "07:00"))
    page = get(english(client), shop_url(app, people["a"]))
    ((days, (label, hours)),) = week_rows(page).items()
    assert days == "0,1,2,3,4,5,6" and label == "Every day"
    assert re.fullmatch(r"8:30\s?AM–8:00\s?PM", hours)
    state, when = open_state(page)
    assert state == "no" and when.startswith("opens at 8:30") and when.endswith("today")


def test_closed_now_says_when_it_opens_next(app, client, people, monday, clock):
    week = dict(WEEKDAYS_AND_WEEKEND)
    week[6] = None  # closed on Sundays
    set_week(app, people["a"], week)
    english(client)

    clock(local(monday - timedelta(days=1), "12:00"))  # a Sunday
    page = get(client, shop_url(app, people["a"]))
    rows = week_rows(page)
    assert rows["6"] == ("Sunday", "Closed all day") and rows["5"][0] == "Saturday"
    state, when = open_state(page)
    assert state == "no" and "Closed now" in page
    assert when.startswith("opens at 8:30") and when.endswith("tomorrow")

    clock(local(monday - timedelta(days=2), "21:00"))  # Saturday evening
    state, when = open_state(get(client, shop_url(app, people["a"])))
    assert state == "no" and when.startswith("opens Monday at 8:30")

    with client.session_transaction() as session:
        session["lang"] = "zh_CN"
    state, when = open_state(get(client, shop_url(app, people["a"])))
    assert state == "no" and "08:30" in when


def test_closed_days_ahead_are_listed_with_their_note(app, client, people, monday, clock):
    tuesday = monday + timedelta(days=1)
    close_on(app, people["a"], tuesday, "元旦休息")
    clock(local(monday, "21:00"))
    page = get(english(client), shop_url(app, people["a"]))
    closed = re.search(rf'data-closed-day="{tuesday.isoformat()}">([^<]*)</div>', page)
    assert closed and closed.group(1).endswith("· 元旦休息")
    assert "Closed days ahead:" in page
    assert open_state(page)[1].startswith("opens Wednesday at 8:30")

    listing = get(client, listing_url(people))
    assert f'data-closed-day="{tuesday.isoformat()}"' in listing and "元旦休息" in listing

    clock(local(tuesday + timedelta(days=15), "10:00"))  # past it: no longer listed
    assert "data-closed-day" not in get(client, shop_url(app, people["a"]))


def test_the_phone_is_a_tel_link_on_both_pages(app, client, people, monday, clock):
    clock(local(monday, "10:00"))
    for url in (shop_url(app, people["a"]), listing_url(people)):
        page = get(client, url)
        assert '<a href="tel:13800138000" data-phone="13800138000">13800138000</a>' in page


def test_the_listing_shows_the_first_free_time_of_its_category(app, client, people, monday, clock):
    clock(local(monday, "09:45"))
    wash = get(client, listing_url(people, "wash_a"))  # 30-minute slots from 08:30
    assert next_free(wash) == local(monday, "10:00").isoformat()
    oil = get(client, listing_url(people, "oil_a"))  # 60-minute slots from 08:30
    assert next_free(oil) == local(monday, "10:30").isoformat()
    assert "10:30" in oil[oil.index("data-next-free") :][:300]
    state, when = open_state(oil)
    assert state == "yes" and "20:00" in when

    page = get(english(client), listing_url(people, "wash_a"))
    assert '<a href="#buy">Book a time when you pay or from your voucher</a>' in page
    assert 'id="buy"' in page
    assert not re.search(r"(?i)call.{0,40}ahead|phone.{0,20}book", page)


def test_a_full_or_closed_day_moves_the_first_free_time(app, client, people, monday, clock):
    week = {d: (time(8, 30), time(20)) for d in range(7)}
    week[monday.weekday()] = (time(9), time(10))  # a short Monday
    set_week(app, people["a"], week)
    with app.app_context():
        bookings.save_rules(
            _manager(),
            shop(app, people["a"]),
            bays=1,
            days_ahead=14,
            change_hours=2,
            slot_minutes={},
        )
        db.session.commit()
    for clock_time in ("09:00", "09:30"):  # the whole Monday, in its one bay
        voucher_id = unused_voucher(app, people["listings"]["wash_a"])
        with app.app_context():
            owner = db.session.scalar(select(User).where(User.email == OWNER))
            voucher = db.session.get(Voucher, voucher_id)
            from marketplace.models.types import utcnow

            bookings.book_voucher(owner, voucher, local(monday, clock_time), utcnow())
            db.session.commit()

    clock(local(monday - timedelta(days=1), "20:30"))  # Sunday after closing
    tuesday = monday + timedelta(days=1)
    for name in ("wash_a", "oil_a"):
        page = get(client, listing_url(people, name))
        assert next_free(page) == local(tuesday, "08:30").isoformat(), name

    close_on(app, people["a"], tuesday, "盘点")
    page = get(client, listing_url(people, "wash_a"))
    assert next_free(page) == local(tuesday + timedelta(days=1), "08:30").isoformat()


def test_no_free_time_within_the_limit_says_so(app, client, people, monday, clock):
    set_week(app, people["a"], {monday.weekday(): (time(9), time(10))})
    close_on(app, people["a"], monday)
    with app.app_context():
        bookings.save_rules(
            _manager(),
            shop(app, people["a"]),
            bays=2,
            days_ahead=5,
            change_hours=2,
            slot_minutes={},
        )
        db.session.commit()
    clock(local(monday - timedelta(days=1), "12:00"))
    page = get(english(client), listing_url(people))
    assert next_free(page) == ""
    assert "No free time in the next 5 days." in page
    assert open_state(page)[0] == "no"


def test_a_shop_without_structured_hours_shows_its_own_text(app, client, people, monday, clock):
    set_week(app, people["a"], {})
    clock(local(monday, "10:00"))
    for url in (shop_url(app, people["a"]), listing_url(people)):
        page = get(client, url)
        assert "<div data-free-text-hours>08:30-20:00</div>" in page
        assert "data-open-now" not in page and "data-next-free" not in page
        assert 'href="tel:13800138000"' in page


def test_a_sold_out_or_preview_listing_offers_no_booking_link(app, client, people, monday, clock):
    clock(local(monday, "10:00"))
    with app.app_context():
        from marketplace.models import Listing

        db.session.get(Listing, people["listings"]["oil_a"]).stock = 0
        db.session.commit()
    page = get(english(client), listing_url(people))
    assert next_free(page) and 'href="#buy"' not in page


def test_the_admin_and_merchant_shop_pages_show_the_week(app, people, tech_a):
    set_week(app, people["a"], WEEKDAYS_AND_WEEKEND)
    admin = signed_in(app, "admin@example.com")
    page = get(admin, f"/admin/shops/{people['a']}")
    assert week_rows(page)["0,1,2,3,4"][1] == "08:30–20:00"
    assert week_rows(page)["5,6"][1] == "09:00–18:00"
    assert "data-open-now" not in page  # the week only

    page = get(tech_a, f"/merchant/shops/{people['a']}")  # staff see it, managers edit it
    assert week_rows(page)["5,6"][1] == "09:00–18:00"


def test_the_pages_read_a_few_rows_whatever_the_bookings(
    app, client, people, monday, clock, count_queries
):
    clock(local(monday, "09:45"))
    url = listing_url(people, "wash_a")
    get(client, url)
    with count_queries() as quiet:
        get(client, url)
    close_on(app, people["a"], monday + timedelta(days=3), "盘点")
    for _ in range(2):
        voucher_id = unused_voucher(app, people["listings"]["wash_a"])
        with app.app_context():
            owner = db.session.scalar(select(User).where(User.email == OWNER))
            from marketplace.models.types import utcnow

            voucher = db.session.get(Voucher, voucher_id)
            bookings.book_voucher(owner, voucher, local(monday, "10:00"), utcnow())
            db.session.commit()
    with count_queries() as busy:
        page = get(client, url)
    assert next_free(page) == local(monday, "10:30").isoformat()  # 10:00 is full…
    assert len(busy) == len(quiet), busy.statements  # …in the same reads
    page_of_shop = shop_url(app, people["a"])
    with count_queries() as shop_page:
        get(client, page_of_shop)
    assert len(shop_page) <= 7, shop_page.statements  # 5 before the hours and closed days
