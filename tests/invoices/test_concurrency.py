"""Invoice requests at the same moment, on PostgreSQL: one row per shop, issued once, and
an owner's change never slips in after a shop has issued."""

from ..parallel import in_parallel, on_postgresql
from .conftest import OWNER
from .helpers import VALID_USCC, event_kinds, invoices, notifications, paid_order

pytestmark = on_postgresql

PERSONAL = {"title_kind": "personal", "title": "王小明", "tax_id": "", "email": ""}
COMPANY = {"title_kind": "company", "title": "某某公司", "tax_id": VALID_USCC, "email": ""}


def _client(app, email):
    client = app.test_client()
    client.login(email)
    return client


def _order(app, owners):
    listings = owners["listings"]
    return paid_order(app, OWNER, [(listings["oil_a"], 1), (listings["oil_b"], 1)])


def test_the_same_request_sent_at_once_makes_one_row_per_shop(app, owners):
    number = _order(app, owners)
    clients = [_client(app, OWNER) for _ in range(4)]
    responses = in_parallel(
        [(lambda c=c: c.post(f"/account/orders/{number}/invoice", data=PERSONAL)) for c in clients]
    )
    assert [r.status_code for r in responses] == [302] * 4
    assert sorted(i.shop_id for i in invoices(app)) == [owners["a"], owners["b"]]
    kinds = event_kinds(app, number)
    assert kinds[0] == "invoice_requested" and set(kinds[1:]) <= {"invoice_request_changed"}


def test_an_invoice_marked_issued_at_once_is_issued_once(app, owners):
    number = _order(app, owners)
    response = _client(app, OWNER).post(f"/account/orders/{number}/invoice", data=PERSONAL)
    assert response.status_code == 302
    shop_a = next(i for i in invoices(app) if i.shop_id == owners["a"])
    clients = [_client(app, "manager-a@example.com") for _ in range(4)]
    numbers = ["10000001", "10000002", "10000003", "10000004"]
    responses = in_parallel(
        [
            (lambda c=c, n=n: c.post(f"/merchant/invoices/{shop_a.id}/issue", data={"number": n}))
            for c, n in zip(clients, numbers, strict=True)
        ]
    )
    assert [r.status_code for r in responses] == [302] * 4
    issued = next(i for i in invoices(app) if i.id == shop_a.id)
    assert issued.invoice_number in numbers
    assert event_kinds(app, number).count("invoice_issued") == 1
    assert len(notifications(app)) == 1


def test_a_change_and_an_issue_at_once_never_leave_an_issued_invoice_behind(app, owners):
    number = _order(app, owners)
    owner = _client(app, OWNER)
    assert owner.post(f"/account/orders/{number}/invoice", data=PERSONAL).status_code == 302
    shop_a = next(i for i in invoices(app) if i.shop_id == owners["a"])
    manager = _client(app, "manager-a@example.com")
    in_parallel(
        [
            lambda: owner.post(f"/account/orders/{number}/invoice", data=COMPANY),
            lambda: manager.post(
                f"/merchant/invoices/{shop_a.id}/issue", data={"number": "12345678"}
            ),
        ]
    )
    rows = {i.shop_id: i for i in invoices(app)}
    assert rows[owners["a"]].invoice_number == "12345678"
    changed = "invoice_request_changed" in event_kinds(app, number)
    # either the change came first (both rows changed, then issued) or it was refused
    expected = COMPANY["title"] if changed else PERSONAL["title"]
    assert {row.title for row in rows.values()} == {expected}
