"""Writing to the append-only audit log."""

from typing import Any

from ..extensions import db
from ..models import AuditEntry, User


def record(actor: User | None, action: str, obj: Any = None, **data: Any) -> AuditEntry:
    """Append an audit entry for `action` by `actor` on `obj` (any model with an `id`)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if obj is not None else None,
        data=data,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
