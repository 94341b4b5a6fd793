"""A maintenance reminder's link opens the matcher's result for that car, at the odometer the
reminder estimated, with the car's history — old reminders linking to the form too."""

from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.models import Notification, NotificationKind

from .test_reminders import OWNER, add_car, notes, send, today


@pytest.fixture
def owner(app, small_catalog, make_user):
    make_user(OWNER, name="李车主")
    client = app.test_client()
    client.login(OWNER)
    return client


def due_car(app) -> int:
    """A car whose oil service is due: 8,000 km and 200 days since the last one."""
    day = today(app)
    return add_car(
        app,
        registered_on=day - timedelta(days=2 * 365),
        readings=[(day - timedelta(days=365), 10000), (day - timedelta(days=5), 24000)],
        services=[("engine_oil", day - timedelta(days=200), 16000)],
    )


def test_the_reminder_opens_the_result_for_the_car(app, owner):
    car = due_car(app)
    send(app)
    (note,) = notes(app, NotificationKind.MAINTENANCE_DUE)
    assert note.link == f"/maintenance/result?vehicle={car}&km=24194"
    page = owner.get(f"/account/notifications/{note.id}/go", follow_redirects=True)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "engine_oil" in note.data["items"]
    for item in note.data["items"]:
        status = note.data["statuses"][item]
        assert f'data-item="{item}" data-status="{status}"' in html, item
    assert "24,194" in html, "at the reminder's estimate"
    assert "data-lower-reading" not in html
    assert f"/maintenance/?vehicle={car}" in html, "the inputs can still be changed"


def test_an_old_reminder_linking_to_the_form_opens_the_result(app, owner):
    car = due_car(app)
    send(app)
    (note,) = notes(app, NotificationKind.MAINTENANCE_DUE)
    with app.app_context():
        db.session.get(Notification, note.id).link = f"/maintenance/?vehicle={car}"
        db.session.commit()
    response = owner.get(f"/account/notifications/{note.id}/go")
    assert response.headers["Location"] == f"/maintenance/result?vehicle={car}&km=24194"
    html = owner.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-item="engine_oil" data-status="' in html


def test_another_owners_car_is_not_found(app, owner, make_user):
    car = due_car(app)
    make_user("other@example.com")
    other = app.test_client()
    other.login("other@example.com")
    assert other.get(f"/maintenance/result?vehicle={car}&km=24194").status_code == 404
    assert app.test_client().get(f"/maintenance/result?vehicle={car}&km=1").status_code == 404
