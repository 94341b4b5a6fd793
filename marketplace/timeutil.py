"""Dates in the marketplace's time zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local_today() -> date:
    """Today's date where the marketplace operates (MARKETPLACE_TIMEZONE)."""
    return datetime.now(ZoneInfo(current_app.config["MARKETPLACE_TIMEZONE"])).date()
