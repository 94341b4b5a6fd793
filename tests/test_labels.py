"""Every code the database or the services hold has a name in its table, in both languages."""

import ast
from pathlib import Path

import pytest
from flask_babel import force_locale

from marketplace import labels, notification_text
from marketplace.blueprints.reviews.routes import REVIEW_STATUS_NAMES
from marketplace.models import (
    Category,
    ListingStatus,
    NotificationKind,
    OrderStatus,
    PayMethod,
    ReadingSource,
    RefundStatus,
    ReviewStatus,
    Role,
    ShopStatus,
    StaffRole,
    VoucherStatus,
)
from marketplace.powertrain import Aspiration, FuelType, Transmission
from marketplace.services import listings, maintenance

PACKAGE = Path(__file__).resolve().parent.parent / "marketplace"


def recorded_event_kinds() -> set[str]:
    """The kinds passed as constants to record_event(order, kind, …) and move(…, kind)."""
    kinds = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            position = {"record_event": 1, "move": 2}.get(node.func.id)
            if position is not None and len(node.args) > position:
                arg = node.args[position]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    kinds.add(arg.value)
    return kinds


TABLES = [
    ("roles", labels.ROLE_NAMES, {m.value for m in Role}),
    ("categories", labels.CATEGORY_NAMES, {m.value for m in Category}),
    ("shop statuses", labels.SHOP_STATUS_NAMES, {m.value for m in ShopStatus}),
    ("staff roles", labels.STAFF_ROLE_NAMES, {m.value for m in StaffRole}),
    ("listing statuses", labels.LISTING_STATUS_NAMES, {m.value for m in ListingStatus}),
    ("reading sources", labels.READING_SOURCE_NAMES, {m.value for m in ReadingSource}),
    ("order statuses", labels.ORDER_STATUS_NAMES, {m.value for m in OrderStatus}),
    ("voucher statuses", labels.VOUCHER_STATUS_NAMES, {m.value for m in VoucherStatus}),
    ("refund statuses", labels.REFUND_STATUS_NAMES, {m.value for m in RefundStatus}),
    ("payment methods", labels.PAY_METHOD_NAMES, {m.value for m in PayMethod}),
    ("review statuses", REVIEW_STATUS_NAMES, {m.value for m in ReviewStatus}),
    ("notification kinds", notification_text.KIND_NAMES, set(NotificationKind.ALL)),
    ("fuel types", labels.FUEL_NAMES, {m.value for m in FuelType}),
    ("transmissions", labels.TRANSMISSION_NAMES, {m.value for m in Transmission}),
    ("aspirations", labels.ASPIRATION_NAMES, {m.value for m in Aspiration}),
    ("maintenance items", labels.ITEM_NAMES, set(maintenance.ITEMS)),
    ("matcher statuses", labels.STATUS_NAMES, set(maintenance.STATUSES)),
    ("conditions", labels.CONDITION_NAMES, set(maintenance.CONDITIONS)),
    ("sorts", labels.SORT_NAMES, set(listings.SORTS)),
    (
        "order events",
        labels.ORDER_EVENT_NAMES,
        recorded_event_kinds() | {"late_payment_refunded", "duplicate_payment_refunded"},
    ),
]


@pytest.mark.parametrize(("name", "table", "codes"), TABLES, ids=[t[0] for t in TABLES])
def test_every_code_has_a_name_in_both_languages(app, name, table, codes):
    assert codes, name
    assert codes <= set(table), f"{name} without a label: {sorted(codes - set(table))}"
    with app.test_request_context():
        for code in codes:
            with force_locale("en"):
                english = str(table[code])
            with force_locale("zh_CN"):
                chinese = str(table[code])
            assert english and chinese and chinese != english, (name, code, chinese)


def test_a_code_without_a_label_fails_in_tests(app):
    with app.test_request_context(), pytest.raises(labels.MissingLabel):
        labels.label("no_such_status", labels.ORDER_STATUS_NAMES)


ENUM_TABLES = [
    (labels.ROLE_NAMES, Role),
    (labels.CATEGORY_NAMES, Category),
    (labels.SHOP_STATUS_NAMES, ShopStatus),
    (labels.STAFF_ROLE_NAMES, StaffRole),
    (labels.LISTING_STATUS_NAMES, ListingStatus),
    (labels.READING_SOURCE_NAMES, ReadingSource),
    (labels.ORDER_STATUS_NAMES, OrderStatus),
    (labels.VOUCHER_STATUS_NAMES, VoucherStatus),
    (labels.REFUND_STATUS_NAMES, RefundStatus),
    (labels.PAY_METHOD_NAMES, PayMethod),
    (labels.FUEL_NAMES, FuelType),
    (labels.TRANSMISSION_NAMES, Transmission),
    (labels.ASPIRATION_NAMES, Aspiration),
    (labels.ITEM_NAMES, maintenance.Item),
    (labels.STATUS_NAMES, maintenance.MatchStatus),
    (labels.CONDITION_NAMES, maintenance.Condition),
    (labels.SORT_NAMES, listings.Sort),
]


@pytest.mark.parametrize(("table", "kind"), ENUM_TABLES, ids=[e.__name__ for _, e in ENUM_TABLES])
def test_label_tables_are_keyed_by_their_enum(table, kind):
    """Keys are the enum's members (a typo is an AttributeError at import), one per member."""
    assert all(type(key) is kind for key in table), kind
    assert list(table) == list(kind), f"{kind.__name__}: labels out of step with the enum"
