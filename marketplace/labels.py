"""Translated names for the codes stored in the database."""

from flask_babel import lazy_gettext as _l

ROLE_NAMES = {
    "owner": _l("Car owner"),
    "shop_staff": _l("Shop staff"),
    "admin": _l("Admin"),
}


def init_app(app) -> None:
    app.jinja_env.globals.update(role_names=ROLE_NAMES)
