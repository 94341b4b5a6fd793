"""Milliseconds per page in-process, for comparing two checkouts on one machine at one time.

    .venv/bin/python bench/ab_pages.py                          # this checkout
    git worktree add /tmp/before <commit>
    .venv/bin/python bench/ab_pages.py --root /tmp/before       # the app of another checkout

The pages and the bench owner are bench/profile_pages.py's and bench/run.py's (run.py first:
it seeds the database). Each page's URLs are requested once to warm up, then in rounds; the
figure is the fastest round's mean per request (the VM's speed moves between runs, the
fastest round moves least). Run the two checkouts one after the other, twice, and compare the
pairs, not runs made at different times.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import timeit
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from profile_pages import paths  # noqa: E402
from run import (  # noqa: E402
    DEFAULT_DB_URL,
    DETAIL_IDS,
    MATCHER_CARS,
    USER_AGENT,
    owner_cookie,
    pick_listing_ids,
    pick_shop_slugs,
    pick_variants,
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=str(BENCH.parent), help="the checkout whose app runs")
    parser.add_argument("--database-url", default=DEFAULT_DB_URL)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    os.environ.update(
        DATABASE_URL=args.database_url,
        SECRET_KEY=secrets.token_urlsafe(48),
        PAGE_CACHE_SECONDS="0",
    )
    for name in [m for m in sys.modules if m == "marketplace" or m.startswith("marketplace.")]:
        del sys.modules[name]  # run.py and profile_pages.py put this checkout first
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH.parent]
    sys.path.insert(0, args.root)
    from marketplace import create_app

    app = create_app()
    cookie = owner_cookie(dict(os.environ))[0]
    pages = paths(
        pick_listing_ids(args.database_url, DETAIL_IDS),
        pick_shop_slugs(args.database_url, DETAIL_IDS),
        pick_variants(args.database_url, MATCHER_CARS),
    )
    figures = []
    for signed_in in (False, True):
        for name, urls in pages.items():
            if "page 40" in name:
                continue
            client = app.test_client()
            client.environ_base.update(HTTP_USER_AGENT=USER_AGENT, REMOTE_ADDR="127.0.0.1")
            if signed_in:
                key, _, value = cookie.partition("=")
                client.set_cookie(key, value)
            urls = urls * max(1, 50 // len(urls))

            def one_round(client=client, urls=urls):
                for url in urls:
                    assert client.get(url).status_code == 200, url

            one_round()
            best = min(timeit.repeat(one_round, number=2, repeat=args.rounds))
            figures.append((name + (" · signed in" if signed_in else ""), best / 2 / len(urls)))
    print(f"app: {sys.modules['marketplace'].__file__}")
    for name, seconds in figures:
        print(f"{name}: {seconds * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
