"""Settings, read from environment variables only."""

import os
from datetime import timedelta

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105 (refused in production)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in os.environ.get(name, "").split(",") if w.strip())


class Config:
    """Production settings; every value can be set by an environment variable."""

    TESTING = False

    def __init__(self) -> None:
        env = os.environ
        self.SECRET_KEY = env.get("SECRET_KEY", DEFAULT_SECRET_KEY)
        self.SQLALCHEMY_DATABASE_URI = env.get("DATABASE_URL")  # None → SQLite in instance/
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.PERMANENT_SESSION_LIFETIME = timedelta(days=14)
        self.PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (werkzeug's default; not a secret)
        self.PROXY_FIX_X_FOR = int(env.get("PROXY_FIX_X_FOR", "0"))

        # Public pages kept rendered for anonymous visitors, per worker (marketplace/page_cache.py).
        self.PAGE_CACHE_SECONDS = float(env.get("PAGE_CACHE_SECONDS", "10"))
        self.PAGE_CACHE_MAX_MB = float(env.get("PAGE_CACHE_MAX_MB", "64"))
        # A redis:// URL: the pages are kept there instead, shared by all workers and hosts.
        self.PAGE_CACHE_URL = env.get("PAGE_CACHE_URL", "")
        self.PAGE_CACHE_PREFIX = env.get("PAGE_CACHE_PREFIX", "marketplace:pages:")

        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_HEADERS_ENABLED = True
        self.AUTH_RATE_LIMIT = env.get("AUTH_RATE_LIMIT", "10 per minute")

        self.BABEL_DEFAULT_LOCALE = "zh_CN"
        self.LANGUAGES = ("zh_CN", "en")
        self.MARKETPLACE_CURRENCY = env.get("MARKETPLACE_CURRENCY", "CNY")
        self.MARKETPLACE_TIMEZONE = env.get("MARKETPLACE_TIMEZONE", "Asia/Shanghai")
        # The market whose owner's manuals win in the matcher (a rule's `market` column).
        self.MARKETPLACE_MARKET = env.get("MARKETPLACE_MARKET", "cn")
        self.BABEL_DEFAULT_TIMEZONE = self.MARKETPLACE_TIMEZONE

        self.STRIPE_SECRET_KEY = env.get("STRIPE_SECRET_KEY", "")
        self.STRIPE_PUBLISHABLE_KEY = env.get("STRIPE_PUBLISHABLE_KEY", "")
        self.STRIPE_WEBHOOK_SECRET = env.get("STRIPE_WEBHOOK_SECRET", "")
        self.STRIPE_API_BASE = env.get("STRIPE_API_BASE", "https://api.stripe.com")
        self.STRIPE_JS_URL = env.get("STRIPE_JS_URL", "https://js.stripe.com/v3/")
        self.STRIPE_TIMEOUT_SECONDS = float(env.get("STRIPE_TIMEOUT_SECONDS", "20"))
        self.STRIPE_MAX_RETRIES = int(env.get("STRIPE_MAX_RETRIES", "2"))
        self.ORDER_PAYMENT_MINUTES = int(env.get("ORDER_PAYMENT_MINUTES", "30"))

        # Redemption: wrong codes a staff member (and, separately, a shop) may type, and the
        # country of the Stripe Connect accounts that receive the shops' payouts.
        self.REDEEM_WRONG_CODE_LIMIT = env.get("REDEEM_WRONG_CODE_LIMIT", "10 per minute")
        self.STRIPE_CONNECT_COUNTRY = env.get("STRIPE_CONNECT_COUNTRY", "CN")

        # Reviews: words that hold a review for moderation (comma-separated, any case), and
        # the Bayesian prior of ratings: PRIOR_WEIGHT imagined reviews of PRIOR_MEAN stars.
        self.REVIEW_BLOCKLIST = _env_list("REVIEW_BLOCKLIST")
        self.REVIEW_PRIOR_MEAN = env.get("REVIEW_PRIOR_MEAN", "4.0")
        self.REVIEW_PRIOR_WEIGHT = int(env.get("REVIEW_PRIOR_WEIGHT", "5"))

        self.MAIL_SERVER = env.get("MAIL_SERVER", "")
        self.MAIL_PORT = int(env.get("MAIL_PORT", "25"))
        self.MAIL_USERNAME = env.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD", "")
        self.MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER", "noreply@localhost")
        # Without MAIL_SERVER, emails are written as .eml files here (default instance/outbox).
        self.MAIL_OUTBOX_DIR = env.get("MAIL_OUTBOX_DIR", "")
        # The public address used in links inside emails sent by CLI jobs.
        self.PUBLIC_BASE_URL = env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")


class TestConfig(Config):
    """Settings for the test suite: a throwaway database, limits off unless a test turns them on."""

    TESTING = True
    __test__ = False  # not a pytest test class

    def __init__(self, database_url: str | None = None) -> None:
        super().__init__()
        self.SECRET_KEY = "test-secret-key"  # noqa: S105
        self.SQLALCHEMY_DATABASE_URI = (
            database_url or os.environ.get("TEST_DATABASE_URL") or "sqlite:///:memory:"
        )
        self.SESSION_COOKIE_SECURE = False
        self.REMEMBER_COOKIE_SECURE = False
        self.RATELIMIT_ENABLED = False
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.PAGE_CACHE_SECONDS = 0  # tests of the page cache turn it on
        self.PAGE_CACHE_URL = ""  # in-process unless a test says otherwise
        # Hundreds of accounts are made and signed in: hashing is not what the tests test.
        self.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105
        if self.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
            # A test's commit need not wait for the disk: what it wrote is thrown away, and
            # locks and visibility (what the race tests test) are the same.
            self.SQLALCHEMY_ENGINE_OPTIONS = {
                **self.SQLALCHEMY_ENGINE_OPTIONS,
                "connect_args": {"options": "-c synchronous_commit=off"},
            }
        self.SERVER_NAME = None
