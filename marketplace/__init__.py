"""The car after-sales service marketplace."""

import os

from flask import Flask
from flask.templating import Environment
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import DEFAULT_SECRET_KEY, Config


class TemplateEnvironment(Environment):
    def make_globals(self, d):
        """A template's globals are the environment's own dict when it brings none of its
        own (no template here does), as before Jinja 3.0, rather than a ChainMap over it:
        every render copies them, and every `{% import %}` compares them with the importing
        template's, a Python-level look-up per global through a ChainMap."""
        return self.globals if not d else super().make_globals(d)


class Marketplace(Flask):
    jinja_environment = TemplateEnvironment


def create_app(config: object | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, error pages, CLI."""
    app = Marketplace(__name__, instance_relative_config=False)
    app.config.from_object(config or Config())
    if app.debug:
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
    if not (app.debug or app.testing) and app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise RuntimeError(
            "SECRET_KEY is the built-in default: set SECRET_KEY to a long random value "
            "before running in production (or run with FLASK_DEBUG=1 for the demo)."
        )
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "marketplace.db")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if not app.config.get("MAIL_OUTBOX_DIR"):
        app.config["MAIL_OUTBOX_DIR"] = os.path.join(app.instance_path, "outbox")
    if app.config.get("PROXY_FIX_X_FOR"):
        hops = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from . import (
        cards,
        console_nav,
        fitment_text,
        i18n,
        labels,
        page_cache,
        security,
        selection,
        site_header,
        unit_of_work,
    )
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    cards.init_app(app)
    labels.init_app(app)
    fitment_text.init_app(app)
    security.init_app(app)
    selection.init_app(app)
    page_cache.init_app(app)
    console_nav.init_app(app)
    site_header.init_app(app)
    unit_of_work.init_app(app)

    from . import auth_loader  # noqa: F401  (registers the user loader)
    from .blueprints import register_blueprints
    from .cli import register_cli
    from .errors import register_error_handlers

    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    return app
