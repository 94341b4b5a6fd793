"""An audit entry as the admin reads it: the action's name and the recorded details as
named fields with their values in words, in the reader's language; never JSON.

A detail whose key has no name is shown under its key; a value is formatted by what its
key says it is (money for `*_fen`, roles, statuses, the week's hours …), else by its type
(dates, yes/no, lists joined).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _

from ...error_messages import message_for
from ...i18n import money
from ...labels import (
    AUDIT_ACTION_NAMES,
    AUDIT_FIELD_NAMES,
    AUDIT_LEDGER_NAMES,
    AUDIT_OBJECT_NAMES,
    AUDIT_REASON_NAMES,
    LISTING_STATUS_NAMES,
    ROLE_NAMES,
    STAFF_ROLE_NAMES,
    WEEKDAY_NAMES,
)
from ...models import AuditEntry
from ...services.redemption import RedemptionError
from ..reviews.routes import HOLD_REASON_NAMES, REVIEW_STATUS_NAMES

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass(frozen=True)
class Field:
    key: str
    name: str
    value: str
    href: str | None = None


@dataclass(frozen=True)
class Shown:
    entry: AuditEntry
    action: str  # the action's name (its code when it has none)
    named: bool  # whether the action has a name
    subject: str  # what the entry is about ("Shop 3"), or ""
    subject_href: str | None
    fields: list[Field]


def action_name(action: str) -> str:
    name = AUDIT_ACTION_NAMES.get(action)
    return str(name) if name is not None else action


def field_name(action: str, key: str) -> str:
    name = AUDIT_FIELD_NAMES.get(f"{action}:{key}", AUDIT_FIELD_NAMES.get(key))
    return str(name) if name is not None else key


def _week(hours: dict) -> str:
    days = []
    for day, span in sorted(hours.items(), key=lambda item: int(item[0])):
        name = WEEKDAY_NAMES[int(day)] if str(day).isdigit() and int(day) < 7 else day
        days.append(f"{name} {str(span).replace('-', '–')}")
    return "; ".join(days) or _("Closed every day")


def _coded(table: dict, value) -> str:
    name = table.get(value)
    return str(name) if name is not None else str(value)


def value_text(action: str, key: str, value) -> str:
    """A recorded value in words."""
    if value is None or value == "":
        return "—"
    if key.endswith("_fen") and isinstance(value, int | float):
        return money(int(value))
    if key.endswith("_id") and isinstance(value, int):
        return f"#{value}"
    if key == "role":
        return _coded({**ROLE_NAMES, **STAFF_ROLE_NAMES}, value)
    if key == "status" and action.startswith("listing."):
        return _coded(LISTING_STATUS_NAMES, value)
    if key in ("status_from", "status_to"):
        return _coded(REVIEW_STATUS_NAMES, value)
    if key == "hold_reasons":
        codes = value.split(",") if isinstance(value, str) else list(value)
        return ", ".join(_coded(HOLD_REASON_NAMES, c) for c in codes if c) or "—"
    if key == "ledger":
        return _coded(AUDIT_LEDGER_NAMES, value)
    if key == "week" and isinstance(value, dict):
        return _week(value)
    if key == "km" and isinstance(value, int | float):
        return _("%(km)s km", km=format_decimal(value))
    if key == "reason" and action == "voucher.wrong_code":
        try:
            return message_for(RedemptionError, value)
        except (ValueError, KeyError):
            return str(value)
    if key == "reason" and value in AUDIT_REASON_NAMES:
        return str(AUDIT_REASON_NAMES[value])
    return plain(value)


def plain(value) -> str:
    """A value by its type: yes/no, numbers and dates the locale's way, lists joined."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float):
        return format_decimal(value)
    if isinstance(value, datetime):
        return format_datetime(value, "short")
    if isinstance(value, date):
        return format_date(value, "medium")
    if isinstance(value, list | tuple):
        return ", ".join(plain(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {plain(v)}" for k, v in value.items()) or "—"
    text = str(value)
    if DATE_RE.match(text):
        try:
            return format_date(date.fromisoformat(text), "medium")
        except ValueError:
            return text
    if DATETIME_RE.match(text):
        try:
            return format_datetime(datetime.fromisoformat(text), "short")
        except ValueError:
            return text
    return text


def _shop_href(shop_id) -> str | None:
    return url_for("admin.shop", shop_id=int(shop_id)) if str(shop_id).isdigit() else None


def show(entry: AuditEntry) -> Shown:
    """What the audit page shows of `entry`."""
    action = entry.action
    fields = []
    for key, value in (entry.data or {}).items():
        href = _shop_href(value) if key == "shop_id" else None
        fields.append(Field(key, field_name(action, key), value_text(action, key, value), href))
    subject, subject_href = "", None
    if entry.object_type:
        kind = AUDIT_OBJECT_NAMES.get(entry.object_type)
        subject = f"{kind if kind is not None else entry.object_type} {entry.object_id or ''}"
        if entry.object_type == "Shop":
            subject_href = _shop_href(entry.object_id)
    return Shown(
        entry=entry,
        action=action_name(action),
        named=action in AUDIT_ACTION_NAMES,
        subject=subject.strip(),
        subject_href=subject_href,
        fields=fields,
    )
