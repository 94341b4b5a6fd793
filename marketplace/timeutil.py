"""Dates in the marketplace's time zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local_today() -> date:
    """Today's date where the marketplace operates (MARKETPLACE_TIMEZONE)."""
    return datetime.now(ZoneInfo(current_app.config["MARKETPLACE_TIMEZONE"])).date()


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["MARKETPLACE_TIMEZONE"])


def local_midnight(day: date) -> datetime:
    """The aware start of `day` in the marketplace's time zone (compare with UTC columns)."""
    return datetime(day.year, day.month, day.day, tzinfo=local_zone())
