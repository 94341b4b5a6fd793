"""Mixed-load benchmark (issue 9, "Load"): browse, listing pages, the matcher and whole
checkout + redemption flows at once, against gunicorn on 127.0.0.1, next to hello-world.

    .venv/bin/python bench/mixed.py                  # fresh SQLite file, 100,000 listings
    .venv/bin/python bench/mixed.py --reuse          # same file, no seeding
    .venv/bin/python bench/mixed.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_mixed

The mix is by HTTP requests: every client sends the kind whose share of its requests is
furthest below its target (browse 70%, listing pages 20%, matcher 5%, checkout+redeem 5%), so
one checkout flow (about a dozen requests) runs about every 200 requests. A checkout flow: a
signed-in owner opens a listing page, adds the listing to the cart, opens the cart, places the
order, opens the card form, gets a card token from the local Stripe server (as Stripe.js
does), pays, and reloads the order page until the webhook has issued the voucher; then a
signed-in staff member of the listing's shop opens /merchant/redeem, looks the code up and
confirms it with the form's request_id. After the run every flow's voucher is checked in the
database (redeemed, once; the order paid; its payment_intent.succeeded event stored).

Owners and staff are created and signed in before the measured phase (through the app
factory and the app's own login form in-process), so no password hashing is measured and the
login rate limit is not hit; the clients carry the signed session cookies.
Only 127.0.0.1 is contacted. gunicorn (app and hello-world) and the local Stripe server are
stopped in a finally. Exit status 1 when there was any error.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as browse_bench  # noqa: E402  (bench/run.py: processes, CPU accounting, hello-world)

ROOT = browse_bench.ROOT
HOST = browse_bench.HOST
DEFAULT_DB_DIR = Path(tempfile.gettempdir()) / "chefu-bench-mixed"
DEFAULT_DB_URL = f"sqlite:///{DEFAULT_DB_DIR / 'bench.db'}"
MAX_DURATION = 300
MAX_REQUESTS = 1_000_000
MAX_CONCURRENCY = 32
REQUEST_TIMEOUT = 30  # seconds per request
VOUCHER_WAIT = 30  # seconds an owner waits for the webhook to issue the voucher
SLOWEST = 10  # the slowest requests are listed in the report
POLL_SECONDS = 0.5  # the order page reloads itself every 2 s; a quicker owner
USER_AGENT = "chefu-bench-mixed/1"
PASSWORD = "bench-mixed-password"  # noqa: S105 (benchmark accounts only)
STRIPE_SECRET_KEY = "sk_test_bench_mixed"  # noqa: S105 (the local Stripe server)
STRIPE_PUBLISHABLE_KEY = "pk_test_bench_mixed"
OWNER_EMAIL = "mixed-owner-{}@bench-mixed.example.com"
STAFF_EMAIL = "mixed-staff-{}@bench-mixed.example.com"
MIX = {"browse": 0.70, "listing": 0.20, "matcher": 0.05, "checkout": 0.05}
KIND_NAMES = {
    "browse": "browse (search, category/filters)",
    "listing": "listing page",
    "matcher": "matcher /maintenance/result",
    "checkout": "checkout+redeem (all its requests)",
}

CSRF_RE = browse_bench.CSRF_RE
TOTAL_RE = re.compile(r'name="expected_total"[^>]*value="(\d+)"')
CODE_RE = re.compile(r'data-voucher-code="(\d{12})"')
REQUEST_ID_RE = re.compile(r'name="request_id" type="hidden" value="([0-9a-f]+)"')
SHOP_RE = re.compile(r'name="shop" type="hidden" value="(\d+)"')


# --- the data set and the accounts ----------------------------------------------------------


def prepare(args, env: dict[str, str]) -> dict[str, int]:
    """run.py's preparation: seeding, the vehicle catalog and the maintenance rules."""
    if args.database_url == DEFAULT_DB_URL and not args.reuse:
        shutil.rmtree(DEFAULT_DB_DIR, ignore_errors=True)
    return browse_bench.prepare_database(args, env)


def setup_accounts(args) -> dict:
    """Owners, the checkout listings and one staff member per listing's shop; signs everyone
    in through the login form (in-process) and returns their session cookies and the URLs."""
    from sqlalchemy import select

    from marketplace import create_app
    from marketplace.config import Config
    from marketplace.extensions import db
    from marketplace.models import Listing, Role, ShopStaff, StaffRole, Variant
    from marketplace.services import accounts

    config = Config()  # the same DATABASE_URL and SECRET_KEY as the servers (os.environ)
    config.RATELIMIT_ENABLED = False  # the login limit is per address: not for the set-up
    config.SESSION_COOKIE_SECURE = False  # the test client keeps the cookie over http
    app = create_app(config)
    started = time.monotonic()
    with app.app_context():
        rows = db.session.execute(
            select(Listing.id, Listing.shop_id)
            .where(Listing.is_public, Listing.stock.is_(None), Listing.price_fen > 0)
            .order_by(Listing.id)
        ).all()
        by_shop: dict[int, int] = {}
        for listing_id, shop_id in browse_bench.spread(rows, args.checkout_listings * 3):
            by_shop.setdefault(shop_id, listing_id)
        checkout = [(lid, sid) for sid, lid in list(by_shop.items())[: args.checkout_listings]]
        if not checkout:
            sys.exit("no public listing without a stock limit to check out")

        def account(email: str, name: str, role: Role):
            user = accounts.find_user_by_email(email)
            return user or accounts.register(email, PASSWORD, name, role=role)

        owners = [OWNER_EMAIL.format(k) for k in range(args.owners)]
        for k, email in enumerate(owners):
            # a fresh local Stripe server each run: customers from an earlier run are gone
            account(email, f"压测车主{k}", Role.OWNER).stripe_customer_id = None
        staff = {}
        for _, shop_id in checkout:
            email = STAFF_EMAIL.format(shop_id)
            user = account(email, f"压测技师{shop_id}", Role.SHOP_STAFF)
            db.session.flush()
            if db.session.scalar(select(ShopStaff).where(ShopStaff.user_id == user.id)) is None:
                db.session.add(
                    ShopStaff(shop_id=shop_id, user_id=user.id, role=StaffRole.TECHNICIAN)
                )
            staff[shop_id] = email
        db.session.commit()
        variants = db.session.scalars(select(Variant.id).order_by(Variant.id)).all()
        if not variants:
            sys.exit("the vehicle catalog is empty (flask --app wsgi catalog import)")
        variants = browse_bench.spread(variants, 24)
        db.session.remove()
        db.engine.dispose()

    def sign_in(email: str) -> dict[str, str]:
        name, value = browse_bench.sign_in(app, email, PASSWORD, USER_AGENT)
        return {name: value}

    owner_cookies = [sign_in(email) for email in owners]
    staff_cookies = {shop_id: sign_in(email) for shop_id, email in staff.items()}
    with app.app_context():
        db.engine.dispose()
    print(
        f"accounts: {len(owners)} owners, {len(staff)} staff members of the shops of "
        f"{len(checkout)} checkout listings, signed in ({time.monotonic() - started:.1f}s)",
        flush=True,
    )
    return {
        "owners": owner_cookies,
        "staff": staff_cookies,
        "checkout": checkout,
        "variants": variants,
    }


def browse_paths() -> list[str]:
    def url(**params: str) -> str:
        return "/listings/?" + urlencode(params, quote_via=quote)

    return [
        url(q="空调滤芯"),
        url(q="baoyang"),
        url(q="保养"),
        url(q="保养", city="杭州", page="2"),
        url(q="洗车"),
        url(category="maintenance", city="上海", price_min="100", price_max="500", sort="price"),
        url(category="tires", city="北京", sort="price"),
        url(category="cleaning", city="深圳"),
        url(category="repair", city="成都", price_max="800"),
        "/listings/",
    ]


matcher_paths = browse_bench.matcher_paths


# --- the clients ------------------------------------------------------------------------------


class FlowError(Exception):
    pass


@dataclass
class ClientStats:
    times: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in MIX})
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    flows: list[dict] = field(default_factory=list)
    flow_errors: int = 0
    slowest: list[tuple[float, str]] = field(default_factory=list)  # (seconds, request)

    def note(self, kind: str, seconds: float, what: str) -> None:
        self.times[kind].append(seconds)
        if len(self.slowest) < SLOWEST or seconds > self.slowest[-1][0]:
            self.slowest = sorted([*self.slowest, (seconds, what)], reverse=True)[:SLOWEST]


class Session:
    """A browser's cookie jar (Secure cookies are sent over http: this is loopback)."""

    def __init__(self, cookies: dict[str, str], port: int, stats: ClientStats, kind: str):
        self.cookies = dict(cookies)
        self.port, self.stats, self.kind = port, stats, kind

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Connection": "close", "User-Agent": USER_AGENT}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except OSError as exc:
            self.stats.note(self.kind, time.perf_counter() - started, f"{method} {path}")
            raise FlowError(f"{method} {path}: {type(exc).__name__} {exc}") from exc
        finally:
            conn.close()
        self.stats.note(self.kind, time.perf_counter() - started, f"{method} {path}")
        for raw in response.headers.get_all("Set-Cookie") or []:
            pair, _, attrs = raw.partition(";")
            name, _, value = pair.strip().partition("=")
            low = attrs.lower()
            if "max-age=0" in low or "expires=thu, 01 jan 1970" in low:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        location = urlsplit(response.headers.get("Location") or "").path
        return response.status, location, text

    def expect(self, method, path, status, form=None, location: str | None = None):
        got, where, text = self.request(method, path, form)
        if got != status or (location is not None and not re.fullmatch(location, where)):
            raise FlowError(f"{method} {path}: {got} {where} (expected {status} {location or ''})")
        return where, text


def _csrf(text: str, what: str) -> str:
    found = CSRF_RE.search(text)
    if not found:
        raise FlowError(f"no CSRF token on {what}")
    return found.group(1)


def stripe_token(stripe_port: int) -> str:
    """What Stripe.js's createToken does with the card form (not counted as an app request)."""
    body = urlencode(
        {
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2030",
            "card[cvc]": "123",
            "key": STRIPE_PUBLISHABLE_KEY,
        }
    )
    conn = http.client.HTTPConnection(HOST, stripe_port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request(
            "POST", "/v1/tokens", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        response = conn.getresponse()
        data = response.read().decode()
    except OSError as exc:
        raise FlowError(f"local Stripe /v1/tokens: {type(exc).__name__} {exc}") from exc
    finally:
        conn.close()
    found = re.search(r'"id":\s*"(tok_[^"]+)"', data)
    if response.status != 200 or not found:
        raise FlowError(f"local Stripe /v1/tokens: {response.status} {data[:200]}")
    return found.group(1)


def checkout_flow(spec: dict, stats: ClientStats, owner: dict, listing: int, shop: int) -> dict:
    port = spec["port"]
    buyer = Session(owner, port, stats, "checkout")
    started = time.monotonic()
    _, page = buyer.expect("GET", f"/listings/{listing}", 200)
    buyer.expect(
        "POST",
        "/cart/add",
        302,
        {"listing_id": listing, "quantity": 1, "csrf_token": _csrf(page, "the listing page")},
        location=r"/cart/",
    )
    _, page = buyer.expect("GET", "/cart/", 200)
    total = TOTAL_RE.search(page)
    if not total or total.group(1) == "0":
        raise FlowError("the cart has no order button / total")
    where, _ = buyer.expect(
        "POST",
        "/cart/checkout",
        302,
        {"expected_total": total.group(1), "csrf_token": _csrf(page, "the cart")},
        location=r"/checkout/\d+",
    )
    number = where.rsplit("/", 1)[1]
    _, page = buyer.expect("GET", f"/checkout/{number}", 200)
    token = stripe_token(spec["stripe_port"])
    paid_at = time.monotonic()
    buyer.expect(
        "POST",
        f"/checkout/{number}/pay",
        302,
        {"method": "card", "token": token, "csrf_token": _csrf(page, "the card form")},
        location=f"/account/orders/{number}",
    )
    code = None
    while True:
        _, page = buyer.expect("GET", f"/account/orders/{number}", 200)
        found = CODE_RE.search(page)
        if found:
            code = found.group(1)
            break
        if time.monotonic() - paid_at > VOUCHER_WAIT:
            raise FlowError(f"order {number}: no voucher {VOUCHER_WAIT}s after paying")
        time.sleep(POLL_SECONDS)
    voucher_wait = time.monotonic() - paid_at

    clerk = Session(spec["staff"][shop], port, stats, "checkout")
    _, page = clerk.expect("GET", "/merchant/redeem", 200)
    _, page = clerk.expect(
        "POST",
        "/merchant/redeem",
        200,
        {"code": code, "shop": shop, "csrf_token": _csrf(page, "/merchant/redeem")},
    )
    request_id, shown_shop = REQUEST_ID_RE.search(page), SHOP_RE.search(page)
    if not request_id or not shown_shop:
        raise FlowError(f"voucher {code}: no confirmation form after the look-up")
    where, _ = clerk.expect(
        "POST",
        "/merchant/redeem/confirm",
        302,
        {
            "code": code,
            "shop": shown_shop.group(1),
            "request_id": request_id.group(1),
            "odometer": "",
            "csrf_token": _csrf(page, "the voucher page"),
        },
        location=r"/merchant/redemptions/\d+",
    )
    clerk.expect("GET", where, 200)
    owner.update(buyer.cookies)
    spec["staff"][shop].update(clerk.cookies)
    return {
        "order": number,
        "code": code,
        "listing": listing,
        "seconds": time.monotonic() - started,
        "voucher_wait": voucher_wait,
    }


def client_loop(spec: dict) -> ClientStats:
    """One load-generating process: picks the kind furthest below its share, until the
    deadline (or its request budget) is reached."""
    try:
        return _client_loop(spec)
    except Exception:  # noqa: BLE001 (reported, counted as an error)
        stats = ClientStats()
        stats.error_count = 1
        stats.errors.append(traceback.format_exc()[-2000:])
        return stats


def _client_loop(spec: dict) -> ClientStats:
    rng = random.Random(spec["seed"])
    stats = ClientStats()
    anonymous = Session({}, spec["port"], stats, "browse")
    owners = spec["owners"]
    checkout = spec["checkout"]
    flows = 0
    deadline = spec["deadline"]
    while time.monotonic() < deadline:
        counts = {k: len(v) for k, v in stats.times.items()}
        total = sum(counts.values())
        if total >= spec["max_requests"]:
            break
        mix = spec["mix"]
        kind = max(mix, key=lambda k: mix[k] * (total + 1) - counts[k])
        if kind == "checkout":
            listing, shop = checkout[(spec["seed"] + flows) % len(checkout)]
            owner = owners[flows % len(owners)]
            flows += 1
            try:
                stats.flows.append(checkout_flow(spec, stats, owner, listing, shop))
            except FlowError as exc:
                stats.flow_errors += 1
                stats.error_count += 1
                if len(stats.errors) < 20:
                    stats.errors.append(f"checkout flow: {exc}")
            continue
        anonymous.kind = kind
        path = rng.choice(spec["paths"][kind])
        try:
            status, _, _ = anonymous.request("GET", path)
            ok = status == 200
        except FlowError as exc:
            ok, status = False, str(exc)
        if not ok:
            stats.error_count += 1
            if len(stats.errors) < 20:
                stats.errors.append(f"{kind} GET {path}: {status}")
        anonymous.cookies.clear()  # every anonymous request is a new visitor
    return stats


# --- the run ---------------------------------------------------------------------------------


def verify(flows: list[dict], since: datetime) -> tuple[list[str], int, int, list[str]]:
    """Every completed flow: the order paid, one voucher, redeemed once, its succeeded event
    stored (so it was the webhook, not the order page's fallback, that issued it)."""
    from sqlalchemy import func, select

    from marketplace import create_app
    from marketplace.config import Config
    from marketplace.extensions import db
    from marketplace.models import (
        Order,
        OrderStatus,
        PaymentAttempt,
        Redemption,
        StripeEvent,
        User,
        Voucher,
        VoucherStatus,
    )

    problems = []
    app = create_app(Config())
    with app.app_context():
        succeeded = db.session.scalar(
            select(func.count()).where(
                StripeEvent.type == "payment_intent.succeeded", StripeEvent.received_at >= since
            )
        )
        if succeeded < len(flows):
            problems.append(
                f"{succeeded} payment_intent.succeeded webhooks stored for {len(flows)} payments"
            )
        for flow in flows:
            order = db.session.scalar(select(Order).where(Order.number == flow["order"]))
            vouchers = db.session.scalars(select(Voucher).where(Voucher.order_id == order.id)).all()
            redemptions = db.session.scalar(
                select(func.count())
                .select_from(Redemption)
                .join(Voucher, Voucher.id == Redemption.voucher_id)
                .where(Voucher.order_id == order.id)
            )
            if order.status not in (OrderStatus.PAID, OrderStatus.COMPLETED):
                problems.append(f"order {order.number}: {order.status}")
            if [v.code for v in vouchers] != [flow["code"]]:
                problems.append(f"order {order.number}: vouchers {[v.code for v in vouchers]}")
            if any(v.status is not VoucherStatus.REDEEMED for v in vouchers) or redemptions != 1:
                problems.append(
                    f"order {order.number}: vouchers {[v.status.value for v in vouchers]}, "
                    f"{redemptions} redemptions"
                )
        # orders of the bench owners placed during the run that no flow finished
        owners = select(User.id).where(User.email.like("mixed-owner-%@bench-mixed.example.com"))
        stray = [
            f"{number} ({status.value})"
            for number, status in db.session.execute(
                select(Order.number, Order.status).where(
                    Order.user_id.in_(owners),
                    Order.created_at >= since,
                    Order.number.not_in([f["order"] for f in flows]),
                )
            )
        ]
        intents = db.session.scalars(
            select(PaymentAttempt.intent_id)
            .join(Order, Order.id == PaymentAttempt.order_id)
            .where(Order.number.in_([f["order"] for f in flows]))
        ).all()
        db.session.remove()
        db.engine.dispose()
    return problems, succeeded, len(intents), stray


def pct(values: list[float], p: float) -> float:
    return browse_bench.percentile(sorted(values), p)


def report(args, counts, hello, stats: ClientStats, elapsed: float, cpu: dict, extra) -> str:
    total = sum(len(v) for v in stats.times.values())
    rps = total / elapsed if elapsed else 0.0
    lines = [
        f"database: {browse_bench.redact(args.database_url)} ({counts.get('shops', 0)} shops, "
        f"{counts.get('listings', 0)} listings); planner statistics refreshed: {args.analyze}",
        f"gunicorn -w {browse_bench.WORKERS} -k sync on {HOST}; mixed load: {args.concurrency} "
        f"Python clients (http.client, a new connection per request) for {args.duration:g}s "
        f"(max {args.max_requests} requests), target shares "
        + ", ".join(f"{k} {v:.0%}" for k, v in args.mix.items())
        + f"; hello-world: {extra['hello_gen']}, "
        f"{args.concurrency} connections, {args.hello_duration:g}s",
        f"machine: {os.cpu_count()} CPUs, load average before the run {args.loadavg}",
        "",
        "| kind | requests | share | req/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind in MIX:
        times = stats.times[kind]
        lines.append(
            f"| {KIND_NAMES[kind]} | {len(times)} | {len(times) / max(total, 1):.1%} "
            f"| {len(times) / elapsed:,.1f} | {pct(times, 50) * 1000:.1f} "
            f"| {pct(times, 99) * 1000:.1f} |"
        )
    every = [t for v in stats.times.values() for t in v]
    lines.append(
        f"| **total (mixed)** | {total} | 100% | **{rps:,.1f}** | {pct(every, 50) * 1000:.1f} "
        f"| {pct(every, 99) * 1000:.1f} |"
    )
    ratio = rps / hello.rps if hello.rps else float("nan")
    lines += [
        f"| hello-world | {hello.requests} | | {hello.rps:,.1f} | {hello.p50:.1f} "
        f"| {hello.p99:.1f} |",
        "",
        f"ratio of the mixed load's req/s to hello-world's: **{ratio:.3f}**",
        f"checkout+redeem flows completed: {len(stats.flows)} ({len(stats.flows) / elapsed:.2f}/s)"
        + (
            f"; flow time p50 {pct([f['seconds'] for f in stats.flows], 50):.2f} s, "
            f"p99 {pct([f['seconds'] for f in stats.flows], 99):.2f} s; pay → voucher shown "
            f"p50 {pct([f['voucher_wait'] for f in stats.flows], 50):.2f} s, "
            f"p99 {pct([f['voucher_wait'] for f in stats.flows], 99):.2f} s"
            if stats.flows
            else ""
        ),
        f"CPU cores used during the mixed phase: gunicorn {cpu['server']:.2f}, "
        + (f"postgres {cpu['db']:.2f}, " if cpu["db"] >= 0.005 else "")
        + f"local Stripe {cpu['stripe']:.2f}, load generator {cpu['gen']:.2f}, "
        f"other processes {cpu['other']:.2f}; during hello-world: gunicorn "
        f"{hello.server_cpu:.2f}, load generator {hello.gen_cpu:.2f}, other processes "
        f"{hello.other_cpu:.2f}",
        f"errors: {stats.error_count + extra['hello_errors'] + len(extra['problems'])} "
        f"(requests/flows {stats.error_count}, of which checkout flows {stats.flow_errors}; "
        f"hello-world {extra['hello_errors']}; database check {len(extra['problems'])}); "
        f"payment_intent.succeeded webhooks stored during the run: {extra['succeeded']}",
    ]
    lines.append(
        "slowest requests: "
        + "; ".join(f"{seconds * 1000:,.0f} ms {what[:70]}" for seconds, what in stats.slowest)
    )
    if extra["stray"]:
        lines.append(
            f"orders placed during the run that no flow finished (their flow failed): "
            f"{len(extra['stray'])}: {', '.join(extra['stray'][:10])}"
        )
    for line in stats.errors[:20] + extra["problems"][:20]:
        lines.append(f"  {line}")
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DB_URL, help="default: %(default)s")
    parser.add_argument("--shops", type=int, default=5000)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="skip seeding if listings exist")
    parser.add_argument("--duration", type=float, default=60, help="seconds of mixed load")
    parser.add_argument(
        "--max-requests", type=int, default=200_000, help="stop the mixed load after this many"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="load-generating processes")
    parser.add_argument("--owners", type=int, default=16, help="owner accounts (pool)")
    parser.add_argument(
        "--checkout-listings", type=int, default=12, help="listings bought (distinct shops)"
    )
    parser.add_argument("--hello-duration", type=float, default=10)
    parser.add_argument(
        "--mix",
        default="browse=70,listing=20,matcher=5,checkout=5",
        help="request shares in percent (default: %(default)s)",
    )
    parser.add_argument("--analyze", choices=("auto", "yes", "no"), default="auto")
    parser.add_argument(
        "--loadgen",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="for hello-world (the mixed load is always Python clients)",
    )
    args = parser.parse_args(argv)
    try:
        shares = {k: float(v) for k, v in (kv.split("=") for kv in args.mix.split(","))}
    except ValueError:
        parser.error("--mix: kind=percent,... (browse, listing, matcher, checkout)")
    if set(shares) - set(MIX) or sum(shares.values()) <= 0 or min(shares.values()) < 0:
        parser.error("--mix: kinds are browse, listing, matcher, checkout; shares >= 0")
    args.mix = {k: shares.get(k, 0.0) / sum(shares.values()) for k in MIX}
    if not 1 <= args.duration <= MAX_DURATION:
        parser.error(f"--duration must be between 1 and {MAX_DURATION}")
    if not 1 <= args.max_requests <= MAX_REQUESTS:
        parser.error(f"--max-requests must be between 1 and {MAX_REQUESTS}")
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        parser.error(f"--concurrency must be between 1 and {MAX_CONCURRENCY}")
    if not args.concurrency <= args.owners <= 1000 or not 1 <= args.checkout_listings <= 200:
        parser.error("--owners must be >= --concurrency (and <= 1000), --checkout-listings 1..200")
    if not 1 <= args.hello_duration <= browse_bench.MAX_DURATION:
        parser.error(f"--hello-duration must be between 1 and {browse_bench.MAX_DURATION}")
    if not 1 <= args.shops <= 50_000 or not 1 <= args.listings <= 1_000_000:
        parser.error("--shops must be 1..50000 and --listings 1..1000000")
    if args.loadgen == "auto":
        args.loadgen = "wrk" if shutil.which("wrk") else "python"
    return args


def start_localstripe(port: int, app_port: int, secret: str, log: Path) -> subprocess.Popen:
    cmd = [
        sys.executable, "-m", "devtools.localstripe_server", "--host", HOST, "--port", str(port),
        "--quiet", "--webhook-url", f"http://{HOST}:{app_port}/checkout/stripe/webhook",
        "--webhook-secret", secret,
    ]  # fmt: skip
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=out, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the local Stripe server exited:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.2)
    browse_bench.stop(proc)
    sys.exit("the local Stripe server did not answer within 30 s")


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, browse_bench._terminate)
    args.loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    app_port, stripe_port = browse_bench.free_port(), browse_bench.free_port()
    while stripe_port == app_port:
        stripe_port = browse_bench.free_port()
    tmp = Path(tempfile.mkdtemp(prefix="chefu-bench-mixed-"))
    webhook_secret = "whsec_" + secrets.token_hex(16)
    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.database_url,
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(48),
        FLASK_DEBUG="0",
        PYTHONPATH=str(ROOT),
        STRIPE_API_BASE=f"http://{HOST}:{stripe_port}",
        STRIPE_JS_URL=f"http://{HOST}:{stripe_port}/js.stripe.com/v3/",
        STRIPE_SECRET_KEY=STRIPE_SECRET_KEY,
        STRIPE_PUBLISHABLE_KEY=STRIPE_PUBLISHABLE_KEY,
        STRIPE_WEBHOOK_SECRET=webhook_secret,
        MAIL_OUTBOX_DIR=str(tmp / "outbox"),
    )
    env.pop("FLASK_APP", None)
    os.environ.update(env)  # the in-process app factory (accounts, checks) reads the same
    servers: list[subprocess.Popen] = []
    try:
        counts = prepare(args, env)
        if args.analyze == "auto":
            args.analyze = "no" if args.database_url.startswith("sqlite") else "yes"
        made = setup_accounts(args)
        if args.analyze == "yes":
            print(f"(VACUUM) ANALYZE: {browse_bench.analyze(args.database_url):.1f}s", flush=True)
        listing_ids = browse_bench.pick_listing_ids(args.database_url, 100)
        paths = {
            "browse": browse_paths(),
            "listing": [f"/listings/{i}" for i in listing_ids],
            "matcher": matcher_paths(made["variants"]),
        }

        stripe = start_localstripe(stripe_port, app_port, webhook_secret, tmp / "stripe.log")
        servers.append(stripe)
        hello_port = browse_bench.free_port()
        for module, chdir, port, probe in (
            ("hello:app", browse_bench.BENCH_DIR, hello_port, "/"),
            ("wsgi:app", ROOT, app_port, "/listings/"),
        ):
            log = tmp / f"gunicorn-{module.split(':')[0]}.log"
            proc = browse_bench.start_gunicorn(module, chdir, port, env, log)
            servers.append(proc)
            browse_bench.wait_ready(proc, port, probe, log)
        app_server = servers[-1]
        print(f"servers up: hello :{hello_port}, app :{app_port}, Stripe :{stripe_port}")

        print(f"measuring hello-world ({args.hello_duration:g}s) ...", flush=True)
        hello_args = SimpleNamespace(
            loadgen=args.loadgen,
            concurrency=args.concurrency,
            duration=args.hello_duration,
            latency_requests=500,
        )
        hello_page = browse_bench.Page("hello-world", "hello", ["/"], goal="")
        browse_bench.warm_up(hello_port, ["/"], args.concurrency)
        hello = browse_bench.measure(hello_page, hello_port, servers[1], hello_args, tmp)

        print("warming up the app's pages ...", flush=True)
        every = paths["browse"] + paths["listing"] + paths["matcher"]
        browse_bench.warm_up(app_port, every, args.concurrency)

        owners = made["owners"]
        per_client = len(owners) // args.concurrency
        specs = [
            {
                "seed": k,
                "port": app_port,
                "stripe_port": stripe_port,
                "paths": paths,
                "owners": owners[k * per_client : (k + 1) * per_client],  # own carts
                "staff": made["staff"],
                "checkout": made["checkout"],
                "max_requests": -(-args.max_requests // args.concurrency),
                "mix": args.mix,
            }
            for k in range(args.concurrency)
        ]
        print(f"mixed load: {args.concurrency} clients for {args.duration:g}s ...", flush=True)
        placed_after = datetime.now(UTC)
        with ProcessPoolExecutor(max_workers=args.concurrency) as pool:
            pool.submit(int).result()  # the processes exist before the clock starts
            cpu_all, cpu_gen = browse_bench.system_cpu(), browse_bench.children_cpu()
            cpu_srv, cpu_db = browse_bench.process_cpu(app_server.pid)
            cpu_stripe, _ = browse_bench.process_cpu(stripe.pid)
            started = time.monotonic()
            for spec in specs:
                spec["deadline"] = started + args.duration
            futures = [pool.submit(client_loop, spec) for spec in specs]
            parts = [
                f.result(timeout=args.duration + VOUCHER_WAIT + 20 * REQUEST_TIMEOUT)
                for f in futures
            ]
            elapsed = time.monotonic() - started
            srv, db_cpu = browse_bench.process_cpu(app_server.pid)
            stripe_cpu, _ = browse_bench.process_cpu(stripe.pid)
            all_cpu = browse_bench.system_cpu()
        gen = browse_bench.children_cpu() - cpu_gen  # the pool's processes have been reaped
        cpu = {
            "server": (srv - cpu_srv) / elapsed,
            "db": (db_cpu - cpu_db) / elapsed,
            "stripe": (stripe_cpu - cpu_stripe) / elapsed,
            "gen": gen / elapsed,
        }
        cpu["other"] = max(0.0, (all_cpu - cpu_all) / elapsed - sum(cpu.values()))

        stats = ClientStats()
        for part in parts:
            for kind, times in part.times.items():
                stats.times[kind].extend(times)
            stats.errors += part.errors
            stats.error_count += part.error_count
            stats.flow_errors += part.flow_errors
            stats.flows += part.flows
            stats.slowest = sorted(stats.slowest + part.slowest, reverse=True)[:SLOWEST]
        problems, succeeded, intents, stray = verify(stats.flows, placed_after)
        if intents != len(stats.flows):
            problems.append(f"{intents} payment attempts for {len(stats.flows)} flows")
        hello_errors = hello.errors + hello.latency_errors
        for proc in servers:
            if proc.poll() is not None:
                problems.append(f"a server (pid {proc.pid}) exited during the run")
        print()
        print(
            report(
                args,
                counts,
                hello,
                stats,
                elapsed,
                cpu,
                {
                    "hello_gen": "wrk (2 threads)" if args.loadgen == "wrk" else "Python",
                    "hello_errors": hello_errors,
                    "problems": problems,
                    "succeeded": succeeded,
                    "stray": stray,
                },
            )
        )
        if stats.error_count or hello_errors or problems:
            for log in sorted(tmp.glob("*.log")):
                print(f"\n--- last lines of {log.name} ---\n{log.read_text()[-4000:]}")
            return 1
        return 0
    finally:
        for proc in reversed(servers):
            browse_bench.stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
