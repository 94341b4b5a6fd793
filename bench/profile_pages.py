"""In-process profile of the browse pages: wall time per request, SQL statements and their time,
and optionally cProfile's top functions. No server, no load: it explains bench/run.py's figures.

    .venv/bin/python bench/profile_pages.py                     # the bench database of run.py
    .venv/bin/python bench/profile_pages.py --pages 保养 --cprofile 25 --sort tottime
    .venv/bin/python bench/profile_pages.py --sql     # each distinct statement and its time
    .venv/bin/python bench/profile_pages.py --signed-in   # as run.py's bench owner, with a car
    .venv/bin/python bench/profile_pages.py --cold   # nothing kept: counts, cities, rules, cards
    .venv/bin/python bench/profile_pages.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

Run bench/run.py first (it creates and seeds the database). Requests go through Flask's test
client with the production settings (a random SECRET_KEY), so the app's whole stack runs except
gunicorn and the socket.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import (  # noqa: E402
    DEFAULT_DB_URL,
    DETAIL_IDS,
    MATCHER_CARS,
    USER_AGENT,
    matcher_paths,
    owner_cookie,
    pick_listing_ids,
    pick_shop_slugs,
    pick_variants,
)


def paths(listing_ids: list[int], shop_slugs=(), variants=()) -> dict[str, list[str]]:
    def browse(**params: str) -> str:
        return "/listings/?" + urlencode(params, quote_via=quote)

    return {
        "healthz": ["/healthz"],
        "search 空调滤芯": [browse(q="空调滤芯")],
        "search baoyang": [browse(q="baoyang")],
        "search 保养": [browse(q="保养")],
        "search 保养 page 40": [browse(q="保养", page="40")],
        "category+filters": [
            browse(
                category="maintenance", city="上海", price_min="100", price_max="500", sort="price"
            )
        ],
        "listing page": [f"/listings/{i}" for i in listing_ids],
        "shop page": [f"/shops/{quote(slug)}" for slug in shop_slugs],
        "matcher": matcher_paths(list(variants)),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DB_URL)
    parser.add_argument("--requests", type=int, default=50, help="per page (1-1000)")
    parser.add_argument("--pages", help="comma-separated substrings of page names")
    parser.add_argument("--cprofile", type=int, default=0, help="print the top N functions")
    parser.add_argument("--sort", default="cumulative", help="cProfile order (e.g. tottime)")
    parser.add_argument("--sql", action="store_true", help="print each distinct statement")
    parser.add_argument(
        "--signed-in", action="store_true", help="as run.py's bench owner (with a car)"
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="every request as the first of its kind: no kept counts, cities or rules "
        "(services/kept.py), no kept card HTML (cards.py)",
    )
    args = parser.parse_args(argv)
    args.requests = max(1, min(args.requests, 1000))
    os.environ.update(DATABASE_URL=args.database_url, SECRET_KEY=secrets.token_urlsafe(48))
    os.environ.setdefault("PAGE_CACHE_SECONDS", "0")  # explain rendering, not kept pages
    cookie = owner_cookie(dict(os.environ))[0] if args.signed_in else ""

    from sqlalchemy import event

    from marketplace import create_app
    from marketplace.extensions import db

    app = create_app()
    with app.app_context():
        engine = db.engine
    if args.cold:
        from marketplace.services import kept

        for values in kept.ALL:
            values.ttl = -1.0
        app.before_request(app.extensions["listing_cards"].cache_clear)
    statements: list[tuple[str, float]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, time.perf_counter() - conn.info.pop("bench_started")))

    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=USER_AGENT, REMOTE_ADDR="127.0.0.1")
    if cookie:
        name, _, value = cookie.partition("=")
        client.set_cookie(name, value)
    selected = paths(
        pick_listing_ids(args.database_url, DETAIL_IDS),
        pick_shop_slugs(args.database_url, DETAIL_IDS),
        pick_variants(args.database_url, MATCHER_CARS),
    )
    if args.pages:
        wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
        selected = {k: v for k, v in selected.items() if any(w in k for w in wanted)}
    for name, urls in selected.items():
        for url in urls:  # warm-up: every URL once, as run.py's servers are when measured
            assert client.get(url).status_code == 200, url
        statements.clear()
        profile = cProfile.Profile() if args.cprofile else None
        started = time.perf_counter()
        if profile:
            profile.enable()
        for i in range(args.requests):
            response = client.get(urls[i % len(urls)])
            assert response.status_code == 200, (urls[i % len(urls)], response.status_code)
        if profile:
            profile.disable()
        wall = (time.perf_counter() - started) / args.requests * 1000
        sql = sum(t for _, t in statements) / args.requests * 1000
        print(
            f"{name}: {wall:.2f} ms per request, {len(statements) / args.requests:.1f} "
            f"statements, {sql:.2f} ms in SQL"
        )
        if args.sql:
            by_text: dict[str, list[float]] = {}
            for statement, took in statements:
                by_text.setdefault(statement, []).append(took)
            for statement, times in sorted(by_text.items(), key=lambda kv: -sum(kv[1])):
                one = " ".join(statement.split())
                print(f"    {sum(times) / len(times) * 1000:7.2f} ms x{len(times)}  {one[:160]}")
        if profile:
            pstats.Stats(profile).sort_stats(args.sort).print_stats(args.cprofile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
