"""One unit of work per request, as indico's request handler has it: a request commits
once, when its response is ready; an exception, an abort (404, 400, 429 …) and any 5xx roll
everything back (the error pages roll back before they render). Routes neither commit nor
roll back. A route that catches a domain error to show it on the form runs the service in
a savepoint (`db.session.begin_nested()`), so what the service wrote before it refused is
undone while what the request records on purpose (say, the audit of a wrong voucher code
answered with a 422) is kept. Services flush, and commit only before a call to Stripe
(recording the intent first) and in CLI batch jobs, each commented.

A request that wrote nothing (no flush, no statement but selects, nothing pending) has
nothing to commit: its session is closed at the end as every session is, which ends the
read. Most requests are page reads.
"""

from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

WRITES = "marketplace.writes"


def writes(session: Session) -> int:
    """How many times `session` has written since it began: flushes, and statements that are
    not selects."""
    return session.info.get(WRITES, 0)


def pending(session: Session) -> bool:
    """Whether `session` holds changes it has not flushed yet."""
    return bool(session.new or session.deleted or session.dirty)


def wrote(session: Session) -> bool:
    """Whether `session` has written, or holds changes to write, since it began."""
    return writes(session) > 0 or pending(session)


def _counted(session) -> None:
    session.info[WRITES] = writes(session) + 1


@event.listens_for(Session, "after_flush")
def _flushed(session, context) -> None:
    _counted(session)


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    if not state.is_select:  # an insert, update or delete; text is counted as a write
        _counted(state.session)


def init_app(app) -> None:
    @app.after_request
    def finish_unit_of_work(response):
        if response.status_code >= 500:
            db.session.rollback()
        elif wrote(db.session):
            db.session.commit()
        return response
