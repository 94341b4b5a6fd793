"""Plain rows: a select of columns run on the session's connection.

`Session.execute()` runs a Core select through the ORM's statement machinery as well, which
costs about 40 µs a statement even when only columns are selected — as much as the rest of
reading a page's cards. `rows()` does what it does for such a select without that: pending
changes are flushed first, as autoflush would, and the statement runs in the session's
transaction. For ORM entities, use the session.
"""

from sqlalchemy import Result

from ..extensions import db


def rows(statement, params: dict | None = None) -> Result:
    """The rows of `statement` (a select of columns), seeing this session's changes. Only
    selects: a write here would pass unseen by the unit of work (unit_of_work.wrote)."""
    if not statement.is_select:
        raise TypeError("rows() runs selects only")
    session = db.session
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)
