"""Choosing a time while paying: held per unit, booked on payment, let go if unpaid."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Booking, BookingStatus, Order, OrderStatus
from marketplace.models.types import utcnow
from marketplace.services import payments

from ..payments.helpers import add_and_order, deliver_success, order_state, pay

SLOT_RE = re.compile(r'data-slot="([^"]+)" data-free="(\d+)"')


def _line_id(app, number):
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        return order.lines[0].id


def _free(client, number, line_id):
    html = client.get(f"/checkout/{number}/lines/{line_id}/booking").get_data(as_text=True)
    return [start for start, free in SLOT_RE.findall(html) if int(free)]


def _rows(app):
    with app.app_context():
        rows = db.session.scalars(select(Booking).order_by(Booking.id)).all()
        db.session.expunge_all()
        return rows


def test_times_held_at_checkout_become_the_vouchers_bookings(app, owner, people, localstripe):
    number = add_and_order(owner, people["listings"]["oil_a"], 2)
    line_id = _line_id(app, number)
    pay_page = owner.get(f"/checkout/{number}").get_data(as_text=True)
    assert 'data-holds="0"' in pay_page and "data-hold-link" in pay_page
    slots = _free(owner, number, line_id)
    url = f"/checkout/{number}/lines/{line_id}/booking"
    assert owner.post(url, data={"starts_at": slots[0]}).status_code == 302
    assert owner.post(url, data={"starts_at": slots[5]}).status_code == 302
    third = owner.post(url, data={"starts_at": slots[6]})
    assert third.status_code == 400 and "data-slot" not in third.get_data(as_text=True)
    assert [r.status for r in _rows(app)] == [BookingStatus.HELD] * 2
    pay_page = owner.get(f"/checkout/{number}").get_data(as_text=True)
    assert 'data-holds="2"' in pay_page and "data-hold-link" not in pay_page
    pay(owner, localstripe, number)
    assert deliver_success(owner, localstripe, app, number).status_code == 200
    order, vouchers, _ = order_state(app, number)
    assert order.status is OrderStatus.PAID
    rows = _rows(app)
    assert [r.status for r in rows] == [BookingStatus.BOOKED] * 2
    assert sorted(r.voucher_id for r in rows) == sorted(v.id for v in vouchers)
    assert [r.starts_at.isoformat() for r in rows] == [slots[0], slots[5]]
    html = owner.get(f"/account/orders/{number}").get_data(as_text=True)
    assert html.count('data-booking-status="booked"') == 2
    assert 'data-event="booking_made"' in html


def test_a_held_time_can_be_let_go(app, owner, people):
    number = add_and_order(owner, people["listings"]["wash_a"])
    line_id = _line_id(app, number)
    slot = _free(owner, number, line_id)[0]
    owner.post(f"/checkout/{number}/lines/{line_id}/booking", data={"starts_at": slot})
    (held,) = _rows(app)
    assert owner.post(f"/checkout/{number}/holds/{held.id}/cancel").status_code == 302
    assert [r.status for r in _rows(app)] == [BookingStatus.CANCELLED]
    assert slot in _free(owner, number, line_id)


def test_an_order_closed_unpaid_lets_its_times_go(app, owner, people):
    number = add_and_order(owner, people["listings"]["wash_a"])
    line_id = _line_id(app, number)
    slot = _free(owner, number, line_id)[0]
    owner.post(f"/checkout/{number}/lines/{line_id}/booking", data={"starts_at": slot})
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        order.pay_by = utcnow() - timedelta(minutes=1)
        db.session.commit()
        assert payments.expire_unpaid(utcnow())["expired"] == 1
    (row,) = _rows(app)
    assert row.status is BookingStatus.CANCELLED and row.cancel_reason == "order_closed"


def test_another_owner_cannot_hold_a_time_on_my_order(app, owner, other_owner, people):
    number = add_and_order(owner, people["listings"]["wash_a"])
    line_id = _line_id(app, number)
    slot = _free(owner, number, line_id)[0]
    url = f"/checkout/{number}/lines/{line_id}/booking"
    assert other_owner.get(url).status_code == 404
    assert other_owner.post(url, data={"starts_at": slot}).status_code == 404
    assert _rows(app) == []


def test_the_shop_sees_a_held_time_taking_its_bay(app, owner, manager_a, people):
    number = add_and_order(owner, people["listings"]["wash_a"])
    line_id = _line_id(app, number)
    slot = _free(owner, number, line_id)[0]
    owner.post(f"/checkout/{number}/lines/{line_id}/booking", data={"starts_at": slot})
    (held,) = _rows(app)
    day = held.starts_at.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    url = f"/merchant/bookings/shops/{people['a']}?day={day}"
    html = manager_a.get(url).get_data(as_text=True)
    item = re.search(rf'data-booking-id="{held.id}" data-booking-status="held".*?</li>', html, re.S)
    assert item and "/arrived" not in item.group(0) and "/cancel" not in item.group(0)
    assert manager_a.post(f"/merchant/bookings/{held.id}/arrived").status_code == 404
    owner.post(f"/checkout/{number}/holds/{held.id}/cancel")
    html = manager_a.get(url).get_data(as_text=True)
    assert f'data-booking-id="{held.id}"' not in html  # let go unpaid: never the shop's
