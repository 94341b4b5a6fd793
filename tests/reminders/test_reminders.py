"""`reminders send`: each reminder once, to the channels the owner chose, with a working
one-click unsubscribe; the notification centre."""

import email
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    GarageVehicle,
    InsurancePolicy,
    Notification,
    NotificationKind,
    OdometerReading,
    ReadingSource,
    ServiceRecord,
    User,
    Voucher,
)
from marketplace.timeutil import local_today

from ..conftest import COROLLA_CVT

OWNER = "owner@example.com"


@pytest.fixture
def owner(app, small_catalog, make_user):
    make_user(OWNER, name="李车主")
    client = app.test_client()
    client.login(OWNER)
    return client


def add_car(app, *, registered_on=None, readings=(), services=(), policy=None) -> int:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == OWNER))
        car = GarageVehicle(
            owner_id=user.id, variant_id=COROLLA_CVT, registered_on=registered_on, is_default=True
        )
        db.session.add(car)
        db.session.flush()
        for on, km in readings:
            db.session.add(
                OdometerReading(vehicle_id=car.id, read_on=on, km=km, source=ReadingSource.OWNER)
            )
        for item, on, km in services:
            db.session.add(
                ServiceRecord(
                    vehicle_id=car.id, item=item, done_on=on, km=km, source=ReadingSource.OWNER
                )
            )
        if policy is not None:
            db.session.add(
                InsurancePolicy(vehicle_id=car.id, insurer=policy[0], expires_on=policy[1])
            )
        db.session.commit()
        return car.id


def send(app) -> str:
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def notes(app, kind=None) -> list[Notification]:
    with app.app_context():
        query = select(Notification).order_by(Notification.id)
        if kind:
            query = query.where(Notification.kind == kind)
        found = db.session.scalars(query).all()
        db.session.expunge_all()
        return list(found)


def outbox(app) -> list[email.message.EmailMessage]:
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]


def today(app):
    with app.test_request_context():
        return local_today()


def test_insurance_is_reminded_once_per_threshold_and_not_after_renewal(app, owner):
    day = today(app)
    car = add_car(app, policy=("中国人保", day + timedelta(days=30)))
    assert "insurance 1" in send(app)
    assert "insurance 0" in send(app), "run twice in a day: nothing new"
    (note,) = notes(app, NotificationKind.INSURANCE_RENEWAL)
    assert note.data["threshold"] == 30 and note.data["days_left"] == 30
    page = owner.get("/account/notifications").get_data(as_text=True)
    assert "中国人保" in page and "30 天" in page
    # the owner renews: the new expiry is a year away, nothing to remind
    response = owner.post(
        f"/garage/{car}/insurance",
        data={"insurer": "中国人保", "expires_on": (day + timedelta(days=365)).isoformat()},
    )
    assert response.status_code == 302
    assert "insurance 0" in send(app)


def test_the_60_day_reminder_then_the_7_day_one(app, owner):
    day = today(app)
    car = add_car(app, policy=("平安", day + timedelta(days=60)))
    send(app)
    with app.app_context():
        db.session.scalar(select(InsurancePolicy)).expires_on = day + timedelta(days=7)
        db.session.commit()
    send(app)
    assert [n.data["threshold"] for n in notes(app, NotificationKind.INSURANCE_RENEWAL)] == [60, 7]
    assert car


@pytest.mark.parametrize(
    ("insurer", "ends_in_days", "message"),
    [
        ("平安", -1, "不能早于今天"),
        ("平安", 5 * 365, "400 天"),
        ("保" * 500, 100, "最多 60 个字符"),
        ("", 100, "请填写保险公司"),
    ],
)
def test_bad_insurance_input_changes_nothing(app, owner, insurer, ends_in_days, message):
    car = add_car(app)
    ends = today(app) + timedelta(days=ends_in_days)
    response = owner.post(
        f"/garage/{car}/insurance", data={"insurer": insurer, "expires_on": ends.isoformat()}
    )
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(InsurancePolicy.id))) == 0


def test_maintenance_is_reminded_with_the_estimate_and_its_basis(app, owner):
    day = today(app)
    car = add_car(
        app,
        registered_on=day - timedelta(days=2 * 365),
        readings=[(day - timedelta(days=365), 10000), (day - timedelta(days=5), 24000)],
        services=[("engine_oil", day - timedelta(days=200), 16000)],
    )
    assert "maintenance 1" in send(app)
    (note,) = notes(app, NotificationKind.MAINTENANCE_DUE)
    assert "engine_oil" in note.data["items"]
    assert note.data["basis"] == "average" and note.data["readings"] == 2
    assert note.data["estimated_km"] == 24000 + round(14000 / 360 * 5)
    page = owner.get("/account/notifications").get_data(as_text=True)
    assert "机油" in page and "24,194" in page and "平均" in page
    assert "maintenance 0" in send(app)
    # following the link marks it read and lands on the matcher's result for this car at
    # the estimate (tests/reminders/test_links.py follows it)
    response = owner.get(f"/account/notifications/{note.id}/go")
    assert response.headers["Location"] == f"/maintenance/result?vehicle={car}&km=24194"
    assert notes(app)[0].read_at is not None


def test_inspection_is_reminded_before_its_due_date(app, owner):
    day = today(app)
    due = day + timedelta(days=20)
    registered = date(due.year - 6, due.month, min(due.day, 28))
    add_car(app, registered_on=registered)
    output = send(app)
    (note,) = notes(app, NotificationKind.INSPECTION_DUE)
    assert "inspection 1" in output
    assert 0 <= note.data["days_left"] <= 30
    assert "inspection 0" in send(app)


def test_email_with_one_click_unsubscribe_that_works_once(app, owner, client):
    add_car(app, policy=("太平洋保险", today(app) + timedelta(days=7)))
    assert "emails sent 1" in send(app)
    (mail,) = outbox(app)
    assert mail["To"] == OWNER and "太平洋保险" in mail.get_content()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.search(r"<([^>]+)>", mail["List-Unsubscribe"]).group(1)
    path = url.split("127.0.0.1:5000", 1)[1]
    assert path in mail.get_content()
    forged = path[:-4] + "AAAA"
    assert client.post(forged).status_code == 400
    assert client.get(path).status_code == 200, "opening the link changes nothing"
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "不会再收到" in response.get_data(as_text=True)
    again = client.post(path)
    assert again.status_code == 400 and "已经使用过" in again.get_data(as_text=True)
    page = owner.get("/account/notifications/settings").get_data(as_text=True)
    assert 'value="insurance_renewal:email"' in page
    assert re.search(r'value="insurance_renewal:email"[^>]*checked', page) is None
    assert re.search(r'value="insurance_renewal:in_app"[^>]*checked', page)


def test_preferences_decide_the_channels(app, owner):
    day = today(app)
    response = owner.post(
        "/account/notifications/settings", data={"chosen": ["insurance_renewal:email"]}
    )
    assert response.status_code == 302
    add_car(app, policy=("平安", day + timedelta(days=1)))
    send(app)
    (note,) = notes(app)
    assert note.read_at is not None, "not wanted in the app: it does not count as unread"
    assert len(outbox(app)) == 1
    owner.post("/account/notifications/settings", data={"chosen": []})
    with app.app_context():
        db.session.scalar(select(InsurancePolicy)).expires_on = day + timedelta(days=7)
        db.session.commit()
    send(app)
    assert len(notes(app)) == 1 and len(outbox(app)) == 1, "all off: nothing at all"


def test_the_notification_centre_counts_and_marks_read(app, owner, make_user):
    add_car(app, policy=("平安", today(app) + timedelta(days=7)))
    send(app)
    page = owner.get("/").get_data(as_text=True)
    assert 'data-unread="1"' in page
    (note,) = notes(app)
    other = app.test_client()
    make_user("other@example.com")
    other.login("other@example.com")
    assert other.get(f"/account/notifications/{note.id}/go").status_code == 404
    other.post("/account/notifications/read", data={"id": note.id})
    assert notes(app)[0].read_at is None, "another user cannot mark it read"
    owner.post("/account/notifications/read", data={"id": note.id})
    assert notes(app)[0].read_at is not None
    assert 'data-unread="0"' in owner.get("/").get_data(as_text=True)


def test_vouchers_expiring_in_a_week_are_reminded_once(app, owner, shops, localstripe):
    from ..payments.helpers import add_and_order, deliver_success, pay

    number = add_and_order(owner, shops["listings"]["wash_a"], 2)
    pay(owner, localstripe, number)
    deliver_success(owner, localstripe, app, number)
    with app.app_context():
        first, second = db.session.scalars(select(Voucher).order_by(Voucher.id)).all()
        first.expires_at = first.issued_at + timedelta(days=6)
        second.expires_at = second.issued_at + timedelta(days=8)
        db.session.commit()
    assert "vouchers 1" in send(app)
    assert "vouchers 0" in send(app)
    (note,) = notes(app, NotificationKind.VOUCHER_EXPIRING)
    assert note.data["title"] == "精致洗车"


def test_no_maintenance_reminder_for_what_the_owner_already_bought(app, owner, shops, localstripe):
    from ..payments.helpers import add_and_order, deliver_success, pay

    day = today(app)
    add_car(
        app,
        registered_on=day - timedelta(days=2 * 365),
        readings=[(day - timedelta(days=365), 10000), (day - timedelta(days=5), 24000)],
        services=[
            ("engine_oil", day - timedelta(days=200), 16000),
            ("oil_filter", day - timedelta(days=200), 16000),
        ],
    )
    number = add_and_order(owner, shops["listings"]["oil_a"])  # covers engine oil + filter
    pay(owner, localstripe, number)
    deliver_success(owner, localstripe, app, number)
    send(app)
    for note in notes(app, NotificationKind.MAINTENANCE_DUE):
        assert not {"engine_oil", "oil_filter"} & set(note.data["items"])


def test_reminders_read_in_english(app, owner):
    add_car(app, policy=("PICC", today(app) + timedelta(days=7)))
    send(app)
    owner.post("/language", data={"lang": "en"})
    page = owner.get("/account/notifications").get_data(as_text=True)
    assert "Insurance renewal for" in page and "Your policy with PICC ends on" in page
    assert "in 7 days" in page and "Mark read" in page
