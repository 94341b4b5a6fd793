"""Running a service for a form: a refusal goes onto the form and changes nothing."""

from collections.abc import Callable
from typing import Any

from flask import flash

from ..error_messages import message
from ..extensions import db
from ..services.errors import DomainError

REFUSED = object()


def change_or_refuse(
    form, change: Callable[[], Any], *, field: str | None = None, fields: dict | None = None
) -> Any:
    """Run `change()` in a savepoint and return what it returns. When the service refuses,
    what it wrote is undone, its message goes onto the form field it names (`fields` maps
    the service's names to the form's; `field` is the default) or is flashed when the form
    has no such field, and REFUSED is returned."""
    try:
        with db.session.begin_nested():
            return change()
    except DomainError as error:
        name = (fields or {}).get(error.field, error.field) or field
        target = getattr(form, name, None) if form is not None and name else None
        if target is None:
            flash(message(error), "error")
        else:
            target.errors.append(message(error))
        return REFUSED
