"""The shop's side of bookings: settings (hours, bays, slot lengths, closed days), the day at
the counter per bay, arrivals, no-shows and cancellations, who may do what, and the booking
shown at the redeem desk. Pages are read in English (the translations are merged later),
except where the Chinese text is already in the catalogue."""

import re
from datetime import time, timedelta

import pytest
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import func, select

from marketplace.error_messages import message_for
from marketplace.extensions import db
from marketplace.models import (
    Booking,
    BookingStatus,
    ClosedDay,
    Notification,
    OrderEvent,
    User,
    Voucher,
)
from marketplace.services import bookings
from marketplace.services.bookings import BookingError

from .conftest import OWNER, days_from_today, local, shop, signed_in, unused_voucher


def text_of(response) -> str:
    return response.get_data(as_text=True)


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def shown(app, code: str, **values) -> str:
    """The refusal's message as an English page shows it (escaped)."""
    with app.test_request_context(), force_locale("en"):
        return str(escape(message_for(BookingError, code, **values)))


def span(app, starts, ends) -> str:
    """A booking's time as an English page shows it ("10:00 AM–10:30 AM")."""
    from marketplace.i18n import clock

    with app.test_request_context(), force_locale("en"):
        return f"{clock(starts)}–{clock(ends)}"


def confirm(client, code):
    """Look the code up at the redeem desk and confirm the form as the page renders it."""
    page = text_of(client.post("/merchant/redeem", data={"code": code}))
    request_id = re.search(r'name="request_id" type="hidden" value="([0-9a-f]+)"', page)
    shop_id = re.search(r'name="shop" type="hidden" value="(\d+)"', page)
    return client.post(
        "/merchant/redeem/confirm",
        data={"code": code, "shop": shop_id.group(1), "request_id": request_id.group(1)},
    )


def settings_url(shop_id) -> str:
    return f"/merchant/bookings/shops/{shop_id}/settings"


def day_url(shop_id, day=None) -> str:
    return f"/merchant/bookings/shops/{shop_id}" + (f"?day={day.isoformat()}" if day else "")


def settings_data(**changes) -> dict:
    """The settings form as the page posts it: open 08:30–20:00 daily, the defaults."""
    data = {}
    for weekday in range(7):
        data[f"days-{weekday}-open"] = "y"
        data[f"days-{weekday}-opens"] = "08:30"
        data[f"days-{weekday}-closes"] = "20:00"
    data.update(
        bays="2",
        days_ahead="14",
        change_hours="2",
        slot_maintenance="60",
        slot_repair="120",
        slot_cleaning="30",
        slot_tires="60",
        slot_accessories="90",
    )
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def book(app, voucher_id: int, starts_at, now=None) -> int:
    """The owner books the voucher (as of `now`, by default an hour before the time)."""
    with app.app_context():
        voucher = db.session.get(Voucher, voucher_id)
        owner = db.session.get(User, voucher.owner_id)
        made = bookings.book_voucher(
            owner, voucher, starts_at, now or starts_at - timedelta(hours=3)
        )
        db.session.commit()
        return made.id


def booking(app, booking_id: int) -> Booking:
    with app.app_context():
        found = db.session.get(Booking, booking_id)
        db.session.expunge(found)
        return found


def rules(app, shop_id):
    with app.app_context():
        return bookings.rules_of(shop(app, shop_id)), bookings.week_of(shop(app, shop_id))


def settings_row_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(bookings.BookingSettings))


def closed(app, shop_id) -> list[tuple]:
    with app.app_context():
        return [
            (c.day, c.note)
            for c in db.session.scalars(
                select(ClosedDay).where(ClosedDay.shop_id == shop_id).order_by(ClosedDay.day)
            )
        ]


def cards(page: str) -> dict[int, list[tuple[str, str]]]:
    """Each bay's bookings on the day page, in order: (booking id, status)."""
    found = {}
    for bay, body in re.findall(
        r'<section class="card" data-bay="(\d+)".*?>(.*?)</section>', page, re.S
    ):
        found[int(bay)] = re.findall(r'data-booking-id="(\d+)" data-booking-status="(\w+)"', body)
    return found


@pytest.fixture
def day(app, people):
    return days_from_today(app, 3)


@pytest.fixture
def yesterday(app, people):
    return days_from_today(app, -1)


# --- settings ------------------------------------------------------------------------------


def test_the_settings_page_shows_the_current_hours_and_the_default_rules(app, manager_a, people):
    page = text_of(english(manager_a).get(settings_url(people["a"])))
    assert 'name="days-0-opens"' in page and 'type="time"' in page
    assert page.count('value="08:30"') == 7 and page.count('value="20:00"') == 7
    assert re.search(r'name="bays"[^>]*value="2"', page)
    assert re.search(r'name="slot_cleaning"[^>]*value="30"', page)
    assert re.search(r'name="slot_repair"[^>]*value="120"', page)
    assert "Monday" in page and "Sunday" in page
    assert f'action="/merchant/bookings/shops/{people["a"]}/closed-days"' in page


def test_saved_settings_are_used_for_bookings(app, manager_a, people, day):
    shut, short = (day.weekday() + 1) % 7, (day.weekday() + 2) % 7  # not the day booked
    data = settings_data(
        bays="1",
        slot_cleaning="45",
        **{
            f"days-{shut}-open": None,
            f"days-{short}-opens": "09:00",
            f"days-{short}-closes": "18:00",
        },
    )
    response = english(manager_a).post(settings_url(people["a"]), data=data)
    assert response.status_code == 302
    assert "Booking settings saved." in text_of(manager_a.get(response.headers["Location"]))
    saved, week = rules(app, people["a"])
    assert saved.bays == 1 and saved.minutes_for("cleaning") == 45
    assert shut not in week and week[short] == (time(9), time(18))
    page = text_of(manager_a.get(settings_url(people["a"])))
    assert re.search(r'name="bays"[^>]*value="1"', page)
    assert not re.search(rf'name="days-{shut}-open"[^>]*checked', page)

    with app.app_context():
        now = local(day - timedelta(days=3), "09:00")
        wash = bookings.choices(shop(app, people["a"]), "cleaning", now, day=day)
        assert wash.minutes == 45
        starts = [s.starts_at for s in wash.slots[:3]]
        assert starts[1] - starts[0] == timedelta(minutes=45)

    first = unused_voucher(app, people["listings"]["wash_a"])
    second = unused_voucher(app, people["listings"]["wash_a"])
    at_slot = wash.slots[2].starts_at
    book(app, first, at_slot)
    with app.app_context(), pytest.raises(BookingError) as refused:
        voucher = db.session.get(Voucher, second)
        bookings.book_voucher(voucher.owner, voucher, at_slot, at_slot - timedelta(hours=3))
    assert refused.value.code == "full", "one bay: the second booking of the slot is refused"


@pytest.mark.parametrize(
    ("changes", "field", "code", "values"),
    [
        ({"days-2-opens": "18:00", "days-2-closes": "09:00"}, "days-2-closes", "hours_order", {}),
        ({"bays": "0"}, "bays", "bays_range", {"max": 20}),
        ({"days_ahead": "61"}, "days_ahead", "days_range", {"max": 60}),
        ({"change_hours": "-1"}, "change_hours", "change_range", {"max": 72}),
        (
            {"slot_cleaning": "10"},
            "slot_cleaning",
            "slot_range",
            {"min": 15, "max": 480, "step": 15},
        ),
        ({"slot_repair": "50"}, "slot_repair", "slot_range", {"min": 15, "max": 480, "step": 15}),
    ],
)
def test_bad_settings_show_the_message_and_change_nothing(
    app, manager_a, people, changes, field, code, values
):
    # bays=3 is fine: it must not be saved when another part is refused
    data = settings_data(**{"bays": "3", "days-5-open": None, **changes})
    response = english(manager_a).post(settings_url(people["a"]), data=data)
    assert response.status_code == 400
    page = text_of(response)
    assert shown(app, code, **values) in page
    assert f'id="{field}-errors"' in page
    saved, week = rules(app, people["a"])
    assert saved.bays == 2 and len(week) == 7, "nothing was saved"
    assert settings_row_count(app) == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"bays": ""},
        {"bays": "two"},
        {"days-1-opens": "25:00"},
        {"days-1-opens": ""},
    ],
)
def test_malformed_settings_are_a_bad_form(app, manager_a, people, changes):
    response = english(manager_a).post(settings_url(people["a"]), data=settings_data(**changes))
    assert response.status_code == 400
    assert 'class="errors"' in text_of(response)
    assert settings_row_count(app) == 0 and len(rules(app, people["a"])[1]) == 7


def test_an_empty_slot_length_means_the_usual_one(app, manager_a, people):
    response = manager_a.post(settings_url(people["a"]), data=settings_data(slot_tires=""))
    assert response.status_code == 302
    saved, _ = rules(app, people["a"])
    assert saved.minutes_for("tires") == bookings.DEFAULT_SLOT_MINUTES["tires"]
    assert "tires" not in saved.slot_minutes


# --- closed days ---------------------------------------------------------------------------


def test_closing_a_run_of_days_and_opening_one_again(app, manager_a, people):
    first, last = days_from_today(app, 5), days_from_today(app, 7)
    url = f"/merchant/bookings/shops/{people['a']}/closed-days"
    response = english(manager_a).post(
        url, data={"first": first.isoformat(), "last": last.isoformat(), "note": "春节"}
    )
    assert response.status_code == 302
    assert closed(app, people["a"]) == [(first + timedelta(days=n), "春节") for n in range(3)]
    page = text_of(manager_a.get(settings_url(people["a"])))
    assert "Closed days added: 3." in page
    assert page.count("data-closed-day=") == 3 and "春节" in page

    middle = first + timedelta(days=1)
    view = text_of(manager_a.get(day_url(people["a"], middle)))
    assert 'data-day-hours="closed"' in view and "春节" in view
    with app.app_context():
        now = local(first - timedelta(days=5), "09:00")
        days = bookings.choices(shop(app, people["a"]), "cleaning", now).days
        assert middle not in days and last + timedelta(days=1) in days

    with app.app_context():
        row_id = db.session.scalar(select(ClosedDay.id).where(ClosedDay.day == middle))
    removed = manager_a.post(f"{url}/{row_id}/remove")
    assert removed.status_code == 302
    assert [d for d, _ in closed(app, people["a"])] == [first, last]

    one = manager_a.post(url, data={"first": days_from_today(app, 9).isoformat(), "note": ""})
    assert one.status_code == 302
    assert (days_from_today(app, 9), "") in closed(app, people["a"])


def test_a_closed_day_in_the_past_or_with_bookings_is_refused(app, manager_a, people, day):
    url = f"/merchant/bookings/shops/{people['a']}/closed-days"
    english(manager_a)
    past = manager_a.post(url, data={"first": days_from_today(app, -1).isoformat()})
    assert past.status_code == 400 and shown(app, "closed_past") in text_of(past)

    backwards = manager_a.post(
        url, data={"first": day.isoformat(), "last": (day - timedelta(days=1)).isoformat()}
    )
    assert backwards.status_code == 400 and shown(app, "closed_range", max=31) in text_of(backwards)

    book(app, unused_voucher(app, people["listings"]["oil_a"]), local(day, "10:30"))
    busy = manager_a.post(
        url,
        data={
            "first": (day - timedelta(days=1)).isoformat(),
            "last": (day + timedelta(days=1)).isoformat(),
            "note": "盘点",
        },
    )
    assert busy.status_code == 400
    assert shown(app, "closed_has_bookings", count=1) in text_of(busy)

    no_date = manager_a.post(url, data={"first": ""})
    assert no_date.status_code == 400
    assert closed(app, people["a"]) == []


# --- the day at the counter ----------------------------------------------------------------


def test_the_day_lists_the_bookings_per_bay_with_car_and_service(app, manager_a, people, day):
    oil = book(app, unused_voucher(app, people["listings"]["oil_a"]), local(day, "10:30"))
    wash = book(app, unused_voucher(app, people["listings"]["wash_a"]), local(day, "10:30"))
    early = book(app, unused_voucher(app, people["listings"]["wash_a"]), local(day, "10:00"))
    assert [booking(app, b).bay for b in (oil, wash, early)] == [1, 2, 1]
    with app.app_context():
        line = db.session.get(Booking, oil).line
        title, car, code = line.title, line.vehicle_label, db.session.get(Booking, oil).voucher.code
    assert car, "the vouchers are for a car"

    page = text_of(english(manager_a).get(day_url(people["a"], day)))
    assert cards(page) == {
        1: [(str(early), "booked"), (str(oil), "booked")],
        2: [(str(wash), "booked")],
    }
    assert "Bay 1" in page and "Bay 2" in page and "Bookings: 3" in page
    assert title in page and car in page
    assert span(app, local(day, "10:30"), local(day, "11:30")) in page
    assert span(app, local(day, "10:00"), local(day, "10:30")) in page
    assert "王**" in page and "b***@example.com" in page, "the owner is masked"
    assert code not in page and f"•••• •••• {code[-4:]}" in page, "the voucher code is masked"
    assert 'data-day-hours="08:30-20:00"' in page
    assert f"/merchant/bookings/{oil}/cancel" in page
    assert f"/merchant/bookings/{oil}/arrived" not in page, "not before the booked day"


def test_the_day_page_is_chinese_by_default_and_moves_between_days(app, manager_a, people):
    today = days_from_today(app, 0)
    page = text_of(manager_a.get(day_url(people["a"])))
    assert '<html lang="zh-CN">' in page
    assert f'data-day="{today.isoformat()}"' in page
    assert f"{today.year}年" in page and "星期" in page
    tomorrow = today + timedelta(days=1)
    assert f'href="/merchant/bookings/shops/{people["a"]}?day={tomorrow.isoformat()}"' in page
    assert f'?day={(today - timedelta(days=1)).isoformat()}"' in page
    assert 'type="date"' in page and 'name="day"' in page
    assert manager_a.get(day_url(people["a"]) + "?day=not-a-day").status_code == 200
    later = text_of(manager_a.get(day_url(people["a"], tomorrow)))
    assert f'data-day="{tomorrow.isoformat()}"' in later


def test_arrived_and_no_show(app, tech_a, people, day, yesterday):
    english(tech_a)
    came = book(app, unused_voucher(app, people["listings"]["oil_a"]), local(yesterday, "09:30"))
    missed = book(app, unused_voucher(app, people["listings"]["wash_a"]), local(yesterday, "09:30"))
    future = book(app, unused_voucher(app, people["listings"]["oil_a"]), local(day, "10:30"))

    page = text_of(tech_a.get(day_url(people["a"], yesterday)))
    assert f"/merchant/bookings/{came}/arrived" in page
    assert f"/merchant/bookings/{came}/no-show" in page

    response = tech_a.post(f"/merchant/bookings/{came}/arrived")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/merchant/bookings/shops/{people['a']}?day={yesterday.isoformat()}#booking-{came}"
    )
    assert booking(app, came).status is BookingStatus.ARRIVED
    assert "Arrived:" in text_of(tech_a.get(response.headers["Location"]))

    assert tech_a.post(f"/merchant/bookings/{missed}/no-show").status_code == 302
    assert booking(app, missed).status is BookingStatus.NO_SHOW
    page = text_of(tech_a.get(day_url(people["a"], yesterday)))
    assert f'data-booking-id="{missed}" data-booking-status="no_show"' in page
    assert f'data-booking-id="{came}" data-booking-status="arrived"' in page

    early = tech_a.post(f"/merchant/bookings/{future}/no-show", follow_redirects=True)
    assert shown(app, "not_started") in text_of(early)
    too_soon = tech_a.post(f"/merchant/bookings/{future}/arrived", follow_redirects=True)
    assert shown(app, "not_started") in text_of(too_soon)
    assert booking(app, future).status is BookingStatus.BOOKED

    twice = tech_a.post(f"/merchant/bookings/{came}/no-show", follow_redirects=True)
    assert shown(app, "illegal_move") in text_of(twice)
    assert booking(app, came).status is BookingStatus.ARRIVED
    with app.app_context():
        kinds = set(db.session.scalars(select(OrderEvent.kind)))
    assert {"booking_arrived", "booking_no_show"} <= kinds


def test_the_shop_cancels_with_a_reason_and_the_owner_may_book_again(app, manager_a, people, day):
    voucher_id = unused_voucher(app, people["listings"]["oil_a"])
    starts = local(day, "10:30")
    made = book(app, voucher_id, starts)

    without = manager_a.post(f"/merchant/bookings/{made}/cancel", data={"reason": "  "})
    assert without.status_code == 400
    assert "请填写原因。" in text_of(without) and f'data-cancel-error="{made}"' in text_of(without)
    assert booking(app, made).status is BookingStatus.BOOKED

    response = english(manager_a).post(
        f"/merchant/bookings/{made}/cancel", data={"reason": "举升机 故障"}
    )
    assert response.status_code == 302
    cancelled = booking(app, made)
    assert cancelled.status is BookingStatus.CANCELLED
    assert cancelled.cancel_reason == "举升机 故障" and cancelled.cancelled_by_shop
    with app.app_context():
        told = db.session.scalars(
            select(Notification).where(Notification.kind == "booking").order_by(Notification.id)
        ).all()
        assert told[-1].data["what"] == "cancelled_by_shop"
        assert told[-1].data["reason"] == "举升机 故障"
        assert told[-1].user.email == OWNER

    page = text_of(manager_a.get(response.headers["Location"]))
    assert "the owner has been told why" in page
    assert cards(page) == {1: [], 2: []}
    assert re.search(
        rf'data-booking-id="{made}" data-booking-status="cancelled">.*?举升机 故障', page, re.S
    )

    again = book(app, voucher_id, starts)
    assert again != made and booking(app, again).status is BookingStatus.BOOKED

    long = manager_a.post(f"/merchant/bookings/{again}/cancel", data={"reason": "长" * 201})
    assert long.status_code == 400 and booking(app, again).status is BookingStatus.BOOKED


# --- who may do what -----------------------------------------------------------------------


def test_a_technician_sees_the_day_but_not_the_settings_or_cancel(app, tech_a, people, day):
    made = book(app, unused_voucher(app, people["listings"]["oil_a"]), local(day, "10:30"))
    page = text_of(tech_a.get(day_url(people["a"], day)))
    assert f'data-booking-id="{made}"' in page
    assert "/cancel" not in page and "data-settings-link" not in page
    assert tech_a.get(settings_url(people["a"])).status_code == 404
    assert tech_a.post(settings_url(people["a"]), data=settings_data(bays="5")).status_code == 404
    url = f"/merchant/bookings/shops/{people['a']}/closed-days"
    assert tech_a.post(url, data={"first": day.isoformat()}).status_code == 404
    refused = tech_a.post(f"/merchant/bookings/{made}/cancel", data={"reason": "不想做"})
    assert refused.status_code == 404
    assert booking(app, made).status is BookingStatus.BOOKED
    assert settings_row_count(app) == 0 and closed(app, people["a"]) == []


def test_another_shops_people_get_404(app, people, day):
    made = book(app, unused_voucher(app, people["listings"]["oil_a"]), local(day, "10:30"))
    url = f"/merchant/bookings/shops/{people['a']}/closed-days"
    with app.app_context():
        b_shop = shop(app, people["b"])
        other_day = bookings.add_closed_days(
            b_shop.chain.admin, b_shop, day, None, "", days_from_today(app, 0)
        )[0].id
        db.session.commit()
    for who in ("manager-b@example.com", OWNER):
        client = signed_in(app, who)
        assert client.get(day_url(people["a"])).status_code == 404
        assert client.get(settings_url(people["a"])).status_code == 404
        assert client.post(settings_url(people["a"]), data=settings_data()).status_code == 404
        assert client.post(url, data={"first": day.isoformat()}).status_code == 404
        for action in ("arrived", "no-show", "cancel"):
            response = client.post(f"/merchant/bookings/{made}/{action}", data={"reason": "x"})
            assert response.status_code == 404, (who, action)
    manager_a = signed_in(app, "manager-a@example.com")
    assert manager_a.post(f"{url}/{other_day}/remove").status_code == 404
    assert manager_a.get("/merchant/bookings/shops/999999").status_code == 404
    assert manager_a.post("/merchant/bookings/999999/arrived").status_code == 404
    assert booking(app, made).status is BookingStatus.BOOKED
    assert closed(app, people["b"]) == [(day, "")]


def test_the_console_links_to_the_bookings(app, manager_a, tech_a, people):
    page = text_of(manager_a.get(f"/merchant/shops/{people['a']}"))
    assert f'href="/merchant/bookings/shops/{people["a"]}"' in page
    assert f'href="/merchant/bookings/shops/{people["a"]}/settings"' in page
    page = text_of(tech_a.get(f"/merchant/shops/{people['a']}"))
    assert f'href="/merchant/bookings/shops/{people["a"]}"' in page
    assert "/settings" not in page
    assert f'href="/merchant/bookings/shops/{people["a"]}"' in text_of(tech_a.get("/merchant/"))
    index = tech_a.get("/merchant/bookings")
    assert index.status_code == 302 and index.headers["Location"].endswith(
        f"/merchant/bookings/shops/{people['a']}"
    )


# --- the redeem desk -----------------------------------------------------------------------


def test_the_redeem_desk_shows_the_booking(app, tech_a, people, day):
    english(tech_a)
    booked = unused_voucher(app, people["listings"]["oil_a"])
    made = book(app, booked, local(day, "10:30"))
    plain = unused_voucher(app, people["listings"]["oil_a"])
    with app.app_context():
        codes = {v: db.session.get(Voucher, v).code for v in (booked, plain)}

    page = text_of(tech_a.post("/merchant/redeem", data={"code": codes[booked]}))
    assert 'data-booking="booked"' in page
    with app.test_request_context(), force_locale("en"):
        from marketplace.i18n import appointment

        when = appointment(booking(app, made).starts_at)
    assert when in page and "Bay 1" in page

    page = text_of(tech_a.post("/merchant/redeem", data={"code": codes[plain]}))
    assert 'data-booking="none"' in page and "Not booked" in page

    redeemed = confirm(tech_a, codes[booked])
    assert redeemed.status_code == 302
    assert 'data-booking="served"' in text_of(tech_a.get(redeemed.headers["Location"]))
    assert booking(app, made).status is BookingStatus.SERVED
    back = tech_a.post(f"/merchant/bookings/{made}/arrived", follow_redirects=True)
    assert shown(app, "illegal_move") in text_of(back), "only undoing the redemption does that"
    assert booking(app, made).status is BookingStatus.SERVED
