"""One unit of work per request, as indico's request handler has it: a request commits
once, when its response is ready; an exception, an abort (404, 400, 429 …) and any 5xx roll
everything back (the error pages roll back before they render). Routes neither commit nor
roll back. A route that catches a domain error to show it on the form runs the service in
a savepoint (`db.session.begin_nested()`), so what the service wrote before it refused is
undone while what the request records on purpose (say, the audit of a wrong voucher code
answered with a 422) is kept. Services flush, and commit only before a call to Stripe
(recording the intent first) and in CLI batch jobs, each commented.
"""

from .extensions import db


def init_app(app) -> None:
    @app.after_request
    def finish_unit_of_work(response):
        if response.status_code < 500:
            db.session.commit()
        else:
            db.session.rollback()
        return response
