"""Languages, time zone and money formatting.

Languages are named zh_CN and en in settings and URLs; Babel (CLDR) calls Simplified
Chinese zh_Hans_CN, which is why the catalog lives in translations/zh_Hans_CN/.
"""

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision
from flask import current_app, session
from flask_babel import format_decimal, get_locale
from flask_login import current_user

from .extensions import babel

LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def select_locale() -> str:
    """The visitor's choice in this session, then their account's, then the default."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["MARKETPLACE_TIMEZONE"]


def money(fen: int | None, currency: str | None = None) -> str:
    """Format an integer amount of minor units (fen) in the current locale."""
    if fen is None:
        return ""
    currency = currency or current_app.config["MARKETPLACE_CURRENCY"]
    amount = Decimal(int(fen)).scaleb(-get_currency_precision(currency))
    return format_currency(amount, currency, locale=str(get_locale()))


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES

    @app.context_processor
    def inject_locale():
        return {"current_locale": select_locale()}
