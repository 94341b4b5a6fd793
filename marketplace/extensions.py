"""Flask extensions, created unbound; `create_app` binds them."""

from functools import cached_property

from flask import request
from flask_babel import Babel, Domain
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


class RequestDomain(Domain):
    """Flask-Babel's message domain, with the request's translations looked up once
    (marketplace.i18n.translations) instead of on every gettext call."""

    def get_translations(self):
        from .i18n import translations

        return translations(super().get_translations)


class MarketplaceBabel(Babel):
    @cached_property
    def domain_instance(self):
        return RequestDomain(domain=self.domain)


babel = MarketplaceBabel()
limiter = Limiter(key_func=get_remote_address)
READS = frozenset(("GET", "HEAD", "OPTIONS"))


@limiter.request_filter
def _reads_are_not_limited() -> bool:
    """Every limit is on a form's POST (sign-in, registration; tests.blueprints.test_security
    holds it), and the redeem desk counts wrong codes itself: a page read skips the limiter's
    per-request look-ups."""
    return request.method in READS
