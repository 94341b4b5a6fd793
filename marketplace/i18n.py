"""Languages, time zone and money formatting.

Languages are named zh_CN and en in settings and URLs; Babel (CLDR) calls Simplified
Chinese zh_Hans_CN, which is why the catalog lives in translations/zh_Hans_CN/.
"""

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale, dates, support
from babel.numbers import format_currency, get_currency_precision
from flask import Request, current_app, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import format_date, format_decimal, format_time, get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_context, pass_eval_context
from markupsafe import Markup
from werkzeug.datastructures import ImmutableMultiDict
from wtforms.i18n import messages_path

from .extensions import babel

LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def select_locale() -> str:
    """The visitor's choice in this session, then their account's, then what their browser
    prefers (Accept-Language) among our languages, then the default."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    preferred = browser_language(languages) if has_request_context() else None
    return preferred or current_app.config["BABEL_DEFAULT_LOCALE"]


def browser_language(languages) -> str | None:
    """The first of the browser's languages, best first, that we speak: "en-GB" is en,
    "zh-Hans-CN" or "zh-TW" is zh_CN; None when it names none of ours."""
    by_language = {name.split("_")[0].lower(): name for name in languages}
    for tag, _quality in request.accept_languages:
        found = by_language.get(tag.replace("_", "-").split("-")[0].lower())
        if found:
            return found
    return None


@lru_cache(maxsize=16)
def _parse_locale(name: str) -> Locale:
    """Locale.parse("zh_CN") costs about 0.5 ms (zh_CN is not a CLDR name, so Babel scans every
    locale identifier to normalize it); the few names in LANGUAGES are parsed once."""
    return Locale.parse(name)


def _babel_locale() -> Locale:
    """Flask-Babel's locale selector: select_locale() as a parsed, shared Locale."""
    return _parse_locale(select_locale())


def translations(load=get_translations):
    """The translations of this request's language, looked up once per request (a page
    makes a hundred gettext calls, each of which costs Flask-Babel half a dozen context
    look-ups). Kept in Flask-Babel's own per-request state under the name its refresh() and
    force_locale() reset, so a language switched mid-request (the language form, a mail in
    the recipient's language) is looked up again."""
    # the app context's `g` without its proxy: a matcher page asks 180 times
    g = context.g if (context := _cv_app.get(None)) is not None else None
    found = getattr(getattr(g, "_flask_babel", None), "babel_translations", None)
    if found is None:
        found = load()  # makes Flask-Babel's state when there was none
        state = getattr(g, "_flask_babel", None)
        if state is not None:
            state.babel_translations = found
    return found


def gettext(string: str, **variables) -> str:
    """Flask-Babel's gettext, without its context look-ups on every call (for the presenters
    a page calls a hundred times: the matcher's wording, fit lines, opening hours)."""
    found = translations().ugettext(string)
    return found % variables if variables else found


def lazy_gettext(string: str, **variables) -> LazyString:
    """Flask-Babel's lazy_gettext, resolved through gettext() above when shown: the labels of
    codes (categories, items, statuses) are shown dozens of times a page."""
    return LazyString(gettext, string, **variables)


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


@pass_eval_context
def _template_gettext(eval_ctx, string: str, **variables) -> str:
    """The templates' _() and gettext(): Jinja's newstyle gettext (escaped where the template
    autoescapes, always %-formatted) over the request's translations, without the two extra
    context calls of Jinja's own (a page calls it some fifty times, most without variables:
    those are looked up once per catalog)."""
    if not variables:
        return _constant_text(translations(), string, eval_ctx.autoescape)
    found = translations().ugettext(string)
    if eval_ctx.autoescape:
        found = Markup(found)  # noqa: S704 (our catalog, as Jinja's own newstyle gettext)
    return found % variables


@lru_cache(maxsize=8192)
def _constant_text(catalog: support.NullTranslations, string: str, autoescape: bool) -> str:
    found = catalog.ugettext(string)
    return (Markup(found) if autoescape else found) % {}  # noqa: S704 (as above)


@pass_context
def _template_ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    found = translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        found = Markup(found)  # noqa: S704 (our catalog, as Jinja's own newstyle gettext)
    return found % variables


@lru_cache(maxsize=16)
def _wtforms_catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Parameters(ImmutableMultiDict):
    """Query and form parameters whose get() answers a missing name without raising: a
    browse page asks for a dozen filters that are not there, and werkzeug's get() builds a
    BadRequestKeyError for each."""

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's signature)
        if key not in self:
            return default
        return super().get(key, default, type)


class MarketplaceRequest(Request):
    parameter_storage_class = Parameters

    @property
    def wtforms_translations(self) -> support.Translations:
        """WTForms' own messages in the request's language, for Flask-WTF, which would
        otherwise read the catalog from disk on every request that builds a form."""
        return _wtforms_catalog(str(get_locale()))


def select_timezone() -> str:
    return current_app.config["MARKETPLACE_TIMEZONE"]


def money(fen: int | None, currency: str | None = None) -> str:
    """Format an integer amount of minor units (fen) in the current locale."""
    if fen is None:
        return ""
    currency = currency or current_app.config["MARKETPLACE_CURRENCY"]
    return _format_money(int(fen), currency, get_locale())


@lru_cache(maxsize=4096)
def _format_money(fen: int, currency: str, locale: Locale) -> str:
    """The formatted amount; pure, so prices shown again and again are formatted once per
    process (a 20-card page shows up to 40 of them, at about 30 µs each)."""
    amount = Decimal(fen).scaleb(-get_currency_precision(currency))
    return format_currency(amount, currency, locale=locale)


def appointment(moment) -> str:
    """A booked time in full: the weekday and date, then the clock ("2026年12月4日星期五 10:00")."""
    return f"{format_date(moment, 'full')} {format_time(moment, 'short')}"


def when(moment) -> str:
    """A moment on a page, in the reader's long form ("2026年12月3日 00:56"); tables keep
    Babel's short form (`datetimeformat('short')`)."""
    return f"{format_date(moment, 'long')} {format_time(moment, 'short')}"


def longdate(day) -> str:
    """A day on a page, in the reader's long form ("2026年12月3日", "December 3, 2026")."""
    return format_date(day, "long")


def day_text(day: date, format: str = "medium") -> str:
    """A calendar day (not a moment: no time zone) in the reader's language, formatted once
    per process and language (the matcher shows a dozen, at about 20 µs each)."""
    if isinstance(day, datetime):
        raise TypeError("day_text() formats days; a moment needs its time zone (longdate)")
    return _format_day(day, format, get_locale())


@lru_cache(maxsize=4096)
def _format_day(day: date, format: str, locale: Locale) -> str:
    return dates.format_date(day, format, locale=locale)


def clock(moment) -> str:
    """The time of day, in the marketplace's time zone ("10:00")."""
    return format_time(moment, "short")


def init_app(app) -> None:
    babel.init_app(app, locale_selector=_babel_locale, timezone_selector=select_timezone)
    app.request_class = MarketplaceRequest
    # newstyle, and pgettext/npgettext; _, gettext and ngettext are replaced just below
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(
        _=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext
    )
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["appointment"] = appointment
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["longdate"] = longdate
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES

    @app.context_processor
    def inject_locale():
        return {"current_locale": select_locale()}
