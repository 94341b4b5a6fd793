"""Card numbers as people type them, for the local Stripe server.

Stripe's card form takes "4242 4242 4242 4242" (spaces or dashes between the groups);
localstripe's stand-in wants sixteen bare digits and answers anything else with an English
"Bad request". This strips the separators before localstripe checks the number, for card
payment methods and card tokens alike.
"""

import re

from localstripe import resources

_SEPARATORS = re.compile(r"[\s-]")


def _bare(card):
    if isinstance(card, dict) and isinstance(card.get("number"), str):
        card["number"] = _SEPARATORS.sub("", card["number"])
    return card


def install() -> None:
    """Patch localstripe's card checks (once; before the server starts)."""
    for kind, argument in ((resources.PaymentMethod, "card"), (resources.Card, "source")):
        if getattr(kind, "_takes_typed_numbers", False):
            continue
        original = kind.__init__

        def __init__(self, *args, _original=original, _argument=argument, **kwargs):
            _bare(kwargs.get(_argument))
            return _original(self, *args, **kwargs)

        kind.__init__ = __init__
        kind._takes_typed_numbers = True
