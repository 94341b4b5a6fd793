"""The audit log is append-only."""

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEntry
from marketplace.models.audit import AuditLogIsAppendOnly
from marketplace.services import audit


def test_record_writes_an_entry_with_actor_object_and_data(app, make_user):
    make_user("owner@example.com")
    with app.app_context():
        from marketplace.services.accounts import find_user_by_email

        user = find_user_by_email("owner@example.com")
        entry = audit.record(user, "test.action", user, reason="because")
        db.session.commit()
        stored = db.session.get(AuditEntry, entry.id)
        assert stored.actor_id == user.id
        assert (stored.object_type, stored.object_id) == ("User", str(user.id))
        assert stored.data == {"reason": "because"}
        assert stored.created_at.tzinfo is not None


def test_entries_cannot_be_changed_or_deleted(app):
    with app.app_context():
        entry = audit.record(None, "system.thing")
        db.session.commit()
        entry.action = "rewritten"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(AuditEntry, entry.id))
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(AuditEntry.action)) == "system.thing"
