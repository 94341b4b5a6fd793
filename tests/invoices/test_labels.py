"""The invoice codes have names in both languages, and the notification kind its text."""

import pytest
from flask_babel import force_locale

from marketplace import labels, notification_text
from marketplace.models import InvoiceStatus, InvoiceTitleKind, NotificationKind

TABLES = [
    (labels.INVOICE_STATUS_NAMES, InvoiceStatus),
    (labels.INVOICE_TITLE_KIND_NAMES, InvoiceTitleKind),
]


@pytest.mark.parametrize(("table", "kind"), TABLES, ids=[k.__name__ for _, k in TABLES])
def test_label_tables_are_keyed_by_their_enum(app, table, kind):
    assert list(table) == list(kind) and all(type(key) is kind for key in table)
    with app.test_request_context():
        for code in kind:
            with force_locale("en"):
                english = str(table[code])
            with force_locale("zh_CN"):
                chinese = str(table[code])
            assert english and chinese and chinese != english, (kind.__name__, code)


def test_the_events_and_the_notification_kind_have_names():
    for kind in ("invoice_requested", "invoice_request_changed", "invoice_issued"):
        assert kind in labels.ORDER_EVENT_NAMES
    assert NotificationKind.INVOICE_ISSUED in NotificationKind.ALL
    assert NotificationKind.INVOICE_ISSUED in notification_text.KIND_NAMES
