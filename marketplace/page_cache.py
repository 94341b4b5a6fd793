"""Public pages kept rendered for anonymous visitors, a few seconds per worker process.

The home, search, category, listing and shop pages are the same for every visitor who is not
signed in, reads them in the same language with the same selected car (and, for the home page,
the same remembered city), and has no message waiting; only the CSRF token of the header's
language form differs. Rendering one costs 5–8 ms of worker CPU (queries, ORM objects, Jinja,
translations); serving a kept copy costs about as much as `/healthz`. So each worker keeps
the pages it rendered for PAGE_CACHE_SECONDS (0 turns the cache off), with the token replaced
by the visitor's own on every response, and at most PAGE_CACHE_MAX_MB of them (least recently
used go first).

Freshness: a change this process flushes to a listing, shop, chain or review drops the
process's pages at once; a change made by another worker or process (an order's stock or
sales count, a shop edited on another worker, the CLI) shows to anonymous visitors within
PAGE_CACHE_SECONDS. Signed-in users always get a fresh page, and the cart and checkout read
the database, never a kept page, so a stale price or stock figure can never be bought.
"""

import secrets
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app, g, has_app_context, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import Session

from .i18n import select_locale
from .models import (
    BookingSettings,
    Chain,
    ClosedDay,
    Listing,
    ListingFitment,
    ListingItem,
    OpeningHours,
    RatingSummary,
    Review,
    Shop,
)
from .selection import GUEST_KEY

EXTENSION = "page_cache"
PUBLIC_MODELS = (
    Listing,
    ListingItem,
    ListingFitment,
    Shop,
    Chain,
    Review,
    RatingSummary,
    OpeningHours,
    ClosedDay,
    BookingSettings,
)
"""A change to one of these drops the kept pages (bookings themselves do not: the next free
time on a kept page may be up to PAGE_CACHE_SECONDS old)."""
_TOKEN_SLOT = "csrf-slot-" + secrets.token_hex(16)  # stands for the visitor's CSRF token


class PageStore:
    """Rendered pages by key, each until its expiry, within a size budget (LRU)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._pages: OrderedDict[tuple, tuple[float, str, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: tuple, now: float) -> str | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            if found[0] <= now:
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return found[1]

    def put(self, key: tuple, body: str, expires: float) -> None:
        size = sys.getsizeof(body)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._pages:
                self._drop(key)
            while self._pages and self.size + size > self.max_bytes:
                self._drop(next(iter(self._pages)))
            self._pages[key] = (expires, body, size)
            self.size += size

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.size = 0

    def _drop(self, key: tuple) -> None:
        self.size -= self._pages.pop(key)[2]


def init_app(app) -> None:
    max_bytes = int(app.config["PAGE_CACHE_MAX_MB"] * 1024 * 1024)
    app.extensions[EXTENSION] = PageStore(max_bytes)


@event.listens_for(Session, "after_flush")
def _public_data_changed(session, flush_context) -> None:
    if not has_app_context():
        return
    store = current_app.extensions.get(EXTENSION)
    if store is not None and len(store):
        changed = (*session.new, *session.dirty, *session.deleted)
        if any(isinstance(obj, PUBLIC_MODELS) for obj in changed):
            store.clear()


def _key(vary: tuple[str, ...]) -> tuple | None:
    """What the page depends on besides the database, or None when it must not be kept."""
    if request.method not in ("GET", "HEAD") or current_user.is_authenticated:
        return None
    if "_flashes" in session:
        return None
    remembered = tuple(session.get(name) for name in vary)
    return (
        select_locale(),
        session.get(GUEST_KEY),
        *remembered,
        request.path,
        request.query_string,
    )


def serve(render: Callable[[], str], vary: tuple[str, ...] = ()):
    """The page `render()` makes, kept for anonymous visitors; `vary` names the other session
    values the page shows (e.g. the remembered city). `render` may abort (e.g. 404), and then
    nothing is kept."""
    seconds = current_app.config["PAGE_CACHE_SECONDS"]
    key = _key(vary) if seconds > 0 else None
    if key is None:
        return render()
    store = current_app.extensions[EXTENSION]
    now = time.monotonic()
    body = store.get(key, now)
    state = "hit"
    if body is None:
        state = "miss"
        field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        setattr(g, field, _TOKEN_SLOT)  # what Flask-WTF's generate_csrf() returns from now on
        try:
            body = render()
        finally:
            g.pop(field, None)
        store.put(key, body, now + seconds)
    response = make_response(body.replace(_TOKEN_SLOT, generate_csrf()))
    response.headers["X-Page-Cache"] = state
    return response
