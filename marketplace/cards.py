"""Listing cards (browse, search, home and shop pages), each rendered once per value.

A card (`services.listings.Card`) is plain values. Its HTML depends only on them, on the
reader's language and on the selected car (whether the listing fits it), so each worker keeps
the HTML of the cards it has rendered per (language, card, car, spec) in a bounded LRU
(CARD_CACHE_SIZE, about 1 KB each). A card whose price, stock, sales or rating changed is a
different key and is rendered afresh: nothing needs invalidating, and a kept card is never
stale.
"""

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from .selection import current_vehicle
from .services.fitment import NO_SPEC, Spec, explain
from .services.listings import Card

CARD_CACHE_SIZE = 8192
TEMPLATE = "listings/_card.html"


@dataclass(frozen=True, slots=True)
class CardCar:
    """What a card's fit line reads of the selected car (services.fitment.explain)."""

    fuel_type: str | None
    brand_id: int | None
    series_id: int | None
    label: str


def listing_cards(cards: list[Card]) -> Markup:
    """The cards' `<li>`s in the reader's language, each saying whether it fits their car."""
    selected = current_vehicle()
    car, spec = None, NO_SPEC
    if selected is not None:
        c = selected.car
        car = CardCar(c.fuel_type, c.brand_id, c.series_id, c.label)
        spec = selected.spec
    render = current_app.extensions["listing_cards"]
    locale = str(get_locale())
    return Markup("").join(render(locale, card, car, spec) for card in cards)


def init_app(app) -> None:
    # in debug (make run) templates reload when edited, so nothing is kept
    size = 0 if app.debug or app.config.get("TEMPLATES_AUTO_RELOAD") else CARD_CACHE_SIZE

    @lru_cache(maxsize=size)
    def render(locale: str, card: Card, car: CardCar | None, spec: Spec) -> Markup:
        fit = explain(card, car, spec)
        html = app.jinja_env.get_template(TEMPLATE).render(
            card=card, fit=fit, vehicle=car.label if car else None, with_fit=car or not fit.all_cars
        )
        return Markup(html)  # noqa: S704 (an autoescaped template's output)

    app.extensions["listing_cards"] = render
    app.jinja_env.globals["listing_cards"] = listing_cards
