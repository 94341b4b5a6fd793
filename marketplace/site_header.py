"""The shoppers' header, rendered once per value like the cards (marketplace/cards.py).

What it shows is the same on every page a visitor sees in one language — the vehicle badge,
the cart and account links, the unread count, the console links — except for the CSRF token
of its two forms and the page's own address, where the language form and the sign-in link
lead back. So it is rendered with marks in their place, kept per `ShopHeader` (its values)
in a bounded LRU per worker, and the marks are filled in per request. The values are the
key: a new notification is a new count, another car a new label, and a kept header is never
stale.
"""

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .console_nav import header_facts, staff_home
from .i18n import select_locale, translations
from .selection import current_vehicle

HEADER_CACHE_SIZE = 4096
TEMPLATE = "_header_shop.html"
# NUL is in no name, label or path (refused at the door: security.refuse_nul_bytes; PostgreSQL
# cannot store it), so no text a user wrote can pass for a mark; HTML escaping keeps it as is
TOKEN, HERE, SIGN_IN = "\x00csrf-token\x00", "\x00this-page\x00", "\x00sign-in\x00"
SIGN_IN_PAGES = ("auth.login", "auth.register")


@dataclass(frozen=True, slots=True)
class ShopHeader:
    """Everything the shoppers' header shows but the marks."""

    catalog: object  # the reader's translations
    locale: str
    script_root: str  # the URL prefix the app is served under
    signed_in: bool
    display_name: str | None = None
    unread: int = 0
    staff_home: str | None = None
    is_admin: bool = False
    vehicle: str | None = None  # the selected car's label
    brand: str | None = None  # and its brand's name
    sign_in_page: bool = False  # the sign-in link leads back nowhere from there


def current_header() -> ShopHeader:
    selected = current_vehicle()
    common = {
        "catalog": translations(),
        "locale": select_locale(),
        "script_root": request.script_root,
        "vehicle": selected.label if selected else None,
        "brand": selected.car.brand_name if selected else None,
    }
    if not current_user.is_authenticated:
        return ShopHeader(signed_in=False, sign_in_page=request.endpoint in SIGN_IN_PAGES, **common)
    return ShopHeader(
        signed_in=True,
        display_name=current_user.display_name,
        unread=header_facts(current_user)[0],
        staff_home=staff_home(current_user),
        is_admin=current_user.is_admin,
        **common,
    )


def shop_header() -> Markup:
    """The shoppers' header of this page."""
    header = current_header()
    html = current_app.extensions["site_header"](header)
    here = request.full_path
    html = html.replace(TOKEN, generate_csrf()).replace(HERE, escape(here))
    if not header.signed_in:
        next_page = None if header.sign_in_page else here
        html = html.replace(SIGN_IN, escape(url_for("auth.login", next=next_page)))
    return Markup(html)  # noqa: S704 (an autoescaped template's output, marks filled escaped)


def init_app(app) -> None:
    # in debug (make run) templates reload when edited, so nothing is kept
    size = 0 if app.debug or app.config.get("TEMPLATES_AUTO_RELOAD") else HEADER_CACHE_SIZE

    @lru_cache(maxsize=size)
    def render(header: ShopHeader) -> str:
        return app.jinja_env.get_template(TEMPLATE).render(
            header=header, csrf=TOKEN, here=HERE, sign_in_url=SIGN_IN, current_locale=header.locale
        )

    app.extensions["site_header"] = render
    app.jinja_env.globals["shop_header"] = shop_header
