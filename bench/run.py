"""Browse-page benchmark: the marketplace next to a hello-world Flask app, both under gunicorn.

    .venv/bin/python bench/run.py            # fresh SQLite file, 5,000 shops / 100,000 listings
    .venv/bin/python bench/run.py --reuse    # same file, no seeding when it has listings
    .venv/bin/python bench/run.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

Both apps run as `gunicorn -w 2 -k sync -b 127.0.0.1:<free port>`. For each page:

1. throughput: `--concurrency` clients for `--duration` seconds, a new connection per request
   (gunicorn's sync workers close the connection after each response anyway); req/s;
2. latency: one client, sequential requests (a new connection each, timed from connect to the
   last byte), up to `--latency-requests` requests or `--duration` seconds; p50 and p99.

Each app page is measured twice (`--page-cache both`, the default): as served, where these
anonymous requests get the page the worker kept rendered (marketplace/page_cache.py,
PAGE_CACHE_SECONDS), and from a second gunicorn with PAGE_CACHE_SECONDS=0, where every request
renders the page ("· rendered" rows): the cost of a page no one asked for in the last seconds,
or of a signed-in user's page.

Every response must be a 200; anything else (other status, socket error, timeout) is an error.
The load generator is `wrk` when it is installed (`apt-get install wrk`), else a pool of Python
processes using http.client; the report says which, and how much CPU it used next to the servers.
Only 127.0.0.1 is contacted. The servers are always stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
DEFAULT_DB_DIR = Path(tempfile.gettempdir()) / "chefu-bench"
DEFAULT_DB_URL = f"sqlite:///{DEFAULT_DB_DIR / 'bench.db'}"
HOST = "127.0.0.1"
WORKERS = 2
MAX_DURATION = 60
MAX_CONCURRENCY = 64
MAX_LATENCY_REQUESTS = 5000
REQUEST_TIMEOUT = 30  # seconds, per request
DETAIL_IDS = 50  # the listing and shop pages rotate over this many listings and shops
MATCHER_CARS = 24  # the matcher rotates over this many catalog cars


@dataclass
class Page:
    name: str
    target: str  # "hello", "app" or "app-rendered" (the app with its page cache off)
    paths: list[str]
    note: str = ""
    goal: str = (
        "rendered"  # "served" (>= 0.35 of hello-world), "rendered" (>= 0.15, p99 <= 10 ms), ""
    )
    signed_in: bool = False  # sent with the bench owner's session cookie


@dataclass
class Result:
    page: Page
    rps: float = 0.0
    requests: int = 0
    errors: int = 0
    p50: float = 0.0
    p99: float = 0.0
    samples: int = 0
    latency_errors: int = 0
    gen_cpu: float = 0.0  # load generator CPU seconds per wall second, throughput phase
    server_cpu: float = 0.0  # gunicorn (master + workers) CPU seconds per wall second
    db_cpu: float = 0.0  # PostgreSQL processes on this machine
    other_cpu: float = 0.0  # everything else on the machine during the throughput phase
    error_kinds: dict[str, int] = field(default_factory=dict)


# --- processes ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def flask_cli(env: dict[str, str], *args: str, timeout: int = 600) -> str:
    cmd = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    done = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        sys.exit(f"`flask {' '.join(args)}` failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


def start_gunicorn(module: str, chdir: Path, port: int, env: dict[str, str], log: Path):
    cmd = [
        sys.executable, "-m", "gunicorn",
        "-w", str(WORKERS), "-k", "sync",
        "-b", f"{HOST}:{port}",
        "--chdir", str(chdir),
        "--backlog", "256",
        "--timeout", "60",
        "--error-logfile", str(log),
        module,
    ]  # fmt: skip
    with open(log, "ab") as out:
        # own session: stopping it later signals this process group only
        return subprocess.Popen(
            cmd, cwd=chdir, env=env, stdout=out, stderr=out, start_new_session=True
        )


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def wait_ready(proc: subprocess.Popen, port: int, path: str, log: Path, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn on port {port} exited:\n{log.read_text()[-3000:]}")
        try:
            status, _ = fetch(port, path, timeout=5)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"gunicorn on port {port} did not answer 200 on {path} within {timeout:.0f}s")


def process_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by a process and its direct children, and by
    the PostgreSQL processes on this machine (0 when the database is elsewhere or SQLite)."""
    tick = os.sysconf("SC_CLK_TCK")
    tree = postgres = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        ppid, used = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
        if int(entry) == pid or ppid == pid:
            tree += used
        elif name == "postgres":
            postgres += used
    return tree, postgres


def system_cpu() -> float:
    """CPU seconds used so far by the whole machine (all processes, all CPUs)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- database ----------------------------------------------------------------------------


def count_rows(url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            return {
                t: conn.scalar(text(f"SELECT count(*) FROM {t}"))  # noqa: S608 (fixed names)
                for t in ("shops", "listings", "variants", "maintenance_rules")
                if t in tables
            }
    finally:
        engine.dispose()


def spread(values: list, count: int) -> list:
    """`count` of `values`, evenly spread over them."""
    step = max(1, len(values) // max(count, 1))
    return list(values[step // 2 :: step])[:count]


def _pick(url: str, sql: str, count: int, what: str) -> list:
    """`count` values of the first column `sql` selects, spread evenly over them."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            values = conn.scalars(text(sql)).all()
    finally:
        engine.dispose()
    if not values:
        sys.exit(f"no {what} in the database")
    return spread(values, count)


def pick_listing_ids(url: str, count: int) -> list[int]:
    """Public listings spread evenly over the id range."""
    return _pick(
        url, "SELECT id FROM listings WHERE is_public ORDER BY id", count, "public listing"
    )


def pick_shop_slugs(url: str, count: int) -> list[str]:
    """Approved shops with something on sale, spread evenly over the id range."""
    sql = (
        "SELECT slug FROM shops WHERE status = 'approved' AND EXISTS "
        "(SELECT 1 FROM listings WHERE listings.shop_id = shops.id AND is_public) ORDER BY id"
    )
    return _pick(url, sql, count, "approved shop with a public listing")


def pick_variants(url: str, count: int) -> list[int]:
    return _pick(url, "SELECT id FROM variants ORDER BY id", count, "catalog variant")


def analyze(url: str) -> float:
    """Refresh the planner's statistics (SQLite: ANALYZE; PostgreSQL: VACUUM ANALYZE, which
    also sets the visibility map that index-only scans need); returns the seconds it took."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    started = time.monotonic()
    try:
        with engine.connect() as conn:
            conn.execute(text("ANALYZE" if url.startswith("sqlite") else "VACUUM ANALYZE"))
    finally:
        engine.dispose()
    return time.monotonic() - started


def prepare_database(args, env: dict[str, str]) -> dict[str, int]:
    url = args.database_url
    if url == DEFAULT_DB_URL and not args.reuse:
        shutil.rmtree(DEFAULT_DB_DIR, ignore_errors=True)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    existing = count_rows(url)
    if existing.get("listings") and not args.reuse:
        sys.exit(
            f"{url} already holds {existing['listings']} listings: pass --reuse to benchmark "
            "them, or start from an empty database (for PostgreSQL: drop and create it again)."
        )
    started = time.monotonic()
    flask_cli(env, "db", "upgrade")
    print(f"db upgrade: {time.monotonic() - started:.1f}s", flush=True)
    if existing.get("listings") and args.reuse:
        print(f"reusing {existing['shops']} shops / {existing['listings']} listings", flush=True)
    else:
        started = time.monotonic()
        out = flask_cli(
            env, "seed", "bench", "--shops", str(args.shops), "--listings", str(args.listings)
        )
        print(f"{out.splitlines()[-1]} ({time.monotonic() - started:.1f}s)", flush=True)
    # the matcher's page and the owner's car need the vehicle catalog and the rules
    for table, command in (
        ("variants", ("catalog", "import")),
        ("maintenance_rules", ("maintenance", "import-rules")),
    ):
        if not existing.get(table):
            started = time.monotonic()
            out = flask_cli(env, *command)
            print(
                f"{' '.join(command)}: {out.splitlines()[-1]} ({time.monotonic() - started:.1f}s)"
            )
    return count_rows(url)


# --- the signed-in owner ----------------------------------------------------------------

OWNER_EMAIL = "bench-owner@bench.example.com"
OWNER_PASSWORD = "bench-owner-password"  # noqa: S105 (the benchmark's own account)
OWNER_SERIES = "卡罗拉"  # the owner's car: a Corolla, one of the most common cars in China
USER_AGENT = "chefu-bench/1"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def owner_cookie(env: dict[str, str]) -> tuple[str, str]:
    """The bench owner's session cookie ("name=value") and their car: the account (with a
    car in the garage, as most owners have) is made once, then signed in through the app's
    own login form in-process, so no password hashing is measured and the servers keep the
    production login limit; the cookie is the one after the first page, as a browser has it.
    Same DATABASE_URL and SECRET_KEY as the servers."""
    os.environ.update(DATABASE_URL=env["DATABASE_URL"], SECRET_KEY=env["SECRET_KEY"])
    from sqlalchemy import select

    from marketplace import create_app
    from marketplace.config import Config
    from marketplace.extensions import db
    from marketplace.models import Series, Variant
    from marketplace.services import accounts, garage
    from marketplace.timeutil import local_today

    config = Config()
    config.RATELIMIT_ENABLED = False  # the login limit is per address: not for the set-up
    config.SESSION_COOKIE_SECURE = False  # the test client keeps the cookie over http
    app = create_app(config)
    with app.app_context():
        owner = accounts.find_user_by_email(OWNER_EMAIL) or accounts.register(
            OWNER_EMAIL, OWNER_PASSWORD, "压测车主"
        )
        db.session.flush()
        car = garage.default_vehicle(owner)
        if car is None:
            variant = db.session.scalar(  # the newest model year of the series
                select(Variant)
                .join(Series)
                .where(Series.name == OWNER_SERIES)
                .order_by(Variant.model_year.desc().nulls_last(), Variant.id)
            ) or db.session.scalar(select(Variant).order_by(Variant.id))
            if variant is None:
                sys.exit("the vehicle catalog is empty (flask --app wsgi catalog import)")
            car = garage.add_vehicle(owner, variant, today=local_today())
        label = car.car.label
        db.session.commit()
        db.session.remove()
    name, value = sign_in(app, OWNER_EMAIL, OWNER_PASSWORD, USER_AGENT)
    with app.app_context():
        db.engine.dispose()
    return f"{name}={value}", label


def sign_in(app, email: str, password: str, user_agent: str) -> tuple[str, str]:
    """Sign `email` in through the app's own login form, in-process; the session cookie's
    name and value. No app context around it: the request gets its own `g` (Flask-WTF keeps
    the CSRF token there)."""
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=HOST)
    token = CSRF_RE.search(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login",
        data={"email": email, "password": password, "csrf_token": token and token.group(1)},
    )
    if response.status_code != 302:
        sys.exit(f"could not sign {email} in: {response.status_code}")
    # as a browser does: the page signing in leads to shows (and so clears) the "signed in"
    # message; a cookie taken before it would show that message on every measured page and
    # have every response write the session cookie again
    landing = client.get(response.headers["Location"])
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    if landing.status_code != 200 or cookie is None:
        sys.exit(f"could not sign {email} in: {landing.status_code}")
    return name, cookie.value


# --- HTTP --------------------------------------------------------------------------------


def fetch(
    port: int, path: str, timeout: float = REQUEST_TIMEOUT, cookie: str = ""
) -> tuple[int, int]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    headers = {"Connection": "close", "User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        conn.close()


def _client_loop(port: int, paths: list[str], offset: int, seconds: float, cookie: str = ""):
    """One Python load-generating process: sequential requests until the deadline."""
    deadline = time.monotonic() + seconds
    done = errors = 0
    kinds: dict[str, int] = {}
    i = offset
    while time.monotonic() < deadline:
        path = paths[i % len(paths)]
        i += 1
        try:
            status, _ = fetch(port, path, cookie=cookie)
            ok = status == 200
            kind = f"HTTP {status}"
        except OSError as exc:
            ok, kind = False, type(exc).__name__
        done += 1
        if not ok:
            errors += 1
            kinds[kind] = kinds.get(kind, 0) + 1
    return done, errors, kinds


def throughput_python(port: int, paths: list[str], concurrency: int, seconds: float, cookie=""):
    with ProcessPoolExecutor(max_workers=concurrency) as pool:
        pool.submit(int).result()  # processes are forked before the clock starts
        started = time.monotonic()
        futures = [
            pool.submit(_client_loop, port, paths, k, seconds, cookie) for k in range(concurrency)
        ]
        parts = [f.result() for f in futures]
        elapsed = time.monotonic() - started
    kinds: dict[str, int] = {}
    for _, _, k in parts:
        for name, n in k.items():
            kinds[name] = kinds.get(name, 0) + n
    return sum(p[0] for p in parts), sum(p[1] for p in parts), elapsed, kinds


WRK_SCRIPT = """
local paths = {%(paths)s}
local threads = {}
local counter = 1

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  i = offset
  non200 = 0
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Connection"] = "close", %(headers)s})
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("non200")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%%d duration_us=%%d non200=%%d connect=%%d read=%%d write=%%d timeout=%%d\\n",
    summary.requests, summary.duration, bad, e.connect, e.read, e.write, e.timeout))
end
"""


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def throughput_wrk(
    port: int, paths: list[str], concurrency: int, seconds: float, tmp: Path, cookie: str = ""
):
    script = tmp / "bench.lua"
    listed = ", ".join(_lua(p) for p in paths)
    headers = f'["User-Agent"] = {_lua(USER_AGENT)}' + (
        f', ["Cookie"] = {_lua(cookie)}' if cookie else ""
    )
    script.write_text(WRK_SCRIPT % {"paths": listed, "headers": headers})
    threads = min(2, concurrency)
    cmd = [
        "wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{seconds:g}s",
        "--timeout", f"{REQUEST_TIMEOUT}s", "-s", str(script), f"http://{HOST}:{port}",
    ]  # fmt: skip
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=seconds + REQUEST_TIMEOUT + 30, check=False
    )
    line = re.search(r"^BENCH (.*)$", done.stdout, re.M)
    if done.returncode != 0 or not line:
        sys.exit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    fields = {k: int(v) for k, v in (kv.split("=") for kv in line.group(1).split())}
    kinds = {k: fields[k] for k in ("non200", "connect", "read", "write", "timeout") if fields[k]}
    return fields["requests"], sum(kinds.values()), fields["duration_us"] / 1e6, kinds


def latency(port: int, paths: list[str], max_requests: int, seconds: float, cookie: str = ""):
    deadline = time.monotonic() + seconds
    times: list[float] = []
    errors = 0
    i = 0
    while i < max_requests and time.monotonic() < deadline:
        path = paths[i % len(paths)]
        i += 1
        started = time.perf_counter()
        try:
            status, _ = fetch(port, path, cookie=cookie)
        except OSError:
            status = 0
        times.append(time.perf_counter() - started)
        if status != 200:
            errors += 1
    return times, errors


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]


def warm_up(port: int, paths: list[str], concurrency: int, cookie: str = "") -> None:
    """Both workers render the page before it is measured (templates, caches, connections)."""
    per_client = 2 + len(paths) // concurrency
    with ProcessPoolExecutor(max_workers=concurrency) as pool:
        futures = [
            pool.submit(_warm_client, port, paths, k * per_client, per_client, cookie)
            for k in range(concurrency)
        ]
        for f in futures:
            bad = f.result()
            if bad:
                sys.exit(f"warm-up: {bad}")


def _warm_client(port: int, paths: list[str], offset: int, count: int, cookie: str = "") -> str:
    for i in range(count):
        path = paths[(offset + i) % len(paths)]
        status, size = fetch(port, path, cookie=cookie)
        if status != 200:
            return f"GET {path} answered {status} ({size} bytes)"
    return ""


# --- the run -----------------------------------------------------------------------------


SERVED_GOAL = 0.35  # anonymous pages as served (the page cache on)
RENDERED_GOAL = 0.15  # pages rendered for the request: cache off, or signed in
P99_GOAL_MS = 10.0  # single connection, rendered pages, SQLite


def pages(
    listing_ids: list[int],
    shop_slugs: list[str],
    variants: list[int],
    page_cache: str = "both",
    signed_in: bool = True,
) -> list[Page]:
    """The measured pages. Each app page up to three times: as served to anonymous visitors
    (they get kept pages), rendered for every request (page cache off: "· rendered"), and for
    the signed-in bench owner, whose pages are always rendered ("· signed in"). The matcher is
    never kept, so it has no "· rendered" row. Hello-world is measured before each page's
    rows, and their ratios are to it: the machine's speed drifts over a run."""
    measured = []
    for page in _pages(listing_ids, shop_slugs, variants):
        if page.target != "app" or not page.goal:
            measured.append(page)
            continue
        if measured[-1].goal:  # hello-world again before each page's rows
            measured.append(HELLO)
        kept = page.goal == "served"
        if page_cache in ("on", "both") or not kept:
            measured.append(page)
        if kept and page_cache in ("off", "both"):
            note = "page cache off: rendered for every request"
            measured.append(Page(f"{page.name} · rendered", "app-rendered", page.paths, note))
        if signed_in:
            note = "the bench owner, signed in with a car in the garage: rendered"
            measured.append(
                Page(f"{page.name} · signed in", "app", page.paths, note, signed_in=True)
            )
    return measured


HELLO = Page("hello-world", "hello", ["/"], goal="")


def _pages(listing_ids: list[int], shop_slugs: list[str], variants: list[int]) -> list[Page]:
    def browse(**params: str) -> str:
        return "/listings/?" + urlencode(params, quote_via=quote)

    return [
        HELLO,
        Page(
            "app /healthz (floor)",
            "app",
            ["/healthz"],
            "reference, not a goal: the app's stack with no template and one SELECT 1",
            goal="",
        ),
        Page(
            "search zh 空调滤芯",
            "app",
            [browse(q="空调滤芯")],
            "4 characters: FTS5 trigram on SQLite, pg_trgm on PostgreSQL",
            goal="served",
        ),
        Page(
            "search pinyin baoyang",
            "app",
            [browse(q="baoyang")],
            "pinyin of 保养: a broad match (about a third of the listings)",
            goal="served",
        ),
        Page(
            "search zh 保养",
            "app",
            [browse(q="保养")],
            "2 characters: below the trigram length, the search falls back to a LIKE scan",
            goal="served",
        ),
        Page(
            "category+filters",
            "app",
            [
                browse(
                    category="maintenance",
                    city="上海",
                    price_min="100",
                    price_max="500",
                    sort="price",
                )
            ],
            "maintenance in 上海, ¥100-500, by price",
            goal="served",
        ),
        Page(
            "listing page",
            "app",
            [f"/listings/{i}" for i in listing_ids],
            f"rotating over {len(listing_ids)} public listings",
            goal="served",
        ),
        Page(
            "shop page",
            "app",
            [f"/shops/{quote(slug)}" for slug in shop_slugs],
            f"rotating over {len(shop_slugs)} approved shops",
            goal="served",
        ),
        Page(
            "matcher",
            "app",
            matcher_paths(variants),
            f"/maintenance/result for {len(variants)} catalog cars, km and age varied",
            goal="rendered",
        ),
    ]


def matcher_paths(variants: list[int]) -> list[str]:
    """The maintenance matcher for catalog cars at varied mileage and age."""
    paths = []
    for i, variant in enumerate(variants):
        params = {"variant": str(variant), "km": str(8_000 + 9_500 * i)}
        if i % 2:
            params["months"] = str(6 + 5 * i)
        else:
            params["registered"] = f"{2012 + i % 12}-0{1 + i % 9}-15"
        params["condition"] = "severe" if i % 3 == 0 else "normal"
        paths.append("/maintenance/result?" + urlencode(params))
    return paths


def measure(page: Page, port: int, server: subprocess.Popen, args, tmp: Path) -> Result:
    result = Result(page)
    cookie = args.cookie if page.signed_in else ""
    cpu_all, cpu_gen, (cpu_srv, cpu_db) = system_cpu(), children_cpu(), process_cpu(server.pid)
    started = time.monotonic()
    if args.loadgen == "wrk":
        requests, errors, elapsed, kinds = throughput_wrk(
            port, page.paths, args.concurrency, args.duration, tmp, cookie
        )
    else:
        requests, errors, elapsed, kinds = throughput_python(
            port, page.paths, args.concurrency, args.duration, cookie
        )
    wall = time.monotonic() - started
    result.gen_cpu = (children_cpu() - cpu_gen) / wall
    srv, pg = process_cpu(server.pid)
    result.server_cpu, result.db_cpu = (srv - cpu_srv) / wall, (pg - cpu_db) / wall
    used = result.gen_cpu + result.server_cpu + result.db_cpu
    result.other_cpu = max(0.0, (system_cpu() - cpu_all) / wall - used)
    result.requests, result.errors, result.error_kinds = requests, errors, kinds
    result.rps = requests / elapsed if elapsed else 0.0
    times, bad = latency(port, page.paths, args.latency_requests, args.duration, cookie)
    times.sort()
    result.samples, result.latency_errors = len(times), bad
    result.p50, result.p99 = percentile(times, 50) * 1000, percentile(times, 99) * 1000
    return result


def report(results: list[Result], args, counts: dict[str, int], gen: str) -> str:
    hellos = [r.rps for r in results if r.page.target == "hello"]
    lines = [
        f"database: {redact(args.database_url)} ({counts.get('shops', 0)} shops, "
        f"{counts.get('listings', 0)} listings); planner statistics refreshed: {args.analyze}",
        f"gunicorn -w {WORKERS} -k sync on {HOST}; load: {gen}, {args.concurrency} connections, "
        f"{args.duration:g}s per page; latency: 1 connection, up to {args.latency_requests} "
        f"requests or {args.duration:g}s",
        f"machine: {os.cpu_count()} CPUs, load average before the run {args.loadavg}",
        "",
        "| page | req/s | ratio to hello | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    hello = None
    for r in results:
        hello = r if r.page.target == "hello" else hello
        ratio = r.rps / hello.rps if hello and hello.rps else float("nan")
        lines.append(
            f"| {r.page.name} | {r.rps:,.1f} | {ratio:.3f} | {r.p50:.1f} | {r.p99:.1f} "
            f"| {r.errors + r.latency_errors} |"
        )
    lines += ["", "details (throughput requests, latency samples, CPU cores used during load):"]
    for r in results:
        kinds = ", ".join(f"{k} {n}" for k, n in r.error_kinds.items())
        lines.append(
            f"  {r.page.name}: {r.requests} requests, {r.samples} latency samples, "
            f"gunicorn {r.server_cpu:.2f} cores, "
            + (f"postgres {r.db_cpu:.2f}, " if r.db_cpu >= 0.005 else "")
            + f"load generator {r.gen_cpu:.2f}, other processes {r.other_cpu:.2f}"
            + (f", errors: {kinds}" if kinds else "")
            + (f", latency-phase errors: {r.latency_errors}" if r.latency_errors else "")
        )
        if r.page.note:
            lines.append(f"    ({r.page.note})")
    sqlite = args.database_url.startswith("sqlite")
    if len(hellos) > 1:
        lines += [
            "",
            f"hello-world was measured {len(hellos)} times, before each page's rows (their "
            f"ratios are to the one above them): {min(hellos):,.0f}-{max(hellos):,.0f} req/s, "
            f"{(max(hellos) - min(hellos)) / max(hellos) * 100:.0f} % apart",
        ]
    goals, hello = [], None
    for r in results:
        hello = r if r.page.target == "hello" else hello
        if not r.page.goal or not hello:
            continue
        ratio = r.rps / hello.rps if hello.rps else 0
        served = r.page.goal == "served" and r.page.target == "app" and not r.page.signed_in
        wanted = SERVED_GOAL if served else RENDERED_GOAL
        misses = [f"ratio {ratio:.3f} < {wanted}"] if ratio < wanted else []
        if not served and sqlite and r.p99 > P99_GOAL_MS:
            misses.append(f"p99 {r.p99:.1f} ms > {P99_GOAL_MS:g} ms")
        goals.append(
            f"  {r.page.name}: " + ("met" if not misses else "MISSED (" + "; ".join(misses) + ")")
        )
    lines += [
        "",
        f"goal: served >= {SERVED_GOAL} of hello-world; rendered and signed in >= "
        f"{RENDERED_GOAL}" + (f", p99 <= {P99_GOAL_MS:g} ms" if sqlite else " (p99: SQLite only)"),
        *goals,
    ]
    return "\n".join(lines)


def redact(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DB_URL, help="default: %(default)s")
    parser.add_argument("--shops", type=int, default=5000)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=10, help="seconds per page and phase")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency-requests", type=int, default=500)
    parser.add_argument("--reuse", action="store_true", help="skip seeding if listings exist")
    parser.add_argument(
        "--analyze",
        choices=("auto", "yes", "no"),
        default="auto",
        help="refresh planner statistics before measuring (SQLite: ANALYZE; PostgreSQL: VACUUM "
        "ANALYZE); auto: on PostgreSQL (autovacuum does it soon after a bulk load in "
        "production), not on SQLite (nothing in the app runs it)",
    )
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--page-cache",
        choices=("both", "on", "off"),
        default="both",
        help="measure the app pages as served (on: anonymous requests get kept pages, "
        "PAGE_CACHE_SECONDS from the environment or 10), rendered every time (off), or both",
    )
    parser.add_argument(
        "--pages",
        help="comma-separated substrings of page names to run (hello-world always runs, "
        "before each page's rows)",
    )
    parser.add_argument(
        "--signed-in",
        choices=("yes", "no"),
        default="yes",
        help="also measure each page for the signed-in bench owner (rows '· signed in')",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= MAX_DURATION:
        parser.error(f"--duration must be between 1 and {MAX_DURATION}")
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        parser.error(f"--concurrency must be between 1 and {MAX_CONCURRENCY}")
    if not 10 <= args.latency_requests <= MAX_LATENCY_REQUESTS:
        parser.error(f"--latency-requests must be between 10 and {MAX_LATENCY_REQUESTS}")
    if not 1 <= args.shops <= 50_000 or not 1 <= args.listings <= 1_000_000:
        parser.error("--shops must be 1..50000 and --listings 1..1000000")
    if args.loadgen == "auto":
        args.loadgen = "wrk" if shutil.which("wrk") else "python"
    elif args.loadgen == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk)")
    return args


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # runs the finally blocks: the servers are stopped


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    args.loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.database_url,
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(48),
        FLASK_DEBUG="0",
        PYTHONPATH=str(ROOT),
    )
    env.pop("FLASK_APP", None)
    counts = prepare_database(args, env)
    if args.analyze == "auto":
        args.analyze = "no" if args.database_url.startswith("sqlite") else "yes"
    if args.analyze == "yes":
        print(f"(VACUUM) ANALYZE: {analyze(args.database_url):.1f}s", flush=True)
    listing_ids = pick_listing_ids(args.database_url, DETAIL_IDS)
    shop_slugs = pick_shop_slugs(args.database_url, DETAIL_IDS)
    variants = pick_variants(args.database_url, MATCHER_CARS)
    selected = pages(listing_ids, shop_slugs, variants, args.page_cache, args.signed_in == "yes")
    if args.pages:
        wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
        selected = [p for p in selected if p.target == "hello" or any(w in p.name for w in wanted)]
        selected = [  # a hello-world row with no page row after it is not measured
            p
            for i, p in enumerate(selected)
            if p.target != "hello" or selected[i + 1 :][:1] not in ([], [HELLO])
        ]
    args.cookie = ""
    if any(p.signed_in for p in selected):
        args.cookie, car = owner_cookie(env)
        print(f"bench owner signed in; their car: {car}", flush=True)
    gen = (
        "wrk (C, 2 threads)"
        if args.loadgen == "wrk"
        else f"Python http.client, {args.concurrency} processes"
    )

    servers: dict[str, tuple[subprocess.Popen, int]] = {}
    tmp = Path(tempfile.mkdtemp(prefix="chefu-bench-run-"))
    try:
        rendered = env | {"PAGE_CACHE_SECONDS": "0"}
        for target, module, chdir, probe, server_env in (
            ("hello", "hello:app", BENCH_DIR, "/", env),
            ("app", "wsgi:app", ROOT, "/listings/", env),
            ("app-rendered", "wsgi:app", ROOT, "/listings/", rendered),
        ):
            if not any(p.target == target for p in selected):
                continue
            port = free_port()
            log = tmp / f"gunicorn-{target}.log"
            proc = start_gunicorn(module, chdir, port, server_env, log)
            servers[target] = (proc, port)
            wait_ready(proc, port, probe, log)
        print(
            "servers up: " + ", ".join(f"{t} :{port}" for t, (_, port) in servers.items()),
            flush=True,
        )
        results = []
        for page in selected:
            proc, port = servers[page.target]
            print(f"measuring {page.name} ...", flush=True)
            warm_up(port, page.paths, args.concurrency)
            results.append(measure(page, port, proc, args, tmp))
        for proc, _ in servers.values():
            if proc.poll() is not None:
                print("warning: a gunicorn master exited during the run", file=sys.stderr)
        print()
        print(report(results, args, counts, gen))
        if any(r.errors or r.latency_errors for r in results):
            for log in sorted(tmp.glob("gunicorn-*.log")):
                print(f"\n--- last lines of {log.name} ---\n{log.read_text()[-3000:]}")
            return 1
        return 0
    finally:
        for proc, _ in servers.values():
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
