"""Error pages in the visitor's language.

Every page rolls the request's transaction back first: after a failed statement the session
(and on PostgreSQL the transaction itself) refuses further queries until then, and the page
needs them (the signed-in user, the unread count). Whatever the request wrote is not kept
anyway: only a route that succeeds commits.
"""

from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .i18n import lazy_gettext as _l

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please check and try again."),
    ),
    403: (_l("Forbidden"), _l("You do not have permission to do that.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or is not yours.")),
    405: (_l("Method not allowed"), _l("That action is not available here.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    429: (
        _l("Too many attempts"),
        _l("You have tried too many times. Please wait a minute and try again."),
    ),
    500: (_l("Something went wrong"), _l("An error occurred on our side. Please try again later.")),
}


def render_error(code: int, detail: str | None = None):
    db.session.rollback()
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            _l(
                "The form has expired or was not sent from this site. "
                "Please reload the page and try again."
            ),
        )

    @app.errorhandler(InternalServerError)
    def server_error(error):
        """Any unhandled exception outside debug and testing (Flask wraps it, with
        `error.original_exception`, after logging it) and `abort(500)`."""
        return render_error(500)

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code is None or error.code < 400:
            return error
        code = error.code if error.code in MESSAGES else (500 if error.code >= 500 else 400)
        return render_error(code)
