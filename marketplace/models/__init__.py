"""The domain models, one module per domain."""

from .audit import AuditEntry
from .maintenance import MaintenanceRule
from .users import Role, User
from .vehicles import (
    Brand,
    GarageVehicle,
    Maker,
    OdometerReading,
    ReadingSource,
    Series,
    ServiceRecord,
    Variant,
)

__all__ = [
    "AuditEntry",
    "Brand",
    "GarageVehicle",
    "MaintenanceRule",
    "Maker",
    "OdometerReading",
    "ReadingSource",
    "Role",
    "Series",
    "ServiceRecord",
    "User",
    "Variant",
]
