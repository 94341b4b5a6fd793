"""The domain models, one module per domain."""

from .audit import AuditEntry
from .users import Role, User

__all__ = ["AuditEntry", "Role", "User"]
