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

With PAGE_CACHE_URL (a redis:// URL) the pages are kept in Redis instead (`RedisPageStore`),
shared by every worker and host, each for PAGE_CACHE_SECONDS (`SET … PX`). Page keys carry a
generation number read from Redis once per request; a committed change to a listing, shop,
chain or review (any worker, or the CLI) increments it, so every worker renders afresh at
once and the old pages simply expire. Redis that does not answer within 50 ms is skipped (the
page is rendered as without a cache) and left alone for a second; a change whose increment
is lost that way still shows within PAGE_CACHE_SECONDS, when the pages expire.
"""

import hashlib
import hmac
import logging
import secrets
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import redis
from flask import current_app, g, has_app_context, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from redis.backoff import NoBackoff
from redis.retry import Retry
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
    """Rendered pages by key, each until its expiry, within a size budget (LRU), in this
    process. The interface of a page store: `get`, `put`, `clear`; `slot` is what a kept
    page carries where the visitor's CSRF token goes; `shared` says whether other processes
    read the same pages (then `clear` is called after a change commits, not when it flushes)."""

    slot = _TOKEN_SLOT
    shared = False

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


class RedisPageStore:
    """Rendered pages in Redis, shared by all workers and hosts, each under
    `{prefix}page:{generation}:{digest of the key}` until its expiry; `clear` increments the
    generation (`{prefix}generation`), read once per request. A Redis error or timeout is
    logged once, makes `get` find nothing and `put` keep nothing, and Redis is left alone
    for RETRY_SECONDS."""

    shared = True
    TIMEOUT_SECONDS = 0.05
    RETRY_SECONDS = 1.0

    def __init__(self, url: str, prefix: str, secret_key: str, logger=None) -> None:
        self.prefix = prefix
        self.redis = redis.Redis.from_url(
            url,
            socket_connect_timeout=self.TIMEOUT_SECONDS,
            socket_timeout=self.TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),  # no retries: a page is rendered instead
            decode_responses=True,
        )
        # The same in every worker that shares the pages (and the SECRET_KEY), unguessable.
        digest = hmac.new(secret_key.encode(), b"page-cache-slot:" + prefix.encode(), "sha256")
        self.slot = "csrf-slot-" + digest.hexdigest()[:32]
        self.logger = logger or logging.getLogger(__name__)
        self._lock = threading.Lock()
        self._failing = False
        self._retry_at = 0.0

    @property
    def generation_key(self) -> str:
        return f"{self.prefix}generation"

    def get(self, key: tuple, now: float) -> str | None:
        generation = self._generation()
        if generation is None:
            return None
        return self._call(self.redis.get, self._page_key(generation, key))

    def put(self, key: tuple, body: str, expires: float) -> None:
        generation = self._generation()
        milliseconds = int((expires - time.monotonic()) * 1000)
        if generation is None or milliseconds <= 0:
            return
        self._call(self.redis.set, self._page_key(generation, key), body, px=milliseconds)

    def clear(self) -> None:
        """Every worker renders afresh from its next request on (tried even while Redis
        is being left alone: a change is rarer than a page view)."""
        self._call(self.redis.incr, self.generation_key, always=True)

    def _generation(self) -> str | None:
        """This request's generation: read once per request (None: Redis failed)."""
        if "_page_cache_generation" not in g:
            found = self._call(self.redis.get, self.generation_key, default=False)
            g._page_cache_generation = None if found is False else (found or "0")
        return g._page_cache_generation

    def _page_key(self, generation: str, key: tuple) -> str:
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:40]
        return f"{self.prefix}page:{generation}:{digest}"

    def _call(self, command, *args, default=None, always=False, **kwargs):
        if not always and time.monotonic() < self._retry_at:
            return default
        try:
            result = command(*args, **kwargs)
        except (redis.RedisError, OSError) as error:
            with self._lock:
                self._retry_at = time.monotonic() + self.RETRY_SECONDS
                first, self._failing = not self._failing, True
            if first:
                self.logger.warning("page cache: Redis failed, rendering without it: %r", error)
            return default
        if self._failing:
            with self._lock:
                back, self._failing = self._failing, False
            if back:
                self.logger.warning("page cache: Redis answers again")
        return result


def init_app(app) -> None:
    url = app.config.get("PAGE_CACHE_URL", "")
    if not url:
        max_bytes = int(app.config["PAGE_CACHE_MAX_MB"] * 1024 * 1024)
        app.extensions[EXTENSION] = PageStore(max_bytes)
        return
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"PAGE_CACHE_URL must be a redis://, rediss:// or unix:// URL: {url!r}")
    app.extensions[EXTENSION] = RedisPageStore(
        url, app.config["PAGE_CACHE_PREFIX"], app.config["SECRET_KEY"], app.logger
    )


_CHANGED = "page_cache_public_data_changed"


@event.listens_for(Session, "after_flush")
def _public_data_changed(session, flush_context) -> None:
    if not has_app_context():
        return
    store = current_app.extensions.get(EXTENSION)
    if store is None or not (store.shared or len(store)):
        return
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, PUBLIC_MODELS) for obj in changed):
        if store.shared:
            session.info[_CHANGED] = True  # others may see it once it commits
        else:
            store.clear()


@event.listens_for(Session, "after_commit")
def _public_data_committed(session) -> None:
    """A shared store is cleared after the commit, not at the flush: a worker that reads the
    new generation then renders what was committed, never what was there before."""
    if session.in_nested_transaction() or not session.info.pop(_CHANGED, False):
        return  # a savepoint released: wait for the real commit
    if has_app_context():
        store = current_app.extensions.get(EXTENSION)
        if store is not None:
            store.clear()


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session, transaction) -> None:
    if transaction.parent is None:  # rolled back (a commit popped it already)
        session.info.pop(_CHANGED, None)


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
        setattr(g, field, store.slot)  # what Flask-WTF's generate_csrf() returns from now on
        try:
            body = render()
        finally:
            g.pop(field, None)
        store.put(key, body, now + seconds)
    response = make_response(body.replace(store.slot, generate_csrf()))
    response.headers["X-Page-Cache"] = state
    return response
