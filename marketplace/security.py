"""Security headers, safe redirects and role checks."""

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import IntegerConverter, RequestRedirect

from .models import Role

MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL (SQLite stops at 2**63 - 1)
MAX_PAGE = 10_000
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in URLs: a number past the database's integer range is simply not found
    (instead of an overflow in the database driver)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's argument name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def parse_id(value) -> int | None:
    """An id typed into a form or a query string (ASCII digits within range), else None."""
    text = str(value or "")
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def page_arg(args, name: str = "page") -> int:
    """A page number from the query string, kept between 1 and MAX_PAGE."""
    return min(max(args.get(name, 1, type=int) or 1, 1), MAX_PAGE)


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def content_security_policy(config) -> str:
    """Self only, plus the origins of Stripe.js and the Stripe API for the card form."""
    stripe = " ".join(
        sorted(
            {o for o in (_origin(config["STRIPE_JS_URL"]), _origin(config["STRIPE_API_BASE"])) if o}
        )
    )
    extra = f" {stripe}" if stripe else ""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self'{extra}",
            f"frame-src 'self'{extra}",
            f"connect-src 'self'{extra}",
            "img-src 'self' data:",
            "style-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def init_app(app) -> None:
    app.url_map.converters["int"] = BoundedIntConverter
    policy = content_security_policy(app.config)

    @app.before_request
    def refuse_nul_bytes():
        """NUL is in no real input, and PostgreSQL text cannot hold it: a 400 at the door."""
        pairs = list(request.args.items(multi=True))
        if request.mimetype in FORM_TYPES:
            pairs += request.form.items(multi=True)
        if "\x00" in request.path or any("\x00" in k + v for k, v in pairs):
            abort(400)

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if not app.debug and not app.testing:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def safe_next_url(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (no open redirects)."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def landing_url(target: str | None) -> str | None:
    """`target` (a path on this site) made a page one can land on with GET: a POST-only
    URL such as /cart/checkout, where sign-in was asked for, gives its nearest parent page
    that answers GET (/cart/)."""
    path = safe_next_url(target)
    if path is None:
        return None
    adapter = current_app.url_map.bind("localhost")
    candidates = [path]
    parts = urlsplit(path).path.rstrip("/").split("/")
    for end in range(len(parts) - 1, 0, -1):
        parent = "/".join(parts[:end])
        candidates += [parent, parent + "/"] if parent else ["/"]
    for candidate in candidates:
        try:
            adapter.match(urlsplit(candidate).path, method="GET")
        except MethodNotAllowed:
            continue
        except RequestRedirect:
            continue  # the same page under its canonical URL comes next or later
        except HTTPException:
            if candidate == path:
                return path  # not a page of ours after all: the 404 says so
            continue
        return candidate
    return None


def role_required(*roles: Role):
    """Allow only signed-in users with one of `roles`; everyone else gets 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or not current_user.has_role(*roles):
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator
